import { randomBytes } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { type ConformanceWorld, conformanceRegistry, describeEventBusConformance } from "@qt/bus-conformance";
import { silentLogger } from "@qt/eventbus";
import { afterAll, beforeAll } from "vitest";
import { NatsEventBus } from "./nats-event-bus.js";
import { startNatsServer, type TestNatsServer } from "./testing/nats-server.js";

// A server of this file's own, so that the broker-restart test restarts nobody else's.
let server: TestNatsServer | undefined;
beforeAll(async () => {
  server = await startNatsServer();
}, 30_000);
afterAll(async () => {
  await server?.stop();
});

async function makeNatsWorld(): Promise<ConformanceWorld> {
  const nats = server as TestNatsServer;
  const namespace = `conf_${randomBytes(4).toString("hex")}`;
  const options = {
    servers: nats.url,
    namespace,
    registry: conformanceRegistry,
    logger: silentLogger,
    ackWaitMs: 5_000,
    maxInFlight: 64,
    stopTimeoutMs: 5_000,
  };
  const admin = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const buses: NatsEventBus[] = [];
  const reader = new NatsEventBus({ ...options });
  buses.push(reader);
  return {
    async connect() {
      const bus = new NatsEventBus(options);
      buses.push(bus);
      void bus.runForever();
      await bus.connect();
      return bus;
    },
    deadLetters: () => reader.readDeadLetters(),
    restartBroker: () => nats.restart(),
    async injectForeign(type, body) {
      await reader.connect();
      await jetstream(admin).publish(`${namespace}.${type}`, body);
    },
    async cleanup() {
      await Promise.all(buses.map((bus) => bus.stop({ timeoutMs: 2_000 })));
      const jsm = await jetstreamManager(admin);
      for (const stream of [namespace, `${namespace}-dlq`]) await jsm.streams.delete(stream).catch(() => {});
      await admin.close();
    },
  };
}

describeEventBusConformance(
  "NatsEventBus",
  makeNatsWorld,
  {
    persistent: true,
    consumerGroups: true,
    ordered: true,
    replay: true,
    deadLetters: true,
    brokerRestart: true,
    foreignMessages: true,
  },
  { timeoutMs: 45_000 },
);
