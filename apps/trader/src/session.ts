import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { QtEventBus } from "@qt/events";
import { HealthStatus, StrategyLifecycle } from "@qt/events";
import type { Fill, PaperExecutor } from "@qt/executor";
import type { HealthMonitor } from "@qt/health-monitor";
import { type ModelRegistry, ModelRegistryError } from "@qt/model-registry";
import type { MetaStrategyController } from "@qt/msc-ai";
import type { OpportunityRanker } from "@qt/opportunity-ranker";
import type { Orchestrator, RejectionCode } from "@qt/orchestrator";
import type { StrategyLifecycleManager } from "@qt/strategy-lifecycle";
import type { EquityCurve, EquityPoint } from "./equity-curve.js";
import type { MarketFeed, MarketTick, Regime } from "./market/candle.js";
import type { MarketState } from "./market/market-state.js";
import { normal, type Random } from "./market/random.js";
import { RegimeDetector } from "./market/regime-detector.js";
import type { Holding, Portfolio } from "./portfolio.js";
import type { SimClock } from "./sim-clock.js";
import { ShadowBook } from "./strategies/shadow-book.js";
import type { Direction, Strategy } from "./strategies/strategy.js";

/** The component the session reports the paper account's drawdown as. */
export const DRAWDOWN_COMPONENT = "DrawdownGuard";

/**
 * Reasons that concern taking on new risk. An exit (an order that only closes a holding) is sent
 * through the orchestrator like any signal, but these reasons do not block it: a symbol that left
 * the top list, or a strategy demoted while holding, must still be able to get out. A halt or a
 * missing policy does block it.
 */
const WAIVED_FOR_EXITS: ReadonlySet<RejectionCode> = new Set<RejectionCode>([
  "BELOW_MIN_CONFIDENCE",
  "STRATEGY_NOT_ALLOWED",
  "STRATEGY_NOT_LIVE",
  "SYMBOL_NOT_IN_TOP",
  "MAX_POSITIONS_REACHED",
  "RISK_TOO_HIGH",
]);

/** What the session drives: every component, built and wired by `createTrader`. */
export interface SessionComponents {
  readonly bus: QtEventBus;
  readonly feed: MarketFeed;
  readonly clock: SimClock;
  readonly market: MarketState;
  readonly msc: MetaStrategyController;
  readonly orchestrator: Orchestrator;
  readonly executor: PaperExecutor;
  readonly healthMonitor: HealthMonitor;
  readonly ranker: OpportunityRanker;
  readonly lifecycle: StrategyLifecycleManager;
  readonly models: ModelRegistry;
  readonly strategies: readonly Strategy[];
  readonly portfolio: Portfolio;
  readonly curve: EquityCurve;
  /** Seeded: the model registry's candidate metrics. */
  readonly random: Random;
}

/**
 * A signal and what became of it.
 *
 * @example
 * ```ts
 * const d: SignalOutcome = { strategyId: "trend-follow", symbol: "BTCUSDT", kind: "entry", side: "BUY",
 *   confidence: 0.8, executed: false, reasons: ["TRADING_HALTED"] };
 * ```
 */
export interface SignalOutcome {
  readonly strategyId: string;
  readonly symbol: string;
  /** `entry` opens a holding, `exit` closes one (a strategy exit or a stop). */
  readonly kind: "entry" | "exit" | "stop";
  readonly side: "BUY" | "SELL";
  readonly confidence: number;
  /** Whether an order was sent to the executor. */
  readonly executed: boolean;
  /** The orchestrator's rejection reasons (for an executed exit: the ones waived). */
  readonly reasons: readonly RejectionCode[];
}

