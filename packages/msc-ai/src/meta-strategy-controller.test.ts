import type { AnyEventOf } from "@qt/eventbus";
import { createRecordingLogger, createTestBus, recordEvents } from "@qt/eventbus/testing";
import { type QtEventBus, type QtEventMap, qtEventRegistry, RiskMode } from "@qt/events";
import { describe, expect, it } from "vitest";
import {
  ControllerClosedError,
  InvalidConfigError,
  InvalidRiskModeError,
  UnknownRegimeError,
} from "./errors.js";
import { MetaStrategyController } from "./meta-strategy-controller.js";
import { InMemoryPolicyStore } from "./policy-store.js";

const testBus = () => createTestBus<QtEventMap>({ registry: qtEventRegistry });

/** A store that logs its writes into a shared log, to compare with what handlers see. */
class SpyStore extends InMemoryPolicyStore {
  constructor(
    readonly log: string[],
    options: ConstructorParameters<typeof InMemoryPolicyStore>[0] = {},
  ) {
    super(options);
  }
  override async setRiskMode(mode: RiskMode): Promise<void> {
    this.log.push(`store.setRiskMode(${mode})`);
    await super.setRiskMode(mode);
  }
}

describe("new MetaStrategyController()", () => {
  it("reads the current mode from the store", async () => {
    await using bus = testBus();
    const msc = new MetaStrategyController({
      eventBus: bus,
      policyStore: new InMemoryPolicyStore({ riskMode: RiskMode.AGGRESSIVE }),
    });
    await msc.idle();
    expect(msc.riskMode).toBe("AGGRESSIVE");
    expect(msc.forcedDefensive).toBe(false);
    await msc.close();
  });

  it("throws INVALID_MODE_TABLE naming the field, before subscribing to anything", async () => {
    await using bus = testBus();
    const make = () =>
      new MetaStrategyController({
        eventBus: bus,
        policyStore: new InMemoryPolicyStore(),
        modes: { DEFENSIVE: { max_risk_per_trade: 2 } },
      });
    expect(make).toThrow(InvalidConfigError);
    expect(make).toThrow(/modes\.DEFENSIVE\.max_risk_per_trade/);
    expect(bus.getStats().totalHandlers).toBe(0);
  });

  it("throws INVALID_REGIME_MAP and INVALID_OPTIONS naming the field", async () => {
    await using bus = testBus();
    const policyStore = new InMemoryPolicyStore();
    expect(
      () =>
        new MetaStrategyController({
          eventBus: bus,
          policyStore,
          regimes: { trending: "FAST" as RiskMode },
        }),
    ).toThrow(
      expect.objectContaining({
        code: "INVALID_REGIME_MAP",
        issues: [expect.objectContaining({ path: "regimes.trending" })],
      }),
    );
    for (const [options, path] of [
      [{ recovery: { delayMs: -1 } }, "recovery.delayMs"],
      [{ recovery: { delayMs: 2 ** 31 } }, "recovery.delayMs"],
      [{ updatedBy: "" }, "updatedBy"],
    ] as const) {
      expect(() => new MetaStrategyController({ eventBus: bus, policyStore, ...options })).toThrow(
        expect.objectContaining({ code: "INVALID_OPTIONS", issues: [expect.objectContaining({ path })] }),
      );
    }
  });
});

