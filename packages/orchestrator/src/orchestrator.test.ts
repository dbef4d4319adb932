import { createTestBus, type TestBus } from "@qt/eventbus/testing";
import {
  HealthStatus,
  HealthStatusChangedEvent,
  OpportunitiesUpdatedEvent,
  PolicyUpdatedEvent,
  type PolicyUpdatedPayload,
  type QtEventMap,
  qtEventRegistry,
  RiskMode,
  StrategyLifecycle,
  StrategyPromotedEvent,
  TradeExecutedEvent,
  TradeSide,
} from "@qt/events";
import { describe, expect, it } from "vitest";
import { SignalValidationError } from "./errors.js";
import { Orchestrator } from "./orchestrator.js";
import { PortfolioBalancer } from "./portfolio-balancer.js";
import type { RejectionReason } from "./rejection.js";
import { RiskGuard } from "./risk-guard.js";
import { SafetyGovernor } from "./safety-governor.js";
import type { SignalInput } from "./signal.js";

type Bus = TestBus<QtEventMap>;

const T0 = Date.UTC(2025, 0, 1);
const at = (seconds: number) => ({ timestamp: new Date(T0 + seconds * 1000) });

function policy(overrides: Partial<PolicyUpdatedPayload> = {}, seconds = 0) {
  return PolicyUpdatedEvent.create(
    {
      risk_mode: RiskMode.NORMAL,
      allowed_strategies: ["trend"],
      global_min_confidence: 0.7,
      max_risk_per_trade: 0.02,
      max_positions: 3,
      ...overrides,
    },
    at(seconds),
  );
}

function opportunities(top_symbols: string[], seconds = 0) {
  return OpportunitiesUpdatedEvent.create(
    { top_symbols, scores: {}, criteria: {}, excluded_count: 0 },
    at(seconds),
  );
}

function promoted(strategy_id: string, to_stage: StrategyLifecycle, seconds = 0) {
  return StrategyPromotedEvent.create(
    { strategy_id, from_stage: StrategyLifecycle.SHADOW, to_stage, reason: "test", metrics: {} },
    at(seconds),
  );
}

function health(component: string, new_status: HealthStatus, seconds = 0) {
  return HealthStatusChangedEvent.create(
    { old_status: HealthStatus.HEALTHY, new_status, component, reason: "test", metrics: {} },
    at(seconds),
  );
}

function trade(symbol: string, side: TradeSide, size = 1, price = 100) {
  return TradeExecutedEvent.create({
    order_id: `o-${symbol}-${side}`,
    symbol,
    side,
    size,
    price,
    strategy_id: "trend",
  });
}

/** A signal that passes every check in {@link tradableWorld}. */
const good: SignalInput = {
  symbol: "BTCUSDT",
  side: TradeSide.BUY,
  confidence: 0.8,
  strategy_id: "trend",
  size: 10,
  risk: { equity: 10_000, entry_price: 100, stop_price: 95 }, // risk 0.005 <= 0.02
};

/** Policy, top symbols and a LIVE "trend": a world where {@link good} is approved. */
async function tradableWorld(bus: Bus, overrides: Partial<PolicyUpdatedPayload> = {}) {
  await bus.publish(policy(overrides));
  await bus.publish(opportunities(["BTCUSDT", "ETHUSDT"]));
  await bus.publish(promoted("trend", StrategyLifecycle.LIVE));
  await bus.idle();
}

function reasonsOf(orchestrator: Orchestrator, signal: SignalInput): RejectionReason[] {
  const decision = orchestrator.evaluateSignal(signal);
  return decision.approved ? [] : [...decision.reasons];
}

function snapshot(o: Orchestrator) {
  return structuredClone({
    policy: o.currentPolicy,
    top: o.topSymbols,
    lifecycle: o.lifecycleOf("trend"),
    maxRisk: o.riskGuard.maxRiskPerTrade,
    maxPositions: o.portfolioBalancer.maxPositions,
    positions: o.portfolioBalancer.openPositions,
    critical: o.safetyGovernor.criticalComponents,
  });
}

