/**
 * One benchmark in a fresh process: `node --expose-gc dist/worker.js '<WorkerSpec as JSON>'`
 * prints one JSON line (a {@link WorkerResult}). A process per library and scenario keeps one
 * library's state (JIT feedback, the promise hooks AsyncLocalStorage enables, heap) from slowing
 * or speeding another.
 */
import { runLatency } from "./scenarios/latency.js";
import { runMemory } from "./scenarios/memory.js";
import { runThroughput } from "./scenarios/throughput.js";
import type { WorkerResult, WorkerSpec } from "./spec.js";

function run(spec: WorkerSpec): Promise<WorkerResult> {
  switch (spec.scenario) {
    case "throughput":
      return runThroughput(spec);
    case "latency":
      return runLatency(spec);
    case "memory":
      return runMemory(spec);
  }
}

const spec = JSON.parse(process.argv[2] ?? "null") as WorkerSpec | null;
if (spec === null) throw new Error("usage: node --expose-gc dist/worker.js '<spec as JSON>'");
process.stdout.write(`${JSON.stringify(await run(spec))}\n`);