/** Options of {@link TradingSession}. */
export interface SessionOptions {
  /** Ticks per second, or `"max"`: as fast as the machine goes (still yielding to I/O each tick). */
  readonly speed: number | "max";
  /** End the run once this many trades were executed. */
  readonly untilTrades?: number;
  /** Ticks between rankings. Default 10. */
  readonly rankEvery?: number;
  /** Ticks between lifecycle evaluations. Default 25. */
  readonly evaluateEvery?: number;
  /** Ticks between model candidates. Default 240. */
  readonly modelEvery?: number;
  /** Stop distance in average true ranges. Default 3. */
  readonly stopAtr?: number;
  /** Largest position, as a fraction of equity. Default 0.5. */
  readonly maxNotionalFraction?: number;
  readonly onSignal?: (outcome: SignalOutcome) => void;
  readonly onFill?: (fill: Fill) => void;
  /** Warnings (a kill switch, a refused promotion are not warnings; a failing flatten is). */
  readonly onWarning?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Why a session ended. */
export type SessionEnd = "stopped" | "until-trades" | "end-of-data";

/**
 * What the status line, the dashboard and `/health` show.
 *
 * @example
 * ```ts
 * const { tick, equity, riskMode } = session.snapshot();
 * ```
 */
export interface SessionSnapshot {
  readonly state: "created" | "running" | "stopping" | "stopped";
  readonly tick: number;
  readonly marketTime: string | null;
  /** Market time of the first tick. */
  readonly marketStart: string | null;
  readonly regime: Regime | null;
  readonly riskMode: string | null;
  readonly halted: boolean;
  readonly health: Readonly<Record<string, string>>;
  readonly equity: number;
  readonly drawdownPct: number;
  readonly maxDrawdownPct: number;
  readonly trades: number;
  readonly realisedPnl: number;
  readonly fees: number;
  readonly signals: { readonly approved: number; readonly rejected: number };
  readonly topSymbols: readonly string[];
  readonly strategies: readonly { id: string; stage: string; model: string }[];
  readonly positions: readonly {
    symbol: string;
    strategyId: string | null;
    quantity: number;
    averageEntryPrice: number;
    price: number;
    unrealisedPnl: number;
    stop: number | null;
  }[];
}

/**
 * The paper-trading loop. Each tick drives every flow of the architecture, in a fixed order, and
 * waits for the bus to be idle between steps, so that each component has seen what the previous
 * step published: the same seed gives the same trades at any speed.
 *
 * 1. market time advances (MSC AI timers due fire); prices and statistics update;
 * 2. a new regime goes to the MSC AI (`policy.updated`);
 * 3. every `rankEvery` ticks the ranker ranks the symbols (`opportunities.updated`);
 * 4. every `evaluateEvery` ticks the lifecycle evaluates each strategy's shadow metrics
 *    (`strategy.promoted`), and every `modelEvery` ticks a model candidate is promoted or refused
 *    (`model.promoted`);
 * 5. equity is marked to market and its drawdown reported to the health monitor
 *    (`health.status_changed`); on CRITICAL every holding is flattened (the kill switch), the
 *    MSC AI goes DEFENSIVE and the orchestrator's safety governor halts trading until HEALTHY;
 * 6. stops, then strategy decisions become signals, approved or rejected by the orchestrator;
 *    approved ones are filled by the paper executor (`trade.executed`).
 *
 * @example
 * ```ts
 * const session = new TradingSession(components, { speed: 20, untilTrades: 30 });
 * session.start();
 * const reason = await session.done; // "until-trades"
 * ```
 */
export class TradingSession {
  readonly #c: SessionComponents;
  readonly #options: Required<Omit<SessionOptions, "untilTrades" | "onSignal" | "onFill" | "onWarning">> &
    Pick<SessionOptions, "untilTrades" | "onSignal" | "onFill" | "onWarning">;
  readonly #shadow = new Map<string, ShadowBook>();
  readonly #detector = new RegimeDetector();
  readonly #modelPnl = new Map<string, number>();
  readonly #modelGeneration = new Map<string, number>();
  #state: SessionSnapshot["state"] = "created";
  #tickIndex = -1;
  #regime: Regime | undefined;
  #approved = 0;
  #rejected = 0;
  #lastPoint: EquityPoint | undefined;
  #marketStart: string | undefined;
  #stopRequested = false;
  #wake: (() => void) | undefined;
  #done: Promise<SessionEnd> | undefined;

  constructor(components: SessionComponents, options: SessionOptions) {
    this.#c = components;
    this.#options = {
      rankEvery: 10,
      evaluateEvery: 25,
      modelEvery: 240,
      stopAtr: 3,
      maxNotionalFraction: 0.5,
      ...options,
    };
    for (const strategy of components.strategies) {
      this.#shadow.set(strategy.id, new ShadowBook());
      // Registered here, not in start(): snapshot() may be asked for (status line, HTTP) at any time.
      components.lifecycle.register(strategy.id);
      this.#modelGeneration.set(strategy.modelName, 0);
      this.#modelPnl.set(strategy.id, 0);
      components.models.register(strategy.modelName, "1.0.0", {
        auc: round(0.55 + components.random() * 0.05, 4),
      });
      components.models.recordShadow(strategy.modelName, "1.0.0", { pnl: 0 });
    }
  }