function newBus(): Bus {
  return createTestBus<QtEventMap>({ registry: qtEventRegistry });
}

describe("the guide's unit test", () => {
  it("the orchestrator reacts to a DEFENSIVE policy", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await bus.publish(
      PolicyUpdatedEvent.create({
        risk_mode: RiskMode.DEFENSIVE,
        allowed_strategies: ["test"],
        global_min_confidence: 0.8,
        max_risk_per_trade: 0.01,
        max_positions: 2,
      }),
    );
    await bus.idle();
    expect(orchestrator.currentPolicy?.risk_mode).toBe("DEFENSIVE");
    expect(orchestrator.globalMinConfidence).toBe(0.8);
    expect(orchestrator.maxRiskPerTrade).toBe(0.01);
    expect(orchestrator.riskGuard.maxRiskPerTrade).toBe(0.01);
    expect(orchestrator.portfolioBalancer.maxPositions).toBe(2);
    expect(bus.handlerErrors).toEqual([]);
  });
});

describe("new Orchestrator()", () => {
  it("starts with no policy, no top symbols and no known strategies", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    expect(orchestrator.currentPolicy).toBeUndefined();
    expect(orchestrator.globalMinConfidence).toBeUndefined();
    expect(orchestrator.maxRiskPerTrade).toBeUndefined();
    expect(orchestrator.topSymbols).toEqual([]);
    expect(orchestrator.lifecycleOf("trend")).toBeUndefined();
  });

  it("follows opportunities.updated", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await bus.publish(opportunities(["BTCUSDT", "SOLUSDT"]));
    await bus.idle();
    expect(orchestrator.topSymbols).toEqual(["BTCUSDT", "SOLUSDT"]);
  });

  it("follows strategy.promoted: tradable only when allowed and LIVE", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await bus.publish(policy({ allowed_strategies: ["trend", "carry"] }));
    await bus.publish(promoted("trend", StrategyLifecycle.LIVE, 1));
    await bus.publish(promoted("carry", StrategyLifecycle.SHADOW, 1));
    await bus.publish(promoted("scalp", StrategyLifecycle.LIVE, 1));
    await bus.idle();
    expect(orchestrator.lifecycleOf("trend")).toBe("LIVE");
    expect(orchestrator.isTradable("trend")).toBe(true);
    expect(orchestrator.isTradable("carry")).toBe(false); // allowed, not LIVE
    expect(orchestrator.isTradable("scalp")).toBe(false); // LIVE, not allowed
    expect(orchestrator.isTradable("unknown")).toBe(false);

    await bus.publish(promoted("trend", StrategyLifecycle.RETIRED, 2));
    await bus.idle();
    expect(orchestrator.isTradable("trend")).toBe(false);
  });

  it("uses the collaborators it is given", async () => {
    await using bus = newBus();
    const riskGuard = new RiskGuard({ eventBus: bus });
    const portfolioBalancer = new PortfolioBalancer({ eventBus: bus });
    const safetyGovernor = new SafetyGovernor({ eventBus: bus });
    const orchestrator = new Orchestrator({ eventBus: bus, riskGuard, portfolioBalancer, safetyGovernor });
    expect(orchestrator.riskGuard).toBe(riskGuard);
    expect(orchestrator.portfolioBalancer).toBe(portfolioBalancer);
    expect(orchestrator.safetyGovernor).toBe(safetyGovernor);
  });
});

