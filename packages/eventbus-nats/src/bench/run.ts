import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect } from "@nats-io/transport-node";
import type { BenchSettings, ScenarioName, ScenarioResult } from "./scenarios.js";

// `pnpm bench`: every scenario, raw @nats-io/jetstream client and NatsEventBus alike, in a fresh
// process, RUNS times, alternating; medians go to BENCHMARKS.md in the package folder.
const settings: BenchSettings = {
  url: process.env.NATS_URL ?? "127.0.0.1:4222",
  events: 50_000,
  window: 256,
  maxInFlight: 512,
  rate: 5_000,
  durationMs: 3_000,
  batch: 1_000,
  sequentialEvents: 3_000,
};
const runs = Number(process.env.BENCH_RUNS ?? "5");
const run = promisify(execFile);
const scenarioScript = fileURLToPath(new URL("scenario-process.js", import.meta.url));
const outputFile = fileURLToPath(new URL("../../BENCHMARKS.md", import.meta.url));

async function scenario(name: ScenarioName): Promise<ScenarioResult> {
  const { stdout } = await run(process.execPath, [scenarioScript, name, JSON.stringify(settings)], {
    timeout: 300_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ScenarioResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const pairs: ScenarioName[][] = [
  ["raw-end-to-end", "bus-end-to-end", "bus-end-to-end-no-context"],
  ["raw-latency", "bus-latency"],
  ["raw-sequential-publish", "bus-sequential-publish"],
  ["raw-batched-publish", "bus-batched-publish"],
];
const loadBefore = loadavg()[0] ?? 0;
const results = new Map<ScenarioName, ScenarioResult[]>();
for (let i = 0; i < runs; i++) {
  for (const group of pairs) {
    // Alternate which goes first, so drift on a noisy machine hits both alike.
    for (const name of i % 2 === 0 ? group : [...group].reverse()) {
      const result = await scenario(name);
      results.set(name, [...(results.get(name) ?? []), result]);
      process.stdout.write(`run ${i + 1}/${runs} ${name}: ${JSON.stringify(result)}\n`);
    }
  }
}
const med = (name: ScenarioName, field: keyof ScenarioResult) =>
  median((results.get(name) ?? []).map((r) => r[field] ?? 0));

const loadAfter = loadavg()[0] ?? 0;
const nc = await connect({ servers: settings.url });
const serverVersion = nc.info?.version ?? "unknown";
await nc.close();

const rawE2e = med("raw-end-to-end", "eventsPerSecond");
const busE2e = med("bus-end-to-end", "eventsPerSecond");
const bareE2e = med("bus-end-to-end-no-context", "eventsPerSecond");
const cpu = (name: ScenarioName) => `${med(name, "cpuMicrosPerEvent").toFixed(0)} µs`;
const rawSeq = med("raw-sequential-publish", "eventsPerSecond");
const busSeq = med("bus-sequential-publish", "eventsPerSecond");
const rawBatch = med("raw-batched-publish", "eventsPerSecond");
const busBatch = med("bus-batched-publish", "eventsPerSecond");
const e2eRatio = busE2e / rawE2e;
const bareRatio = bareE2e / rawE2e;
const batchRatio = busBatch / rawSeq;
const rate = (n: number) => `${Math.round(n).toLocaleString("en-US")}/s`;
const ms = (n: number) => `${n.toFixed(2)} ms`;
const ok = (met: boolean) => (met ? "met" : "**missed**");

const markdown = `# @qt/eventbus-nats benchmarks

Written by \`pnpm bench\` (\`src/bench/run.ts\`) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version},
nats-server ${serverVersion} at ${settings.url} (file storage), ${cpus().length} cores. Each scenario runs in a fresh
process against a fresh stream, ${runs} times, alternating raw and adapter; the figures are medians. The machine
is shared and small (the Node process, the server and whatever else runs compete for 2 cores; load average
${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end), so single runs vary by ±20%: compare the
medians, and the CPU per event, which moves less.

Same settings for both sides: a \`trade.executed\`-shaped envelope of about 260 bytes of JSON, published with
ack and a \`Nats-Msg-Id\`; a durable pull consumer (explicit ack, \`max_ack_pending\` ${settings.maxInFlight},
\`consume({ max_messages: ${settings.maxInFlight} })\`), each message parsed and acked. The adapter does what
the raw client does plus its own work (below).

| what | raw @nats-io/jetstream | NatsEventBus | ratio | target |
|---|---|---|---|---|
| end to end, ${settings.events.toLocaleString("en-US")} events, ${settings.window} publishes in flight | ${rate(rawE2e)} | ${rate(busE2e)} | ${e2eRatio.toFixed(2)}x | >= 0.9x: ${ok(e2eRatio >= 0.9)} |
| same, adapter with \`propagateContext: false\` | ${rate(rawE2e)} | ${rate(bareE2e)} | ${bareRatio.toFixed(2)}x | >= 0.9x: ${ok(bareRatio >= 0.9)} |
| CPU of the Node process per event, end to end (default / no context) | ${cpu("raw-end-to-end")} | ${cpu("bus-end-to-end")} / ${cpu("bus-end-to-end-no-context")} | | |
| publish-to-handler latency p50 at ${rate(settings.rate)} offered | ${ms(med("raw-latency", "p50Ms"))} | ${ms(med("bus-latency", "p50Ms"))} | | |
| publish-to-handler latency p99 at ${rate(settings.rate)} offered | ${ms(med("raw-latency", "p99Ms"))} | ${ms(med("bus-latency", "p99Ms"))} | | |
| publish, sequential awaited | ${rate(rawSeq)} | ${rate(busSeq)} | ${(busSeq / rawSeq).toFixed(2)}x | |
| publish, ${settings.batch.toLocaleString("en-US")} in flight | ${rate(rawBatch)} | ${rate(busBatch)} | ${(busBatch / rawBatch).toFixed(2)}x | |
| **adapter batched publish vs raw sequential awaited** | ${rate(rawSeq)} | ${rate(busBatch)} | ${batchRatio.toFixed(2)}x | >= 2x: ${ok(batchRatio >= 2)} |

The gap between the two end-to-end rows is the handling context: to stamp correlation and causation on what a
handler publishes, the adapter (like \`InMemoryEventBus\`) runs handlers in an \`AsyncLocalStorage\` context, and on
Node 20 that turns on promise hooks which tax every promise in the process, the NATS client's included (about
${(med("bus-end-to-end", "cpuMicrosPerEvent") - med("bus-end-to-end-no-context", "cpuMicrosPerEvent")).toFixed(0)} µs of CPU per event here). Handlers that set their correlation ids themselves can turn it
off with \`propagateContext: false\`; then the adapter's own work (envelope checks, the date-preserving wire format,
validation on receipt, stats, retry and dead-letter bookkeeping) is what remains of the difference.

Every run (events/s or ms):

| scenario | runs |
|---|---|
${[...results.entries()]
  .map(([name, list]) => `| ${name} | ${list.map((r) => JSON.stringify(r)).join(" ")} |`)
  .join("\n")}
`;
writeFileSync(outputFile, markdown);
process.stdout.write(`\n${markdown}\nwritten to ${outputFile}\n`);