  /** Starts the loop; `done` settles when it ends (rejects on an unexpected error). Idempotent. */
  start(): Promise<SessionEnd> {
    if (this.#done === undefined) {
      this.#state = "running";
      this.#done = this.#run().finally(() => {
        this.#state = "stopped";
      });
    }
    return this.#done;
  }

  /** Resolves with why the loop ended. */
  get done(): Promise<SessionEnd> {
    return this.#done ?? Promise.resolve("stopped");
  }

  /** Stops intake: the tick in progress finishes, no new one starts. Resolves when the loop has ended. */
  async stop(): Promise<SessionEnd> {
    this.#stopRequested = true;
    if (this.#state === "running") this.#state = "stopping";
    this.#wake?.();
    if (this.#done === undefined) {
      this.#state = "stopped";
      return "stopped";
    }
    return this.#done.catch(() => "stopped" as const);
  }

  snapshot(): SessionSnapshot {
    const c = this.#c;
    const price = (symbol: string) => c.market.price(symbol);
    const health: Record<string, string> = {};
    for (const [component, status] of c.healthMonitor.unhealthy()) health[component] = status;
    if (health[DRAWDOWN_COMPONENT] === undefined) health[DRAWDOWN_COMPONENT] = HealthStatus.HEALTHY;
    return {
      state: this.#state,
      tick: this.#tickIndex,
      marketTime: c.market.time?.toISOString() ?? null,
      marketStart: this.#marketStart ?? null,
      regime: this.#regime ?? null,
      riskMode: c.msc.riskMode ?? null,
      halted: c.orchestrator.safetyGovernor.halted,
      health,
      equity: this.#lastPoint?.equity ?? c.portfolio.initialCapital,
      drawdownPct: this.#lastPoint?.drawdownPct ?? 0,
      maxDrawdownPct: c.curve.maxDrawdownPct,
      trades: c.portfolio.trades,
      realisedPnl: c.portfolio.realisedPnl,
      fees: c.portfolio.fees,
      signals: { approved: this.#approved, rejected: this.#rejected },
      topSymbols: c.orchestrator.topSymbols,
      strategies: c.strategies.map((s) => ({
        id: s.id,
        stage: c.lifecycle.stage(s.id),
        model: this.#modelLabel(s),
      })),
      positions: c.executor.positions().map((p) => {
        const holding = c.portfolio.holding(p.symbol);
        const mark = price(p.symbol);
        return {
          symbol: p.symbol,
          strategyId: holding?.strategyId ?? null,
          quantity: p.quantity,
          averageEntryPrice: p.averageEntryPrice,
          price: mark,
          unrealisedPnl: (mark - p.averageEntryPrice) * p.quantity,
          stop: holding?.stop ?? null,
        };
      }),
    };
  }

  async #run(): Promise<SessionEnd> {
    await this.#setUp();
    const started = performance.now();
    for (let n = 1; !this.#stopRequested; n++) {
      const tick = await this.#c.feed.next();
      if (tick === undefined) return "end-of-data";
      await this.#tick(tick);
      if (this.#limitReached()) return "until-trades";
      await this.#pace(started, n);
    }
    return "stopped";
  }

  /** Before the first tick: first model versions active, policy announced. */
  async #setUp(): Promise<void> {
    const c = this.#c;
    for (const strategy of c.strategies) await c.models.promote(strategy.modelName, "1.0.0");
    await c.msc.announce();
    await this.#settle();
  }

  async #tick(tick: MarketTick): Promise<void> {
    const c = this.#c;
    this.#tickIndex = tick.index;
    this.#marketStart ??= tick.time.toISOString();
    c.clock.advanceTo(tick.time);
    c.market.update(tick);

    const regime = tick.regime ?? this.#detector.update(tick);
    if (regime !== undefined && regime !== this.#regime) {
      this.#regime = regime;
      await c.msc.onRegimeChange(regime);
    }
    const o = this.#options;
    if (tick.index % o.rankEvery === 0) {
      const candidates = c.market.candidates();
      if (candidates.length > 0) await c.ranker.rank(candidates);
    }
    if (tick.index > 0 && tick.index % o.evaluateEvery === 0) await this.#evaluateStrategies();
    if (tick.index > 0 && tick.index % o.modelEvery === 0) await this.#modelCycle();
    await this.#settle();

    const point = c.curve.push(
      tick.time.getTime(),
      c.portfolio.equity((s) => c.market.price(s)),
    );
    this.#lastPoint = point;
    const report = await c.healthMonitor.report(DRAWDOWN_COMPONENT, { drawdownPct: point.drawdownPct });
    await this.#settle();
    if (report.changed && report.status === HealthStatus.CRITICAL) await this.#flattenAll();

    await this.#checkStops(tick);
    for (const candle of tick.candles) {
      for (const strategy of c.strategies) {
        if (this.#limitReached()) return;
        const shadow = this.#shadow.get(strategy.id) as ShadowBook;
        const before = shadow.holding(candle.symbol);
        const decision = strategy.decide(candle, before);
        shadow.update(candle.symbol, decision.direction, candle.close);
        const holding = c.portfolio.holding(candle.symbol);
        if (holding !== undefined) {
          if (holding.strategyId === strategy.id && decision.direction !== holding.direction) {
            await this.#exit(holding, "exit", decision.confidence);
          }
        } else if (decision.direction !== 0 && before === 0) {
          await this.#enter(strategy, candle.symbol, decision.direction, decision.confidence);
        }
      }
    }
  }

  async #enter(strategy: Strategy, symbol: string, direction: Direction, confidence: number): Promise<void> {
    const c = this.#c;
    const price = c.market.price(symbol);
    const stats = c.market.stats(symbol);
    const equity = c.portfolio.equity((s) => c.market.price(s));
    if (!(price > 0) || stats === undefined || !(equity > 0)) return;
    const distance = Math.max(this.#options.stopAtr * stats.atr, price * 0.002);
    const stop = direction === 1 ? price - distance : price + distance;
    const risk = { equity, entry_price: price, stop_price: stop };
    const cap = (this.#options.maxNotionalFraction * equity) / price;
    const riskSize = c.orchestrator.maxRiskPerTrade === undefined ? cap : c.orchestrator.riskGuard.size(risk);
    const size = Number(Math.min(riskSize * 0.95, cap).toPrecision(6));
    if (!(size > 0)) return;
    const side = direction === 1 ? "BUY" : "SELL";
    const model = this.#modelLabel(strategy);
    const decision = c.orchestrator.evaluateSignal({
      symbol,
      side,
      confidence,
      strategy_id: strategy.id,
      model,
      size,
      risk,
    });
    const reasons = decision.approved ? [] : decision.reasons.map((r) => r.code);
    this.#count(decision.approved);
    this.#options.onSignal?.({
      strategyId: strategy.id,
      symbol,
      kind: "entry",
      side,
      confidence,
      executed: decision.approved,
      reasons,
    });
    if (!decision.approved) return;
    await this.#execute(
      { symbol, side, size, strategy_id: strategy.id, model },
      { strategyId: strategy.id, stop },
    );
  }

  async #exit(holding: Holding, kind: "exit" | "stop", confidence: number): Promise<void> {
    const c = this.#c;
    const quantity = c.portfolio.quantity(holding.symbol);
    if (quantity === 0) return;
    const side = quantity > 0 ? "SELL" : "BUY";
    const strategy = c.strategies.find((s) => s.id === holding.strategyId);
    const model = strategy === undefined ? null : this.#modelLabel(strategy);
    const size = Math.abs(quantity);
    const decision = c.orchestrator.evaluateSignal({
      symbol: holding.symbol,
      side,
      confidence,
      strategy_id: holding.strategyId,
      model,
      size,
    });
    const reasons = decision.approved ? [] : decision.reasons.map((r) => r.code);
    const executed = reasons.every((code) => WAIVED_FOR_EXITS.has(code));
    this.#count(executed);
    this.#options.onSignal?.({
      strategyId: holding.strategyId,
      symbol: holding.symbol,
      kind,
      side,
      confidence,
      executed,
      reasons,
    });
    if (!executed) return;
    await this.#execute({ symbol: holding.symbol, side, size, strategy_id: holding.strategyId, model });
  }

  async #checkStops(tick: MarketTick): Promise<void> {
    for (const candle of tick.candles) {
      const holding = this.#c.portfolio.holding(candle.symbol);
      if (holding === undefined) continue;
      const hit = holding.direction === 1 ? candle.close <= holding.stop : candle.close >= holding.stop;
      if (hit) await this.#exit(holding, "stop", 1);
      if (this.#limitReached()) return;
    }
  }

  /** The kill switch: closes every holding straight through the executor (the halt would refuse signals). */
  async #flattenAll(): Promise<void> {
    const c = this.#c;
    const holdings = c.portfolio.holdings();
    if (holdings.length > 0) {
      this.#options.onWarning?.(`drawdown guard CRITICAL: flattening ${holdings.length} position(s)`, {
        symbols: holdings.map((h) => h.symbol),
      });
    }
    for (const holding of holdings) {
      const quantity = c.portfolio.quantity(holding.symbol);
      if (quantity === 0) continue;
      await this.#execute({
        symbol: holding.symbol,
        side: quantity > 0 ? "SELL" : "BUY",
        size: Math.abs(quantity),
        strategy_id: holding.strategyId,
        model: DRAWDOWN_COMPONENT,
      });
      if (this.#limitReached()) return;
    }
  }

  async #execute(
    order: { symbol: string; side: "BUY" | "SELL"; size: number; strategy_id: string; model: string | null },
    entry?: { strategyId: string; stop: number },
  ): Promise<void> {
    const fill = await this.#c.executor.execute(order);
    this.#c.portfolio.applyFill(fill, entry);
    this.#options.onFill?.(fill);
    // The balancer learns of the position from trade.executed: let it, before the next signal.
    await this.#settle();
  }

  async #evaluateStrategies(): Promise<void> {
    const c = this.#c;
    for (const strategy of c.strategies) {
      if (c.lifecycle.stage(strategy.id) === StrategyLifecycle.RETIRED) continue;
      const metrics = (this.#shadow.get(strategy.id) as ShadowBook).metrics();
      await c.lifecycle.evaluate(strategy.id, metrics);
    }
  }

  /**
   * A new version of each strategy's model: its shadow pnl is the strategy's shadow pnl since the
   * last cycle, with seeded noise (a retrained model does a little better or worse). The registry
   * promotes it only if it beats the active version's (`minShadowImprovement`).
   */
  async #modelCycle(): Promise<void> {
    const c = this.#c;
    for (const strategy of c.strategies) {
      const name = strategy.modelName;
      const active = c.models.active(name);
      const shadowPnl = (this.#shadow.get(strategy.id) as ShadowBook).pnl;
      const period = shadowPnl - (this.#modelPnl.get(strategy.id) ?? 0);
      this.#modelPnl.set(strategy.id, shadowPnl);
      if (active !== null) c.models.recordShadow(name, active, { pnl: round(period, 2) });
      const generation = (this.#modelGeneration.get(name) ?? 0) + 1;
      this.#modelGeneration.set(name, generation);
      const version = `1.${generation}.0`;
      const candidatePnl = period + normal(c.random) * (Math.abs(period) * 0.5 + 50);
      c.models.register(name, version, { auc: round(0.55 + c.random() * 0.1, 4) });
      c.models.recordShadow(name, version, { pnl: round(candidatePnl, 2) });
      try {
        await c.models.promote(name, version);
      } catch (error) {
        if (!(ModelRegistryError.isInstance(error) && error.code === "PROMOTION_REJECTED")) throw error;
      }
    }
  }

  #modelLabel(strategy: Strategy): string {
    const active = this.#c.models.active(strategy.modelName);
    return active === null ? strategy.modelName : `${strategy.modelName}@${active}`;
  }

  #count(approved: boolean): void {
    if (approved) this.#approved++;
    else this.#rejected++;
  }

  #limitReached(): boolean {
    const limit = this.#options.untilTrades;
    return limit !== undefined && this.#c.portfolio.trades >= limit;
  }

  /** Lets every component see what was just published: MSC AI work first (it publishes), then the bus. */
  async #settle(): Promise<void> {
    await this.#c.msc.idle();
    await this.#c.bus.idle();
  }

  async #pace(started: number, ticksDone: number): Promise<void> {
    const speed = this.#options.speed;
    if (speed === "max") {
      await yieldToEventLoop();
      return;
    }
    const delay = started + (ticksDone * 1000) / speed - performance.now();
    if (delay <= 0) {
      await yieldToEventLoop();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