describe("evaluateSignal()", () => {
  it("approves a signal that passes every check", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await tradableWorld(bus);
    expect(orchestrator.evaluateSignal(good)).toEqual({ approved: true, signal: { ...good, model: null } });
  });

  it("approves without a risk check when the signal carries no risk input", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await tradableWorld(bus);
    const { risk: _, ...signal } = good;
    expect(orchestrator.evaluateSignal({ ...signal, size: 1_000_000 }).approved).toBe(true);
  });

  it("approves at exactly the minimum confidence", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await tradableWorld(bus);
    expect(orchestrator.evaluateSignal({ ...good, confidence: 0.7 }).approved).toBe(true);
  });

  const alone: {
    name: string;
    arrange?: (bus: Bus) => Promise<unknown>;
    policy?: Partial<PolicyUpdatedPayload>;
    signal?: Partial<SignalInput>;
    reason: RejectionReason;
  }[] = [
    {
      name: "TRADING_HALTED",
      arrange: (bus) => bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL)),
      reason: { code: "TRADING_HALTED", components: ["DrawdownGuard"] },
    },
    {
      name: "BELOW_MIN_CONFIDENCE",
      signal: { confidence: 0.69 },
      reason: { code: "BELOW_MIN_CONFIDENCE", confidence: 0.69, minimum: 0.7 },
    },
    {
      name: "STRATEGY_NOT_ALLOWED",
      policy: { allowed_strategies: ["carry"] },
      reason: { code: "STRATEGY_NOT_ALLOWED", strategy_id: "trend", allowed: ["carry"] },
    },
    {
      name: "STRATEGY_NOT_LIVE (demoted)",
      arrange: (bus) => bus.publish(promoted("trend", StrategyLifecycle.SHADOW, 1)),
      reason: { code: "STRATEGY_NOT_LIVE", strategy_id: "trend", lifecycle: "SHADOW" },
    },
    {
      name: "STRATEGY_NOT_LIVE (never promoted)",
      policy: { allowed_strategies: ["trend", "carry"] },
      signal: { strategy_id: "carry" },
      reason: { code: "STRATEGY_NOT_LIVE", strategy_id: "carry", lifecycle: null },
    },
    {
      name: "SYMBOL_NOT_IN_TOP",
      signal: { symbol: "DOGEUSDT" },
      reason: { code: "SYMBOL_NOT_IN_TOP", symbol: "DOGEUSDT", top_symbols: ["BTCUSDT", "ETHUSDT"] },
    },
    {
      name: "MAX_POSITIONS_REACHED",
      policy: { max_positions: 1 },
      arrange: (bus) => bus.publish(trade("ETHUSDT", TradeSide.BUY)),
      reason: { code: "MAX_POSITIONS_REACHED", symbol: "BTCUSDT", open: 1, maximum: 1 },
    },
    {
      name: "RISK_TOO_HIGH",
      signal: { size: 50 }, // 50 * 5 / 10_000 = 0.025 > 0.02
      reason: { code: "RISK_TOO_HIGH", risk: 0.025, maximum: 0.02, size: 50, max_size: 40 },
    },
  ];

  it.each(alone)("rejects with $name alone", async ({ arrange, policy, signal, reason }) => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await tradableWorld(bus, policy);
    await arrange?.(bus);
    await bus.idle();
    expect(reasonsOf(orchestrator, { ...good, ...signal })).toEqual([reason]);
  });

  it("rejects with NO_POLICY alone before the first policy", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await bus.publish(opportunities(["BTCUSDT"]));
    await bus.publish(promoted("trend", StrategyLifecycle.LIVE));
    await bus.idle();
    expect(reasonsOf(orchestrator, good)).toEqual([{ code: "NO_POLICY" }]);
  });

  it("reports NO_POLICY when a collaborator it was given has no policy", async () => {
    await using bus = newBus();
    await using other = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus, riskGuard: new RiskGuard({ eventBus: other }) });
    await tradableWorld(bus);
    expect(reasonsOf(orchestrator, good)).toEqual([{ code: "NO_POLICY" }]);
  });

  it("reports every reason at once, in order", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await tradableWorld(bus, { allowed_strategies: ["carry"], max_positions: 1 });
    await bus.publish(trade("ETHUSDT", TradeSide.SELL));
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL));
    await bus.publish(health("Exchange", HealthStatus.CRITICAL));
    await bus.idle();
    const signal = { ...good, symbol: "DOGEUSDT", strategy_id: "scalp", confidence: 0.1, size: 100 };
    expect(reasonsOf(orchestrator, signal)).toEqual([
      { code: "TRADING_HALTED", components: ["DrawdownGuard", "Exchange"] },
      { code: "BELOW_MIN_CONFIDENCE", confidence: 0.1, minimum: 0.7 },
      { code: "STRATEGY_NOT_ALLOWED", strategy_id: "scalp", allowed: ["carry"] },
      { code: "STRATEGY_NOT_LIVE", strategy_id: "scalp", lifecycle: null },
      { code: "SYMBOL_NOT_IN_TOP", symbol: "DOGEUSDT", top_symbols: ["BTCUSDT", "ETHUSDT"] },
      { code: "MAX_POSITIONS_REACHED", symbol: "DOGEUSDT", open: 1, maximum: 1 },
      { code: "RISK_TOO_HIGH", risk: 0.05, maximum: 0.02, size: 100, max_size: 40 },
    ]);
  });

  it("reports every reason that does not need a policy alongside NO_POLICY", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL));
    await bus.idle();
    expect(reasonsOf(orchestrator, { ...good, confidence: 0 }).map((r) => r.code)).toEqual([
      "NO_POLICY",
      "TRADING_HALTED",
      "STRATEGY_NOT_LIVE",
      "SYMBOL_NOT_IN_TOP",
    ]);
  });

  it("lets a trade in a symbol already open through at max positions", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await tradableWorld(bus, { max_positions: 1 });
    await bus.publish(trade("BTCUSDT", TradeSide.BUY));
    await bus.idle();
    expect(orchestrator.evaluateSignal({ ...good, side: TradeSide.SELL }).approved).toBe(true);
    expect(reasonsOf(orchestrator, { ...good, symbol: "ETHUSDT" }).map((r) => r.code)).toEqual([
      "MAX_POSITIONS_REACHED",
    ]);
  });

  it("reserves nothing: evaluating twice gives the same decision", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await tradableWorld(bus, { max_positions: 1 });
    const before = snapshot(orchestrator);
    expect(orchestrator.evaluateSignal(good).approved).toBe(true);
    expect(orchestrator.evaluateSignal(good).approved).toBe(true);
    expect(snapshot(orchestrator)).toEqual(before);
  });

  const bad: { name: string; signal: Record<string, unknown>; paths: string[] }[] = [
    { name: "NaN confidence", signal: { confidence: Number.NaN }, paths: ["confidence"] },
    { name: "confidence above 1", signal: { confidence: 1.01 }, paths: ["confidence"] },
    { name: "confidence below 0", signal: { confidence: -0.1 }, paths: ["confidence"] },
    { name: "zero size", signal: { size: 0 }, paths: ["size"] },
    { name: "negative size", signal: { size: -1 }, paths: ["size"] },
    { name: "infinite size", signal: { size: Number.POSITIVE_INFINITY }, paths: ["size"] },
    { name: "empty symbol", signal: { symbol: "" }, paths: ["symbol"] },
    { name: "wrong side", signal: { side: "HOLD" }, paths: ["side"] },
    { name: "empty strategy", signal: { strategy_id: "" }, paths: ["strategy_id"] },
    {
      name: "stop at entry",
      signal: { risk: { equity: 1, entry_price: 5, stop_price: 5 } },
      paths: ["risk.stop_price"],
    },
    { name: "unknown key", signal: { confidance: 0.9 }, paths: ["confidance"] },
    {
      name: "several bad fields",
      signal: { confidence: Number.NaN, size: 0, symbol: "" },
      paths: ["symbol", "confidence", "size"],
    },
  ];

  it.each(bad)("throws SignalValidationError on $name, and nothing changes", async ({ signal, paths }) => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await tradableWorld(bus);
    await bus.publish(trade("BTCUSDT", TradeSide.BUY));
    await bus.idle();
    const before = snapshot(orchestrator);
    const published = bus.getStats().published;

    let thrown: unknown;
    try {
      orchestrator.evaluateSignal({ ...good, ...signal } as SignalInput);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SignalValidationError);
    expect(thrown).toMatchObject({ code: "SIGNAL_VALIDATION", name: "SignalValidationError" });
    expect((thrown as SignalValidationError).issues.map((i) => i.path)).toEqual(paths);

    await bus.idle();
    expect(snapshot(orchestrator)).toEqual(before);
    expect(bus.getStats().published).toBe(published);
    expect(orchestrator.evaluateSignal(good).approved).toBe(true);
  });
});

