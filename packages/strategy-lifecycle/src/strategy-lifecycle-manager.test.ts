import { createTestBus, recordEvents } from "@qt/eventbus/testing";
import { type QtEventMap, qtEventRegistry, StrategyLifecycle } from "@qt/events";
import { describe, expect, it } from "vitest";
import { StrategyLifecycleError } from "./errors.js";
import { StrategyLifecycleManager } from "./strategy-lifecycle-manager.js";
import type { StrategyMetrics } from "./thresholds.js";

const at = new Date("2025-01-02T03:04:05.000Z");
const shadowReady: StrategyMetrics = { sharpe: 1.1, winRate: 0.45, maxDrawdownPct: 12, trades: 40 };
const liveReady: StrategyMetrics = { sharpe: 1.5, winRate: 0.55, maxDrawdownPct: 8, trades: 80 };
const weak: StrategyMetrics = { sharpe: 0.3, winRate: 0.4, maxDrawdownPct: 15, trades: 200 };

describe("StrategyLifecycleManager.register()", () => {
  it("starts at BACKTEST by default, publishes nothing, refuses a second registration", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const events = recordEvents(bus);
    const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
    lifecycle.register("trend");
    lifecycle.register("carry", StrategyLifecycle.LIVE);
    await bus.idle();

    expect([lifecycle.stage("trend"), lifecycle.stage("carry")]).toEqual(["BACKTEST", "LIVE"]);
    expect(events.events).toEqual([]);
    expect(() => lifecycle.register("trend")).toThrow(
      expect.objectContaining({ code: "ALREADY_REGISTERED", strategyId: "trend" }),
    );
    expect(() => lifecycle.register("x", "PAPER" as StrategyLifecycle)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", field: "stage" }),
    );
    expect(() => lifecycle.register("")).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", field: "strategyId" }),
    );
  });
});

