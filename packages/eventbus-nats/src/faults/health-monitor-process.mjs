// The health monitor of the trader split: reports the executor CRITICAL, then HEALTHY again,
// publishing two `health.status_changed` events that the MSC AI (another process) reacts to.
// Every event it published is recorded in PUBLISHED as "<id> <type>".
//
// Env: NATS_URL, NAMESPACE, PUBLISHED. Exits 0 when done.
import { silentLogger } from "@qt/eventbus";
import { qtEventRegistry } from "@qt/events";
import { HealthMonitor } from "../../../health-monitor/dist/index.js";
import { NatsEventBus } from "../../dist/index.js";
import { recordingBus } from "./recording-bus.mjs";

const env = (name, fallback) => process.env[name] ?? fallback;
const nats = new NatsEventBus({
  servers: env("NATS_URL"),
  namespace: env("NAMESPACE"),
  registry: qtEventRegistry,
  logger: silentLogger,
});
const monitor = new HealthMonitor({ eventBus: recordingBus(nats, env("PUBLISHED")) });
await monitor.report("executor", { errorRate: 0.5 });
await new Promise((resolve) => setTimeout(resolve, 300));
await monitor.report("executor", { errorRate: 0 });
await nats.stop();
process.stdout.write(`${JSON.stringify({ done: true })}\n`);