describe("out-of-order and duplicate deliveries", () => {
  it("ignores a policy older than the one applied", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    const newer = policy({ risk_mode: RiskMode.DEFENSIVE, max_risk_per_trade: 0.01, max_positions: 2 }, 10);
    const older = policy({ risk_mode: RiskMode.AGGRESSIVE, max_risk_per_trade: 0.05, max_positions: 9 }, 5);
    await bus.publish(newer);
    await bus.publish(older);
    await bus.idle();
    expect(orchestrator.currentPolicy).toEqual(newer.payload);
    expect(orchestrator.riskGuard.maxRiskPerTrade).toBe(0.01);
    expect(orchestrator.portfolioBalancer.maxPositions).toBe(2);
  });

  it("a duplicate policy delivery changes nothing", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    const first = policy({ risk_mode: RiskMode.DEFENSIVE }, 1);
    const second = policy({ risk_mode: RiskMode.AGGRESSIVE }, 2);
    await bus.publish(first);
    await bus.publish(first);
    await bus.idle();
    const once = snapshot(orchestrator);
    expect(once.policy).toEqual(first.payload);
    await bus.publish(second);
    await bus.publish(first);
    await bus.idle();
    expect(orchestrator.currentPolicy).toEqual(second.payload);
  });

  it("ignores older top symbols and older lifecycle stages (per strategy)", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await bus.publish(opportunities(["SOLUSDT"], 10));
    await bus.publish(opportunities(["DOGEUSDT"], 5));
    await bus.publish(promoted("trend", StrategyLifecycle.LIVE, 10));
    await bus.publish(promoted("trend", StrategyLifecycle.SHADOW, 5));
    await bus.publish(promoted("carry", StrategyLifecycle.LIVE, 1)); // older, but another strategy
    await bus.idle();
    expect(orchestrator.topSymbols).toEqual(["SOLUSDT"]);
    expect(orchestrator.lifecycleOf("trend")).toBe("LIVE");
    expect(orchestrator.lifecycleOf("carry")).toBe("LIVE");
  });

  it("the same trade.executed twice opens one position, not two sizes", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    const fill = trade("BTCUSDT", TradeSide.BUY, 2, 100);
    await bus.publish(fill);
    await bus.publish(fill);
    await bus.idle();
    expect(orchestrator.portfolioBalancer.openPositions).toEqual([
      { symbol: "BTCUSDT", net_size: 2, last_price: 100 },
    ]);
  });
});

