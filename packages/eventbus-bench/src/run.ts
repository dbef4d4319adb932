/**
 * The benchmark: runs every library through every scenario, each in its own child process,
 * alternating libraries over several rounds, then prints the tables and targets and writes
 * BENCHMARKS.md at the repository root. The measurements are saved to
 * `bench-results/last-run.json`; `--render FILE` writes BENCHMARKS.md again from such a file
 * without measuring (after an edit of analysis.md, say).
 *
 * `node dist/run.js [--rounds 5] [--events 200000] [--latency-rounds 3] [--latency-seconds 1] [--out FILE] [--render FILE]`
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { describeEnvironment, type Environment } from "./environment.js";
import { libraries } from "./libraries.js";
import {
  ANALYSIS_FILE,
  type BenchResults,
  evaluateTargets,
  renderMarkdown,
  renderResults,
  type Settings,
  type ThroughputSamples,
} from "./report.js";
import {
  type LatencyResult,
  LIBRARY_NAMES,
  type LibraryName,
  type MemoryResult,
  type ThroughputResult,
  type WorkerSpec,
} from "./spec.js";

const WORKER = fileURLToPath(new URL("./worker.js", import.meta.url));
const DEFAULT_OUT = fileURLToPath(new URL("../../../BENCHMARKS.md", import.meta.url));
const LAST_RUN = fileURLToPath(new URL("../bench-results/last-run.json", import.meta.url));
const execFileAsync = promisify(execFile);

// pnpm passes a `--` separator through to the script: drop it.
const argv = process.argv.slice(2);
const { values: args } = parseArgs({
  args: argv[0] === "--" ? argv.slice(1) : argv,
  options: {
    rounds: { type: "string", default: "5" },
    events: { type: "string", default: "200000" },
    "latency-rounds": { type: "string", default: "3" },
    "latency-seconds": { type: "string", default: "1" },
    out: { type: "string", default: DEFAULT_OUT },
    render: { type: "string" },
  },
});

/** What `bench-results/last-run.json` holds: enough to write the report again. */
interface SavedRun {
  readonly results: BenchResults;
  readonly environment: Environment;
  readonly date: string;
}

const settings: Settings = {
  rounds: Number(args.rounds),
  events: Number(args.events),
  latencyRounds: Number(args["latency-rounds"]),
  latencySeconds: Number(args["latency-seconds"]),
  rate: 10_000,
  memoryEvents: 100_000,
};

async function runWorker<R>(spec: WorkerSpec): Promise<R> {
  const { stdout } = await execFileAsync(process.execPath, ["--expose-gc", WORKER, JSON.stringify(spec)]);
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as R;
}

/** The libraries in round `round`'s order: rotated, so none always runs first or last. */
function rotated(round: number): LibraryName[] {
  const shift = round % LIBRARY_NAMES.length;
  return [...LIBRARY_NAMES.slice(shift), ...LIBRARY_NAMES.slice(0, shift)];
}

function perLibrary<T>(): Record<LibraryName, T[]> {
  return Object.fromEntries(LIBRARY_NAMES.map((name) => [name, []])) as unknown as Record<LibraryName, T[]>;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

// Read before measuring: a missing analysis.md should not cost a whole run.
const analysis = readFileSync(ANALYSIS_FILE, "utf8");

async function measure(): Promise<SavedRun> {
  const started = performance.now();
  const throughput: ThroughputSamples[] = [
    { handlers: 1, validate: false },
    { handlers: 10, validate: false },
    { handlers: 1, validate: true },
    { handlers: 10, validate: true },
  ].map((scenario) => ({ ...scenario, eventsPerSecond: perLibrary<number>() }));
  const latency = perLibrary<LatencyResult>();
  const memory: MemoryResult[] = [];

  for (let round = 0; round < settings.rounds; round++) {
    const order = rotated(round);
    for (const table of throughput) {
      const line: string[] = [];
      for (const library of order) {
        const { handlers, validate } = table;
        const spec: WorkerSpec = {
          scenario: "throughput",
          library,
          handlers,
          validate,
          events: settings.events,
        };
        const result = await runWorker<ThroughputResult>(spec);
        table.eventsPerSecond[library].push(result.eventsPerSecond);
        line.push(`${library} ${(result.eventsPerSecond / 1e6).toFixed(2)}M`);
      }
      log(
        `round ${round + 1}/${settings.rounds}, ${table.handlers} handler(s)${table.validate ? ", validated" : ""}: ${line.join(", ")}`,
      );
    }
    if (round < settings.latencyRounds) {
      const line: string[] = [];
      for (const library of order) {
        const spec: WorkerSpec = {
          scenario: "latency",
          library,
          rate: settings.rate,
          seconds: settings.latencySeconds,
        };
        const result = await runWorker<LatencyResult>(spec);
        latency[library].push(result);
        line.push(`${library} ${result.p99Us.toFixed(1)}`);
      }
      log(`round ${round + 1}/${settings.rounds}, p99 µs at ${settings.rate}/s: ${line.join(", ")}`);
      memory.push(
        await runWorker<MemoryResult>({
          scenario: "memory",
          library: "qt-bus",
          events: settings.memoryEvents,
        }),
      );
    }
  }

  const results: BenchResults = {
    settings,
    throughput,
    latency,
    memory,
    durationSeconds: (performance.now() - started) / 1000,
  };
  const packages = [
    ...LIBRARY_NAMES.flatMap((name) => libraries[name].packageName ?? []),
    "@qt/events",
    "zod",
  ];
  const run: SavedRun = {
    results,
    environment: describeEnvironment(packages),
    date: new Date().toISOString(),
  };
  mkdirSync(dirname(LAST_RUN), { recursive: true });
  writeFileSync(LAST_RUN, `${JSON.stringify(run)}\n`);
  return run;
}

const run =
  args.render === undefined ? await measure() : (JSON.parse(readFileSync(args.render, "utf8")) as SavedRun);
const targets = evaluateTargets(run.results);
const body = renderResults(run.results, targets);
writeFileSync(args.out, renderMarkdown(run.results, run.environment, body, new Date(run.date), analysis));
process.stdout.write(`${body}\nWritten to ${args.out}\n`);