describe("StrategyLifecycleManager.evaluate()", () => {
  it("promotes BACKTEST -> SHADOW -> LIVE one stage per evaluation, publishing each change", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const promoted = recordEvents(bus, "strategy.promoted");
    const lifecycle = new StrategyLifecycleManager({ eventBus: bus, clock: () => at });
    lifecycle.register("trend");

    const first = await lifecycle.evaluate("trend", liveReady); // passes LIVE too, but one stage at a time
    const second = await lifecycle.evaluate("trend", liveReady);
    await bus.idle();

    expect([first.to, second.to]).toEqual(["SHADOW", "LIVE"]);
    expect(promoted.events[0]).toMatchObject({ source: "strategy-lifecycle", timestamp: at });
    expect(promoted.payloads()).toEqual([
      {
        strategy_id: "trend",
        from_stage: "BACKTEST",
        to_stage: "SHADOW",
        reason: "passed SHADOW thresholds: sharpe 1.5 >= 1, trades 80 >= 30",
        metrics: { sharpe: 1.5, win_rate: 0.55, max_drawdown_pct: 8, trades: 80 },
      },
      {
        strategy_id: "trend",
        from_stage: "SHADOW",
        to_stage: "LIVE",
        reason:
          "passed LIVE thresholds: sharpe 1.5 >= 1.2, win_rate 0.55 >= 0.5, max_drawdown_pct 8 <= 10, trades 80 >= 50",
        metrics: { sharpe: 1.5, win_rate: 0.55, max_drawdown_pct: 8, trades: 80 },
      },
    ]);
    expect(lifecycle.liveStrategies()).toEqual(["trend"]);
  });

  it("publishes nothing when the stage stays, and says what is missing", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const promoted = recordEvents(bus, "strategy.promoted");
    const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
    lifecycle.register("trend", StrategyLifecycle.SHADOW);

    const result = await lifecycle.evaluate("trend", shadowReady);
    await bus.idle();

    expect(result).toEqual({
      strategyId: "trend",
      from: "SHADOW",
      to: "SHADOW",
      changed: false,
      reason:
        "not ready for LIVE: sharpe 1.1 < 1.2, win_rate 0.45 < 0.5, max_drawdown_pct 12 > 10, trades 40 < 50",
    });
    expect(promoted.events).toEqual([]);
  });

  it("demotes LIVE -> SHADOW when the live floor is breached, and keeps a healthy LIVE strategy", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const promoted = recordEvents(bus, "strategy.promoted");
    const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
    lifecycle.register("trend", StrategyLifecycle.LIVE);
    lifecycle.register("carry", StrategyLifecycle.LIVE);

    await lifecycle.evaluate("carry", shadowReady); // below the bar to go live, above the floor: stays
    const demoted = await lifecycle.evaluate("trend", { ...weak, maxDrawdownPct: 25 });
    await bus.idle();

    expect(demoted).toMatchObject({ from: "LIVE", to: "SHADOW", changed: true });
    expect(promoted.payloads()).toEqual([
      expect.objectContaining({
        strategy_id: "trend",
        from_stage: "LIVE",
        to_stage: "SHADOW",
        reason: "breached LIVE floor: sharpe 0.3 < 0.5, max_drawdown_pct 25 > 20",
      }),
    ]);
    expect(lifecycle.liveStrategies()).toEqual(["carry"]);
  });

  it("applies un-awaited evaluations in call order", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const promoted = recordEvents(bus, "strategy.promoted");
    const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
    lifecycle.register("trend");
    await Promise.all([lifecycle.evaluate("trend", liveReady), lifecycle.evaluate("trend", liveReady)]);
    await bus.idle();
    expect(promoted.payloads().map((p) => p.to_stage)).toEqual(["SHADOW", "LIVE"]);
  });

  it.each([
    ["a NaN sharpe", { ...liveReady, sharpe: Number.NaN }, "metrics.sharpe"],
    ["a win rate above 1", { ...liveReady, winRate: 1.5 }, "metrics.winRate"],
    ["a negative drawdown", { ...liveReady, maxDrawdownPct: -8 }, "metrics.maxDrawdownPct"],
    ["a fractional trade count", { ...liveReady, trades: 10.5 }, "metrics.trades"],
    ["missing metrics", {} as StrategyMetrics, "metrics.sharpe"],
  ])("refuses %s with INVALID_METRICS: no event, stage unchanged", async (_, metrics, field) => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const promoted = recordEvents(bus, "strategy.promoted");
    const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
    lifecycle.register("trend");

    const error = await lifecycle.evaluate("trend", metrics).catch((e: unknown) => e);
    await bus.idle();

    expect(StrategyLifecycleError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "INVALID_METRICS", field, strategyId: "trend" });
    expect(promoted.events).toEqual([]);
    expect(lifecycle.stage("trend")).toBe("BACKTEST");
  });

  it("refuses an unknown strategy and a retired one", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
    lifecycle.register("old", StrategyLifecycle.RETIRED);
    await expect(lifecycle.evaluate("ghost", liveReady)).rejects.toMatchObject({ code: "UNKNOWN_STRATEGY" });
    await expect(lifecycle.evaluate("old", liveReady)).rejects.toMatchObject({ code: "STRATEGY_RETIRED" });
    expect(() => lifecycle.stage("ghost")).toThrow(expect.objectContaining({ code: "UNKNOWN_STRATEGY" }));
  });

  it("keeps the stage when the bus refuses the event", async () => {
    const bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
    lifecycle.register("trend");
    await bus.stop();
    await expect(lifecycle.evaluate("trend", liveReady)).rejects.toMatchObject({ code: "BUS_STOPPED" });
    expect(lifecycle.stage("trend")).toBe("BACKTEST");
  });
});

describe("StrategyLifecycleManager.retire()", () => {
  it("retires from any stage once, with the reason and empty metrics", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const promoted = recordEvents(bus, "strategy.promoted");
    const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
    lifecycle.register("trend", StrategyLifecycle.LIVE);

    await lifecycle.retire("trend", "replaced by trend-v2");
    const again = await lifecycle.retire("trend", "replaced by trend-v2");
    await bus.idle();

    expect(again.changed).toBe(false);
    expect(promoted.payloads()).toEqual([
      {
        strategy_id: "trend",
        from_stage: "LIVE",
        to_stage: "RETIRED",
        reason: "replaced by trend-v2",
        metrics: {},
      },
    ]);
    expect(lifecycle.liveStrategies()).toEqual([]);
    await expect(lifecycle.retire("trend", "")).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      field: "reason",
    });
  });
});

describe("new StrategyLifecycleManager()", () => {
  it("refuses thresholds that would demote a strategy right after promoting it", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    expect(
      () => new StrategyLifecycleManager({ eventBus: bus, thresholds: { liveFloor: { minSharpe: 2 } } }),
    ).toThrow(expect.objectContaining({ name: "StrategyLifecycleError", code: "INVALID_OPTIONS" }));
  });
});
