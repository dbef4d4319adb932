import { createTestBus } from "@qt/eventbus/testing";
import { HealthStatus, HealthStatusChangedEvent, type QtEventMap, qtEventRegistry } from "@qt/events";
import { describe, expect, it } from "vitest";
import { SafetyGovernor } from "./safety-governor.js";

const T0 = Date.UTC(2025, 0, 1);

function health(component: string, new_status: HealthStatus, seconds = 0) {
  return HealthStatusChangedEvent.create(
    { old_status: HealthStatus.HEALTHY, new_status, component, reason: "test", metrics: {} },
    { timestamp: new Date(T0 + seconds * 1000) },
  );
}

function setup() {
  const bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
  return { bus, governor: new SafetyGovernor({ eventBus: bus }) };
}

describe("halted", () => {
  it("is false until a component reports CRITICAL, and again once it reports HEALTHY", async () => {
    const { bus, governor } = setup();
    await using _ = bus;
    expect(governor.halted).toBe(false);
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.idle();
    expect(governor.halted).toBe(true);
    expect(governor.criticalComponents).toEqual(["DrawdownGuard"]);
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();
    expect(governor.halted).toBe(false);
    expect(governor.criticalComponents).toEqual([]);
  });

  it("stays halted while any component is CRITICAL", async () => {
    const { bus, governor } = setup();
    await using _ = bus;
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.publish(health("Exchange", HealthStatus.CRITICAL, 2));
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 3));
    await bus.idle();
    expect(governor.criticalComponents).toEqual(["Exchange"]);
    expect(governor.halted).toBe(true);
    await bus.publish(health("Exchange", HealthStatus.HEALTHY, 4));
    await bus.idle();
    expect(governor.halted).toBe(false);
  });

  it("is not halted by DEGRADED, and DEGRADED does not end a CRITICAL halt", async () => {
    const { bus, governor } = setup();
    await using _ = bus;
    await bus.publish(health("Feed", HealthStatus.DEGRADED, 1));
    await bus.idle();
    expect(governor.halted).toBe(false);
    await bus.publish(health("Feed", HealthStatus.CRITICAL, 2));
    await bus.publish(health("Feed", HealthStatus.DEGRADED, 3));
    await bus.idle();
    expect(governor.halted).toBe(true);
  });

  it("ignores a status older than the one applied for that component", async () => {
    const { bus, governor } = setup();
    await using _ = bus;
    await bus.publish(health("Exchange", HealthStatus.HEALTHY, 10));
    await bus.publish(health("Exchange", HealthStatus.CRITICAL, 5));
    await bus.publish(health("Feed", HealthStatus.CRITICAL, 1)); // older, but another component
    await bus.idle();
    expect(governor.criticalComponents).toEqual(["Feed"]);
  });

  it("ignores a duplicate delivery", async () => {
    const { bus, governor } = setup();
    await using _ = bus;
    const critical = health("Exchange", HealthStatus.CRITICAL, 1);
    await bus.publish(critical);
    await bus.publish(critical);
    await bus.publish(health("Exchange", HealthStatus.HEALTHY, 2));
    await bus.publish(critical);
    await bus.idle();
    expect(governor.halted).toBe(false);
  });
});

describe("close()", () => {
  it("stops following health events", async () => {
    const { bus, governor } = setup();
    await using _ = bus;
    governor.close();
    governor.close();
    await bus.publish(health("Exchange", HealthStatus.CRITICAL, 1));
    await bus.idle();
    expect(governor.halted).toBe(false);
  });
});
