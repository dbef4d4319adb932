import { createRecordingLogger, createTestBus, recordEvents } from "@qt/eventbus/testing";
import {
  HealthStatus,
  HealthStatusChangedEvent,
  type QtEventMap,
  qtEventRegistry,
  RiskMode,
} from "@qt/events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MetaStrategyController, type MetaStrategyControllerOptions } from "./meta-strategy-controller.js";
import { InMemoryPolicyStore } from "./policy-store.js";

const testBus = () => createTestBus<QtEventMap>({ registry: qtEventRegistry });
const T0 = Date.parse("2026-01-01T00:00:00Z");

/** A `health.status_changed` event from `component`, `second` seconds after T0. */
function health(component: string, new_status: HealthStatus, second: number) {
  return HealthStatusChangedEvent.create(
    { old_status: HealthStatus.HEALTHY, new_status, component, reason: "test", metrics: {} },
    { source: "health-monitor", timestamp: new Date(T0 + second * 1_000) },
  );
}

function controller(
  bus: ReturnType<typeof testBus>,
  options: Partial<MetaStrategyControllerOptions> = {},
): MetaStrategyController {
  return new MetaStrategyController({
    eventBus: bus,
    policyStore: new InMemoryPolicyStore({ allowedStrategies: ["trend"] }),
    logger: createRecordingLogger(),
    ...options,
  });
}

describe("health.status_changed", () => {
  it("CRITICAL forces DEFENSIVE; the event is caused by the health event", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 0 } });
    await msc.updateRiskMode(RiskMode.AGGRESSIVE);

    const critical = health("DrawdownGuard", HealthStatus.CRITICAL, 1);
    await bus.publish(critical);
    await bus.idle();

    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["AGGRESSIVE", "DEFENSIVE"]);
    expect(policies.events[1]).toMatchObject({
      source: "msc-ai",
      causationId: critical.id,
      correlationId: critical.correlationId,
      payload: { max_risk_per_trade: 0.01, max_positions: 3, allowed_strategies: ["trend"] },
    });
    expect(msc).toMatchObject({
      riskMode: "DEFENSIVE",
      forcedDefensive: true,
      criticalComponents: ["DrawdownGuard"],
      resumeMode: "AGGRESSIVE",
    });
    await msc.close();
  });

  it("HEALTHY with delayMs 0 restores the previous mode at once", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 0 } });
    await msc.updateRiskMode(RiskMode.AGGRESSIVE);

    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();

    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["AGGRESSIVE", "DEFENSIVE", "AGGRESSIVE"]);
    expect(msc.forcedDefensive).toBe(false);
    expect(msc.resumeMode).toBeUndefined();
    await msc.close();
  });

  it("CRITICAL when already DEFENSIVE publishes nothing, and recovery stays DEFENSIVE", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, {
      recovery: { delayMs: 0 },
      policyStore: new InMemoryPolicyStore({ riskMode: RiskMode.DEFENSIVE }),
    });
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.idle();
    expect(msc.forcedDefensive).toBe(true);
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();
    expect(policies.events).toEqual([]);
    expect(msc.forcedDefensive).toBe(false);
    await msc.close();
  });

  it("HEALTHY from another component does not restore while one is still CRITICAL", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 0 } });

    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.publish(health("ExchangeFeed", HealthStatus.CRITICAL, 2));
    await bus.publish(health("ExchangeFeed", HealthStatus.HEALTHY, 3));
    await bus.publish(health("ModelServer", HealthStatus.HEALTHY, 4));
    await bus.idle();
    expect(msc.riskMode).toBe("DEFENSIVE");
    expect(msc.criticalComponents).toEqual(["DrawdownGuard"]);

    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 5));
    await bus.idle();
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE", "NORMAL"]);
    await msc.close();
  });

  it("DEGRADED neither forces nor releases", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 0 } });

    await bus.publish(health("ModelServer", HealthStatus.DEGRADED, 1));
    await bus.idle();
    expect(msc.riskMode).toBe("NORMAL");

    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 2));
    await bus.publish(health("DrawdownGuard", HealthStatus.DEGRADED, 3));
    await bus.idle();
    expect(msc.riskMode).toBe("DEFENSIVE");

    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 4));
    await bus.idle();
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE", "NORMAL"]);
    await msc.close();
  });

  it("a duplicate delivery of the same event id changes nothing", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 0 } });
    const critical = health("DrawdownGuard", HealthStatus.CRITICAL, 1);

    await bus.publish(critical);
    await bus.publish(critical);
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.publish(critical); // redelivered after recovery
    await bus.idle();

    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE", "NORMAL"]);
    expect(msc).toMatchObject({ riskMode: "NORMAL", forcedDefensive: false, criticalComponents: [] });
    await msc.close();
  });

  it("ignores an event older than the last one seen from the same component, not from another", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 0 } });

    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 3));
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 2)); // late: ignored
    await bus.idle();
    expect(msc).toMatchObject({ riskMode: "NORMAL", forcedDefensive: false });

    await bus.publish(health("ExchangeFeed", HealthStatus.CRITICAL, 0)); // older, but its own first
    await bus.idle();
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE", "NORMAL", "DEFENSIVE"]);
    await msc.close();
  });

  it("a late HEALTHY does not lift a newer CRITICAL", async () => {
    await using bus = testBus();
    const msc = controller(bus, { recovery: { delayMs: 0 } });
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 5));
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 4));
    await bus.idle();
    expect(msc).toMatchObject({ riskMode: "DEFENSIVE", forcedDefensive: true });
    await msc.close();
  });

  it("a handler failure (store down) is retried by the bus and converges", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const store = new InMemoryPolicyStore();
    const setRiskMode = store.setRiskMode.bind(store);
    let failures = 1;
    store.setRiskMode = (mode) =>
      failures-- > 0 ? Promise.reject(new Error("store down")) : setRiskMode(mode);
    const msc = controller(bus, { policyStore: store, recovery: { delayMs: 0 } });

    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.idle();

    expect(bus.handlerErrors).toHaveLength(1);
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE"]);
    expect(msc.resumeMode).toBe("NORMAL");
    await msc.close();
  });

  it("stops reacting after close()", async () => {
    await using bus = testBus();
    const msc = controller(bus, { recovery: { delayMs: 0 } });
    await msc.close();
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.idle();
    expect(msc.forcedDefensive).toBe(false);
  });
});

