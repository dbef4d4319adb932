/**
 * The architecture's flows end to end on one in-memory bus, with the real components: each one
 * knows only the bus and the events, exactly as the trader wires them.
 */

import { createTestBus, recordEvents, type TestBus } from "@qt/eventbus/testing";
import {
  PolicyUpdatedEvent,
  type QtEventMap,
  qtEventRegistry,
  RiskMode,
  StrategyLifecycle,
  StrategyPromotedEvent,
  TradeExecutedEvent,
} from "@qt/events";
import { PaperExecutor } from "@qt/executor";
import { HealthMonitor } from "@qt/health-monitor";
import { InMemoryPolicyStore, MetaStrategyController } from "@qt/msc-ai";
import { OpportunityRanker } from "@qt/opportunity-ranker";
import { StrategyLifecycleManager } from "@qt/strategy-lifecycle";
import { describe, expect, it } from "vitest";
import { SignalValidationError } from "./errors.js";
import { Orchestrator } from "./orchestrator.js";

function system(bus: TestBus<QtEventMap>) {
  const policyStore = new InMemoryPolicyStore({ allowedStrategies: ["trend"] });
  const msc = new MetaStrategyController({ eventBus: bus, policyStore, recovery: { delayMs: 0 } });
  const orchestrator = new Orchestrator({ eventBus: bus });
  return { msc, orchestrator, policyStore };
}

const signal = {
  symbol: "BTCUSDT",
  side: "BUY",
  confidence: 0.75,
  strategy_id: "trend",
  model: null,
  size: 0.1,
} as const;

/** Makes "trend" LIVE and BTCUSDT a top symbol: what a signal needs besides the policy. */
async function marketReady(bus: TestBus<QtEventMap>): Promise<void> {
  const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
  lifecycle.register("trend", StrategyLifecycle.SHADOW);
  await lifecycle.evaluate("trend", { sharpe: 1.5, winRate: 0.6, maxDrawdownPct: 5, trades: 80 });
  const ranker = new OpportunityRanker({ eventBus: bus, topN: 2 });
  await ranker.rank([
    { symbol: "BTCUSDT", volume: 5e9, volatility: 0.03, trendStrength: 0.8 },
    { symbol: "ETHUSDT", volume: 2e9, volatility: 0.04, trendStrength: 0.5 },
    { symbol: "DOGEUSDT", volume: 1e6, volatility: 0.01, trendStrength: 0.1 },
  ]);
  await bus.idle();
}

describe("the guide's integration test", () => {
  it("MSC AI switching to AGGRESSIVE gives max_risk_per_trade 0.02 everywhere", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { msc, orchestrator } = system(bus);
    await msc.updateRiskMode(RiskMode.AGGRESSIVE);
    await bus.idle();
    expect(orchestrator.currentPolicy?.risk_mode).toBe("AGGRESSIVE");
    expect(orchestrator.maxRiskPerTrade).toBe(0.02);
    expect(orchestrator.riskGuard.maxRiskPerTrade).toBe(0.02);
    expect(orchestrator.portfolioBalancer.maxPositions).toBe(5);
    await msc.close();
  });
});

describe("regime -> policy -> orchestrator, risk guard and balancer", () => {
  it("a volatile market makes every consumer defensive", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { msc, orchestrator } = system(bus);
    const policies = recordEvents(bus, "policy.updated");
    await msc.onRegimeChange("trending");
    await msc.onRegimeChange("volatile");
    await msc.onRegimeChange("volatile"); // no change: no event
    await bus.idle();
    expect(policies.payloads().map((p) => p.risk_mode)).toEqual(["AGGRESSIVE", "DEFENSIVE"]);
    expect(orchestrator.globalMinConfidence).toBe(0.7);
    expect(orchestrator.riskGuard.maxRiskPerTrade).toBe(0.01);
    expect(orchestrator.portfolioBalancer.maxPositions).toBe(3);
    await msc.close();
  });
});

describe("health CRITICAL -> DEFENSIVE and halt", () => {
  it("a drawdown report halts trading and forces DEFENSIVE; recovery lifts both", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { msc, orchestrator } = system(bus);
    await msc.updateRiskMode(RiskMode.AGGRESSIVE);
    await marketReady(bus);
    const monitor = new HealthMonitor({ eventBus: bus });
    expect(orchestrator.evaluateSignal(signal).approved).toBe(true);

    await monitor.report("DrawdownGuard", { drawdownPct: 6 });
    await bus.idle();
    await msc.idle();
    await bus.idle();
    expect(orchestrator.safetyGovernor.halted).toBe(true);
    expect(orchestrator.currentPolicy?.risk_mode).toBe("DEFENSIVE");
    const halted = orchestrator.evaluateSignal(signal);
    expect(halted.approved).toBe(false);
    expect(!halted.approved && halted.reasons.map((r) => r.code)).toContain("TRADING_HALTED");

    await monitor.report("DrawdownGuard", { drawdownPct: 1 });
    await bus.idle();
    await msc.idle();
    await bus.idle();
    expect(orchestrator.safetyGovernor.halted).toBe(false);
    expect(orchestrator.currentPolicy?.risk_mode).toBe("AGGRESSIVE");
    expect(orchestrator.evaluateSignal(signal).approved).toBe(true);
    await msc.close();
  });
});

