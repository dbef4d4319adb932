// The trading core of the trader split: the paper executor and the MSC AI in one process, over
// NATS. The MSC AI reacts to `health.status_changed` published by another process (the health
// monitor) and publishes `policy.updated`; the executor fills ORDERS orders (`trade.executed`).
// Every event it published is recorded in PUBLISHED as "<id> <type>".
//
// Env: NATS_URL, NAMESPACE, ORDERS, PUBLISHED. Prints {"ready":true}, then {"orders":n}.
// SIGTERM: closes the controller, drains the bus, exits 0.
import { silentLogger } from "@qt/eventbus";
import { qtEventRegistry } from "@qt/events";
import { PaperExecutor } from "../../../executor/dist/index.js";
import { InMemoryPolicyStore, MetaStrategyController } from "../../../msc-ai/dist/index.js";
import { NatsEventBus } from "../../dist/index.js";
import { recordingBus } from "./recording-bus.mjs";

const env = (name, fallback) => process.env[name] ?? fallback;
const nats = new NatsEventBus({
  servers: env("NATS_URL"),
  namespace: env("NAMESPACE"),
  registry: qtEventRegistry,
  logger: silentLogger,
});
const bus = recordingBus(nats, env("PUBLISHED"));
const msc = new MetaStrategyController({
  eventBus: bus,
  policyStore: new InMemoryPolicyStore({ allowedStrategies: ["trend", "mean_revert"] }),
  recovery: { delayMs: 0 },
  logger: silentLogger,
});
const executor = new PaperExecutor({
  eventBus: bus,
  prices: { price: (symbol) => (symbol === "BTCUSDT" ? 64_000 : 3_200) },
});
const running = nats.runForever();
await nats.ready();
await msc.idle();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

await msc.announce();
const orders = Number(env("ORDERS", "300"));
for (let n = 0; n < orders; n++) {
  await executor.execute({
    symbol: n % 2 === 0 ? "BTCUSDT" : "ETHUSDT",
    side: n % 4 < 2 ? "BUY" : "SELL",
    size: 0.1,
    strategy_id: "trend",
  });
}
process.stdout.write(`${JSON.stringify({ orders })}\n`);

process.on("SIGTERM", async () => {
  await msc.close();
  await nats.stop();
  await running;
  process.exit(0);
});
