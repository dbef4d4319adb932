// A consumer process: subscribes PATTERNS (comma-separated) in GROUP and writes each event id
// once to SINK: an idempotent sink that survives SIGKILL. Ids are appended synchronously before
// the handler returns (so before the ack); a delivery of an id already in the sink is a
// duplicate: counted in SINK.dup, not written again.
//
// Env: NATS_URL, NAMESPACE, GROUP, PATTERNS, SINK, MAX_IN_FLIGHT, ACK_WAIT_MS, FROM ("beginning" for a new
// group to start at the first event instead of the next), KILL_AT (SIGKILL itself right after writing
// that many events: the worst moment, an event in the sink but not acked, more in flight behind it).
// Prints JSON lines: {"ready":true}, then {"handled":n,"duplicates":d} every 1,000 events.
// SIGTERM: stops the bus (drains) and exits 0.
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { silentLogger } from "@qt/eventbus";
import { qtEventRegistry } from "@qt/events";
import { NatsEventBus } from "../../dist/index.js";

const env = (name, fallback) => process.env[name] ?? fallback;
const sinkPath = env("SINK");
const dupPath = `${sinkPath}.dup`;

const seen = new Set();
if (existsSync(sinkPath)) {
  for (const line of readFileSync(sinkPath, "utf8").split("\n")) {
    // A line torn by SIGKILL is ignored: its event was never acked, so it comes again.
    if (line.length === 36) seen.add(line);
  }
}
const sink = openSync(sinkPath, "a");
let handled = 0;
let duplicates = 0;
const killAt = Number(env("KILL_AT", "0"));

const bus = new NatsEventBus({
  servers: env("NATS_URL"),
  namespace: env("NAMESPACE"),
  maxInFlight: Number(env("MAX_IN_FLIGHT", "256")),
  ackWaitMs: Number(env("ACK_WAIT_MS", "30000")),
  registry: qtEventRegistry,
  logger: silentLogger,
});

const record = (event) => {
  if (seen.has(event.id)) {
    duplicates++;
    appendFileSync(dupPath, `${event.id}\n`);
    return;
  }
  writeSync(sink, `${event.id}\n`);
  seen.add(event.id);
  handled++;
  if (handled === killAt) process.kill(process.pid, "SIGKILL");
  if (handled % 1_000 === 0) process.stdout.write(`${JSON.stringify({ handled, duplicates })}\n`);
};

for (const pattern of env("PATTERNS", ">").split(",")) {
  bus.subscribe(pattern, record, { group: env("GROUP"), name: `sink(${pattern})`, from: env("FROM", "new") });
}
const running = bus.runForever();
await bus.ready();
process.stdout.write(`${JSON.stringify({ ready: true, known: seen.size })}\n`);

process.on("SIGTERM", async () => {
  await bus.stop();
  await running;
  closeSync(sink);
  process.stdout.write(`${JSON.stringify({ stopped: true, handled, duplicates })}\n`);
  process.exit(0);
});