describe("updateRiskMode()", () => {
  it("stores the mode before it publishes: a handler of the event already reads it from the store", async () => {
    await using bus = testBus();
    const log: string[] = [];
    const store = new SpyStore(log, { allowedStrategies: ["trend"] });
    bus.subscribe("policy.updated", async (e) => {
      log.push(`handler(${e.payload.risk_mode}) sees store=${await store.getRiskMode()}`);
    });
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: store });

    await msc.updateRiskMode(RiskMode.DEFENSIVE);
    await bus.idle();

    expect(log).toEqual(["store.setRiskMode(DEFENSIVE)", "handler(DEFENSIVE) sees store=DEFENSIVE"]);
    expect(msc.riskMode).toBe("DEFENSIVE");
    await msc.close();
  });

  it("publishes each mode's parameters, the store's allowed strategies, source msc-ai and updated_by MSC_AI", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const store = new InMemoryPolicyStore({ allowedStrategies: ["trend", "mean_revert"] });
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: store });

    await msc.updateRiskMode(RiskMode.DEFENSIVE);
    await store.setAllowedStrategies(["trend"]);
    await msc.updateRiskMode(RiskMode.AGGRESSIVE);
    await msc.updateRiskMode(RiskMode.NORMAL);
    await bus.idle();

    expect(policies.payloads()).toEqual([
      {
        risk_mode: "DEFENSIVE",
        allowed_strategies: ["trend", "mean_revert"],
        global_min_confidence: 0.7,
        max_risk_per_trade: 0.01,
        max_positions: 3,
        updated_by: "MSC_AI",
      },
      {
        risk_mode: "AGGRESSIVE",
        allowed_strategies: ["trend"],
        global_min_confidence: 0.6,
        max_risk_per_trade: 0.02,
        max_positions: 5,
        updated_by: "MSC_AI",
      },
      {
        risk_mode: "NORMAL",
        allowed_strategies: ["trend"],
        global_min_confidence: 0.6,
        max_risk_per_trade: 0.02,
        max_positions: 5,
        updated_by: "MSC_AI",
      },
    ]);
    expect(policies.events.map((e) => [e.source, e.version])).toEqual([
      ["msc-ai", 1],
      ["msc-ai", 1],
      ["msc-ai", 1],
    ]);
    await msc.close();
  });

  it("returns the event it published", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: new InMemoryPolicyStore() });
    const event = await msc.updateRiskMode(RiskMode.AGGRESSIVE);
    await bus.idle();
    expect(event?.id).toBe(policies.events[0]?.id);
    await msc.close();
  });

  it("publishes the configured table and updated_by", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = new MetaStrategyController({
      eventBus: bus,
      policyStore: new InMemoryPolicyStore(),
      modes: { DEFENSIVE: { max_positions: 1, global_min_confidence: 0.9 } },
      updatedBy: "OPERATOR",
    });
    await msc.updateRiskMode(RiskMode.DEFENSIVE);
    await bus.idle();
    expect(policies.payloads()[0]).toMatchObject({
      global_min_confidence: 0.9,
      max_risk_per_trade: 0.01,
      max_positions: 1,
      updated_by: "OPERATOR",
    });
    expect(msc.modeTable.DEFENSIVE.max_positions).toBe(1);
    await msc.close();
  });

  it("publishes nothing and writes nothing when the mode does not change", async () => {
    await using bus = testBus();
    const log: string[] = [];
    const policies = recordEvents(bus, "policy.updated");
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: new SpyStore(log) });

    expect(await msc.updateRiskMode(RiskMode.NORMAL)).toBeUndefined(); // the store's initial mode
    await msc.updateRiskMode(RiskMode.DEFENSIVE);
    expect(await msc.updateRiskMode(RiskMode.DEFENSIVE)).toBeUndefined();
    await bus.idle();

    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE"]);
    expect(log).toEqual(["store.setRiskMode(DEFENSIVE)"]);
    await msc.close();
  });

  it("rejects a bad mode with InvalidRiskModeError; nothing is stored or published", async () => {
    await using bus = testBus();
    const log: string[] = [];
    const policies = recordEvents(bus, "policy.updated");
    const store = new SpyStore(log);
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: store });

    for (const bad of ["YOLO", "defensive", undefined, 3]) {
      await expect(msc.updateRiskMode(bad as RiskMode)).rejects.toBeInstanceOf(InvalidRiskModeError);
    }
    await expect(msc.updateRiskMode("YOLO" as RiskMode)).rejects.toMatchObject({ code: "INVALID_RISK_MODE" });
    await bus.idle();

    expect(log).toEqual([]);
    expect(policies.events).toEqual([]);
    expect(await store.getRiskMode()).toBe("NORMAL");
    await msc.close();
  });

  it("changes nothing when the store's strategies cannot make a valid event", async () => {
    await using bus = testBus();
    const log: string[] = [];
    const store = new SpyStore(log);
    // A store that lets an empty name through: the event factory refuses it before any write.
    store.getPolicy = async () => ({ riskMode: RiskMode.NORMAL, allowedStrategies: [""] });
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: store });
    await expect(msc.updateRiskMode(RiskMode.DEFENSIVE)).rejects.toMatchObject({ code: "EVENT_VALIDATION" });
    expect(log).toEqual([]);
    await msc.close();
  });

  it("publishes a stored mode whose publish failed on the next request for it", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    let failNext = true;
    const flaky: QtEventBus = {
      publish: (event: AnyEventOf<QtEventMap>) => {
        if (!failNext) return bus.publish(event);
        failNext = false;
        return Promise.reject(new Error("broker unavailable"));
      },
      subscribe: bus.subscribe.bind(bus),
      unsubscribe: bus.unsubscribe.bind(bus),
      runForever: () => bus.runForever(),
      stop: (options) => bus.stop(options),
      idle: () => bus.idle(),
      getStats: () => bus.getStats(),
    };
    const store = new InMemoryPolicyStore();
    const msc = new MetaStrategyController({ eventBus: flaky, policyStore: store });

    await expect(msc.updateRiskMode(RiskMode.DEFENSIVE)).rejects.toThrow("broker unavailable");
    expect(await store.getRiskMode()).toBe("DEFENSIVE"); // stored first
    await msc.updateRiskMode(RiskMode.DEFENSIVE); // same mode, but still owed to subscribers
    await msc.updateRiskMode(RiskMode.DEFENSIVE); // now really no change
    await bus.idle();

    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["DEFENSIVE"]);
    await msc.close();
  });

  it("handles concurrent requests one at a time, in call order", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: new InMemoryPolicyStore() });
    await Promise.all([
      msc.updateRiskMode(RiskMode.AGGRESSIVE),
      msc.updateRiskMode(RiskMode.AGGRESSIVE),
      msc.updateRiskMode(RiskMode.DEFENSIVE),
    ]);
    await bus.idle();
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["AGGRESSIVE", "DEFENSIVE"]);
    expect(msc.riskMode).toBe("DEFENSIVE");
    await msc.close();
  });
});

