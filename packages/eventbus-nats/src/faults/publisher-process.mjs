// A publisher process: publishes COUNT `trade.executed` events with up to CONCURRENCY in flight,
// appending the id of each one NATS acknowledged to ACKED (synchronously, so the file is the
// truth even if the process dies) and of each one refused to REJECTED, with the error code.
//
// Env: NATS_URL, NAMESPACE, COUNT, CONCURRENCY, ACKED, REJECTED, OUTAGE ("wait" | "reject"), OUTAGE_WAIT_MS.
// Prints {"acked":n,"rejected":r} every 500 settled publishes, and {"done":true,...} at the end.
import { openSync, writeSync } from "node:fs";
import { silentLogger } from "@qt/eventbus";
import { qtEventRegistry, TradeExecutedEvent } from "@qt/events";
import { NatsEventBus } from "../../dist/index.js";

const env = (name, fallback) => process.env[name] ?? fallback;
const count = Number(env("COUNT", "10000"));
const concurrency = Number(env("CONCURRENCY", "100"));
const ackedFile = openSync(env("ACKED"), "a");
const rejectedFile = openSync(env("REJECTED"), "a");

const bus = new NatsEventBus({
  servers: env("NATS_URL"),
  namespace: env("NAMESPACE"),
  registry: qtEventRegistry,
  onPublishOutage: env("OUTAGE", "wait"),
  outageWaitMs: Number(env("OUTAGE_WAIT_MS", "30000")),
  publishTimeoutMs: 2_000,
  logger: silentLogger,
});
await bus.connect();

let acked = 0;
let rejected = 0;
const report = () => {
  if ((acked + rejected) % 500 === 0) process.stdout.write(`${JSON.stringify({ acked, rejected })}\n`);
};
let next = 0;
const worker = async () => {
  while (next < count) {
    const seq = next++;
    const event = TradeExecutedEvent.create(
      {
        order_id: `order-${seq}`,
        symbol: seq % 2 === 0 ? "BTCUSDT" : "ETHUSDT",
        side: seq % 3 === 0 ? "SELL" : "BUY",
        size: 0.01 + (seq % 7) / 100,
        price: 64_000 + (seq % 100),
        strategy_id: "fault-test",
      },
      { source: "publisher-process" },
    );
    try {
      await bus.publish(event);
      writeSync(ackedFile, `${event.id}\n`);
      acked++;
    } catch (error) {
      writeSync(rejectedFile, `${event.id} ${error?.code ?? error?.name}\n`);
      rejected++;
    }
    report();
  }
};
const started = Date.now();
await Promise.all(Array.from({ length: concurrency }, worker));
await bus.stop();
process.stdout.write(`${JSON.stringify({ done: true, acked, rejected, ms: Date.now() - started })}\n`);