describe("recovery.delayMs", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Lets `ms` pass, then waits for the controller and the bus to finish what that started. */
  async function pass(msc: MetaStrategyController, bus: ReturnType<typeof testBus>, ms: number) {
    await vi.advanceTimersByTimeAsync(ms);
    await msc.idle();
    await bus.idle();
  }

  it("restores the previous mode once no component has been CRITICAL for delayMs", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 5_000 } });
    await msc.updateRiskMode(RiskMode.AGGRESSIVE);

    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();
    expect(msc).toMatchObject({ riskMode: "DEFENSIVE", forcedDefensive: true, recoveryPending: true });

    await pass(msc, bus, 4_999);
    expect(msc.riskMode).toBe("DEFENSIVE");

    await pass(msc, bus, 1);
    expect(msc).toMatchObject({ riskMode: "AGGRESSIVE", forcedDefensive: false, recoveryPending: false });
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["AGGRESSIVE", "DEFENSIVE", "AGGRESSIVE"]);
    await msc.close();
  });

  it("a new CRITICAL during the delay cancels it; the wait starts again after the next HEALTHY", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 5_000 } });

    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();
    await pass(msc, bus, 3_000);
    await bus.publish(health("ExchangeFeed", HealthStatus.CRITICAL, 3));
    await bus.idle();
    expect(msc.recoveryPending).toBe(false);

    await pass(msc, bus, 10_000);
    expect(msc.riskMode).toBe("DEFENSIVE");

    await bus.publish(health("ExchangeFeed", HealthStatus.HEALTHY, 4));
    await bus.idle();
    await pass(msc, bus, 5_000);
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE", "NORMAL"]);
    await msc.close();
  });

  it("uses the injected timers", async () => {
    await using bus = testBus();
    const pending: (() => void)[] = [];
    const timers = {
      setTimeout: (callback: () => void) => pending.push(callback),
      clearTimeout: () => {},
    };
    const msc = controller(bus, { recovery: { delayMs: 60_000 }, timers });
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();
    expect(pending).toHaveLength(1);

    pending[0]?.();
    await msc.idle();
    expect(msc.riskMode).toBe("NORMAL");
    await msc.close();
  });

  it("close() cancels a pending recovery", async () => {
    await using bus = testBus();
    const msc = controller(bus, { recovery: { delayMs: 5_000 } });
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();
    await msc.close();
    await pass(msc, bus, 5_000);
    expect(msc.riskMode).toBe("DEFENSIVE");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a failed restore is logged and tried again after the delay", async () => {
    await using bus = testBus();
    const logger = createRecordingLogger();
    const store = new InMemoryPolicyStore();
    const msc = controller(bus, { policyStore: store, logger, recovery: { delayMs: 1_000 } });
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();

    const setRiskMode = store.setRiskMode.bind(store);
    store.setRiskMode = () => Promise.reject(new Error("store down"));
    await pass(msc, bus, 1_000);
    expect(msc).toMatchObject({ riskMode: "DEFENSIVE", forcedDefensive: true, recoveryPending: true });
    expect(logger.entries).toEqual([
      expect.objectContaining({ level: "error", fields: expect.objectContaining({ error: "store down" }) }),
    ]);

    store.setRiskMode = setRiskMode;
    await pass(msc, bus, 1_000);
    expect(msc).toMatchObject({ riskMode: "NORMAL", forcedDefensive: false });
    await msc.close();
  });
});

describe("onRegimeChange() while DEFENSIVE is forced", () => {
  it("does not lift it: the latest regime's mode is applied on recovery", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 0 } });

    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.idle();
    expect(await msc.onRegimeChange("ranging")).toBeUndefined();
    expect(await msc.onRegimeChange("trending")).toBeUndefined();
    await bus.idle();
    expect(msc).toMatchObject({ riskMode: "DEFENSIVE", resumeMode: "AGGRESSIVE", regime: "trending" });

    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE", "AGGRESSIVE"]);
    await msc.close();
  });

  it("updateRiskMode() is remembered the same way", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = controller(bus, { recovery: { delayMs: 0 } });
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL, 1));
    await bus.idle();
    expect(await msc.updateRiskMode(RiskMode.AGGRESSIVE)).toBeUndefined();
    expect(msc.riskMode).toBe("DEFENSIVE");
    await bus.publish(health("DrawdownGuard", HealthStatus.HEALTHY, 2));
    await bus.idle();
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE", "AGGRESSIVE"]);
    await msc.close();
  });
});