describe("onRegimeChange()", () => {
  it("sets the mode the default map gives each regime", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: new InMemoryPolicyStore() });

    await msc.onRegimeChange("trending");
    await msc.onRegimeChange("volatile");
    await msc.onRegimeChange("ranging");
    await msc.onRegimeChange("ranging"); // no change
    await bus.idle();

    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["AGGRESSIVE", "DEFENSIVE", "NORMAL"]);
    expect(msc.regime).toBe("ranging");
    await msc.close();
  });

  it("follows a configured map", async () => {
    await using bus = testBus();
    const msc = new MetaStrategyController({
      eventBus: bus,
      policyStore: new InMemoryPolicyStore(),
      regimes: { trending: RiskMode.NORMAL, crash: RiskMode.DEFENSIVE },
    });
    await msc.onRegimeChange("trending");
    expect(msc.riskMode).toBe("NORMAL");
    await msc.onRegimeChange("crash");
    expect(msc.riskMode).toBe("DEFENSIVE");
    await msc.close();
  });

  it("rejects an unknown regime with UnknownRegimeError; nothing changes", async () => {
    await using bus = testBus();
    const policies = recordEvents(bus, "policy.updated");
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: new InMemoryPolicyStore() });
    await expect(msc.onRegimeChange("sideways")).rejects.toBeInstanceOf(UnknownRegimeError);
    await expect(msc.onRegimeChange("Trending")).rejects.toMatchObject({
      code: "UNKNOWN_REGIME",
      regime: "Trending",
    });
    await bus.idle();
    expect(policies.events).toEqual([]);
    expect(msc.regime).toBeUndefined();
    await msc.close();
  });
});

describe("close()", () => {
  it("unsubscribes, refuses further requests and is idempotent", async () => {
    await using bus = testBus();
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: new InMemoryPolicyStore() });
    expect(bus.getStats().totalHandlers).toBe(1);
    await msc.close();
    await msc.close();
    expect(bus.getStats().totalHandlers).toBe(0);
    await expect(msc.updateRiskMode(RiskMode.DEFENSIVE)).rejects.toBeInstanceOf(ControllerClosedError);
    await expect(msc.onRegimeChange("trending")).rejects.toMatchObject({
      code: "CONTROLLER_CLOSED",
      operation: "onRegimeChange",
    });
  });

  it("works with await using", async () => {
    await using bus = testBus();
    {
      await using msc = new MetaStrategyController({ eventBus: bus, policyStore: new InMemoryPolicyStore() });
      await msc.updateRiskMode(RiskMode.AGGRESSIVE);
    }
    expect(bus.getStats().totalHandlers).toBe(0);
  });
});

describe("logger", () => {
  it("reports a failed initial read of the store instead of throwing", async () => {
    await using bus = testBus();
    const logger = createRecordingLogger();
    const store = new InMemoryPolicyStore();
    store.getRiskMode = () => Promise.reject(new Error("store down"));
    const msc = new MetaStrategyController({ eventBus: bus, policyStore: store, logger });
    await msc.idle();
    expect(msc.riskMode).toBeUndefined();
    expect(logger.entries).toEqual([
      expect.objectContaining({ level: "error", fields: expect.objectContaining({ error: "store down" }) }),
    ]);
    await msc.close();
  });
});

describe("announce()", () => {
  it("publishes the stored policy even when nothing changed, so consumers start from it", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const policies = recordEvents(bus, "policy.updated");
    const msc = new MetaStrategyController({
      eventBus: bus,
      policyStore: new InMemoryPolicyStore({ riskMode: RiskMode.DEFENSIVE, allowedStrategies: ["trend"] }),
    });
    expect(await msc.updateRiskMode(RiskMode.DEFENSIVE)).toBeUndefined();
    const event = await msc.announce();
    await bus.idle();
    expect(policies.payloads()).toEqual([
      {
        risk_mode: "DEFENSIVE",
        allowed_strategies: ["trend"],
        global_min_confidence: 0.7,
        max_risk_per_trade: 0.01,
        max_positions: 3,
        updated_by: "MSC_AI",
      },
    ]);
    expect(event.source).toBe("msc-ai");
    await msc.close();
  });
});
