import { InMemoryEventBus, silentLogger } from "@qt/eventbus";
import { conformanceRegistry } from "./conformance-events.js";
import { describeEventBusConformance } from "./describe-event-bus-conformance.js";
import type { ConformanceWorld } from "./world.js";

// In one process every "process" shares the one bus: connect() returns it each time.
async function makeInMemoryWorld(): Promise<ConformanceWorld> {
  const bus = new InMemoryEventBus({ registry: conformanceRegistry, logger: silentLogger });
  void bus.runForever();
  return {
    connect: async () => bus,
    deadLetters: async () => bus.deadLetters.list(),
    cleanup: () => bus.stop(),
  };
}

describeEventBusConformance(
  "InMemoryEventBus",
  makeInMemoryWorld,
  {
    persistent: false,
    consumerGroups: true,
    ordered: true,
    replay: false,
    deadLetters: true,
    brokerRestart: false,
    foreignMessages: false,
  },
  { timeoutMs: 10_000 },
);