describe("close()", () => {
  it("stops following events and closes the collaborators it built", async () => {
    await using bus = newBus();
    const orchestrator = new Orchestrator({ eventBus: bus });
    await bus.publish(policy({}, 1));
    await bus.idle();
    orchestrator.close();
    orchestrator.close(); // idempotent
    await bus.publish(policy({ max_risk_per_trade: 0.05, max_positions: 9 }, 2));
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL));
    await bus.publish(trade("BTCUSDT", TradeSide.BUY));
    await bus.idle();
    expect(orchestrator.maxRiskPerTrade).toBe(0.02);
    expect(orchestrator.riskGuard.maxRiskPerTrade).toBe(0.02);
    expect(orchestrator.portfolioBalancer.maxPositions).toBe(3);
    expect(orchestrator.portfolioBalancer.openPositions).toEqual([]);
    expect(orchestrator.safetyGovernor.halted).toBe(false);
    expect(bus.getStats().totalHandlers).toBe(0);
  });

  it("leaves collaborators it was given subscribed", async () => {
    await using bus = newBus();
    const safetyGovernor = new SafetyGovernor({ eventBus: bus });
    const orchestrator = new Orchestrator({ eventBus: bus, safetyGovernor });
    orchestrator.close();
    await bus.publish(health("DrawdownGuard", HealthStatus.CRITICAL));
    await bus.idle();
    expect(safetyGovernor.halted).toBe(true);
    safetyGovernor.close();
  });
});