describe("opportunities -> allowed symbols; promotions -> allowed strategies", () => {
  it("a signal is approved only for a top symbol and a LIVE, allowed strategy", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { msc, orchestrator } = system(bus);
    await msc.announce(); // the stored NORMAL policy, as the trader does at start
    await bus.idle();
    const before = orchestrator.evaluateSignal(signal);
    expect(!before.approved && before.reasons.map((r) => r.code)).toEqual([
      "STRATEGY_NOT_LIVE",
      "SYMBOL_NOT_IN_TOP",
    ]);

    await marketReady(bus);
    expect(orchestrator.topSymbols).toEqual(["BTCUSDT", "ETHUSDT"]);
    expect(orchestrator.evaluateSignal(signal).approved).toBe(true);
    const notTop = orchestrator.evaluateSignal({ ...signal, symbol: "DOGEUSDT" });
    expect(!notTop.approved && notTop.reasons.map((r) => r.code)).toEqual(["SYMBOL_NOT_IN_TOP"]);
    await msc.close();
  });
});

describe("trades -> positions", () => {
  it("the paper executor's fills open and close positions in the balancer", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { msc, orchestrator } = system(bus);
    await msc.updateRiskMode(RiskMode.DEFENSIVE); // max 3 positions
    await marketReady(bus);
    const prices = new Map([
      ["BTCUSDT", 97_000],
      ["ETHUSDT", 3_500],
      ["SOLUSDT", 200],
    ]);
    const executor = new PaperExecutor({
      eventBus: bus,
      prices: { price: (s) => prices.get(s) ?? Number.NaN },
    });
    for (const symbol of prices.keys()) {
      await executor.execute({ symbol, side: "BUY", size: 1, strategy_id: "trend" });
    }
    await bus.idle();
    expect(orchestrator.portfolioBalancer.openPositions.map((p) => p.symbol).sort()).toEqual([
      "BTCUSDT",
      "ETHUSDT",
      "SOLUSDT",
    ]);
    const full = orchestrator.evaluateSignal({ ...signal, symbol: "ETHUSDT", side: "BUY" });
    expect(full.approved).toBe(true); // adding to an open position opens nothing new
    expect(orchestrator.portfolioBalancer.canOpen("ADAUSDT")).toBe(false);

    prices.set("SOLUSDT", 210);
    const close = await executor.execute({ symbol: "SOLUSDT", side: "SELL", size: 1, strategy_id: "trend" });
    await bus.idle();
    expect(close.pnl).toBeGreaterThan(9);
    expect(orchestrator.portfolioBalancer.openPositions).toHaveLength(2);
    expect(orchestrator.portfolioBalancer.canOpen("ADAUSDT")).toBe(true);
    await msc.close();
  });
});

describe("bad input, duplicates and out-of-order deliveries", () => {
  it("a signal with NaN confidence or a negative size is a typed error and changes nothing", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { msc, orchestrator } = system(bus);
    await msc.announce();
    await marketReady(bus);
    const snapshot = () => ({
      policy: orchestrator.currentPolicy,
      top: orchestrator.topSymbols,
      positions: orchestrator.portfolioBalancer.openPositions,
    });
    const before = snapshot();
    for (const bad of [{ confidence: Number.NaN }, { size: -1 }]) {
      const error = (() => {
        try {
          orchestrator.evaluateSignal({ ...signal, ...bad });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SignalValidationError);
      expect((error as SignalValidationError).issues[0]?.path).toBe(Object.keys(bad)[0]);
    }
    expect(snapshot()).toEqual(before);
    await msc.close();
  });

  it("the same trade delivered twice moves a position once", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { msc, orchestrator } = system(bus);
    await msc.announce();
    const trade = TradeExecutedEvent.create({
      order_id: "o-1",
      symbol: "BTCUSDT",
      side: "BUY",
      size: 2,
      price: 100,
      strategy_id: "trend",
    });
    await bus.publish(trade);
    await bus.publish(trade);
    await bus.idle();
    expect(orchestrator.portfolioBalancer.position("BTCUSDT")?.net_size).toBe(2);
    await msc.close();
  });

  it("a late, older policy does not roll back a newer one; a late promotion does not demote", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const orchestrator = new Orchestrator({ eventBus: bus });
    const policy = (risk_mode: RiskMode, at: string) =>
      PolicyUpdatedEvent.create(
        {
          risk_mode,
          allowed_strategies: ["trend"],
          global_min_confidence: risk_mode === RiskMode.DEFENSIVE ? 0.7 : 0.6,
          max_risk_per_trade: risk_mode === RiskMode.DEFENSIVE ? 0.01 : 0.02,
          max_positions: risk_mode === RiskMode.DEFENSIVE ? 3 : 5,
        },
        { timestamp: new Date(at) },
      );
    await bus.publish(policy(RiskMode.DEFENSIVE, "2026-11-29T10:00:02Z"));
    await bus.publish(policy(RiskMode.AGGRESSIVE, "2026-11-29T10:00:01Z")); // arrives late
    const promotion = (from: StrategyLifecycle, to: StrategyLifecycle, at: string) =>
      StrategyPromotedEvent.create(
        { strategy_id: "trend", from_stage: from, to_stage: to, reason: "metrics", metrics: {} },
        { timestamp: new Date(at) },
      );
    await bus.publish(promotion(StrategyLifecycle.SHADOW, StrategyLifecycle.LIVE, "2026-11-29T10:00:05Z"));
    await bus.publish(
      promotion(StrategyLifecycle.BACKTEST, StrategyLifecycle.SHADOW, "2026-11-29T10:00:03Z"),
    );
    await bus.idle();
    expect(orchestrator.currentPolicy?.risk_mode).toBe("DEFENSIVE");
    expect(orchestrator.riskGuard.maxRiskPerTrade).toBe(0.01);
    expect(orchestrator.lifecycleOf("trend")).toBe("LIVE");
    orchestrator.close();
  });
});
