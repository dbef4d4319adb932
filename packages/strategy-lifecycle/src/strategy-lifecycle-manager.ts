import { SerialQueue } from "@qt/eventbus";
import { type QtEventBus, StrategyLifecycle, StrategyPromotedEvent } from "@qt/events";
import { StrategyLifecycleError } from "./errors.js";
import {
  checkRequirements,
  floorBreaches,
  type LifecycleThresholds,
  type LifecycleThresholdsInput,
  resolveThresholds,
  type StrategyMetrics,
} from "./thresholds.js";

/**
 * The outcome of {@link StrategyLifecycleManager.evaluate} or {@link StrategyLifecycleManager.retire}.
 *
 * @example
 * ```ts
 * const { from, to, changed, reason } = await lifecycle.evaluate("trend-v3", metrics);
 * ```
 */
export interface StageTransition {
  /** The strategy. */
  readonly strategyId: string;
  /** Its stage before. */
  readonly from: StrategyLifecycle;
  /** Its stage now (equal to `from` when nothing changed). */
  readonly to: StrategyLifecycle;
  /** True when the stage changed, and so `strategy.promoted` was published. */
  readonly changed: boolean;
  /** Why, e.g. `passed SHADOW thresholds: sharpe 1.3 >= 1, trades 40 >= 30`. */
  readonly reason: string;
}

/**
 * Options of {@link StrategyLifecycleManager}.
 *
 * @example
 * ```ts
 * const options: StrategyLifecycleManagerOptions = { eventBus: bus, thresholds: { live: { minTrades: 100 } } };
 * ```
 */
export interface StrategyLifecycleManagerOptions {
  /** Where `strategy.promoted` is published. */
  readonly eventBus: QtEventBus;
  /** Overrides of {@link defaultLifecycleThresholds}, bound by bound. */
  readonly thresholds?: LifecycleThresholdsInput;
  /** The events' `source`. Default `"strategy-lifecycle"`. */
  readonly source?: string;
  /** The events' timestamp. Default `() => new Date()`. */
  readonly clock?: () => Date;
}

const stages: readonly string[] = Object.values(StrategyLifecycle);

/**
 * Moves strategies through BACKTEST -> SHADOW -> LIVE -> RETIRED on their metrics, and publishes
 * `strategy.promoted` on every stage change (up or down).
 *
 * - `evaluate()` promotes at most one stage at a time: BACKTEST -> SHADOW when the metrics pass
 *   `thresholds.shadow`, SHADOW -> LIVE when they pass `thresholds.live`.
 * - A LIVE strategy that breaches `thresholds.liveFloor` is demoted to SHADOW (not retired: it
 *   must pass the live thresholds again to return). Retirement is a decision: `retire()`.
 * - RETIRED is final.
 *
 * @example
 * ```ts
 * const lifecycle = new StrategyLifecycleManager({ eventBus: bus });
 * lifecycle.register("trend-v3");
 * await lifecycle.evaluate("trend-v3", { sharpe: 1.4, winRate: 0.52, maxDrawdownPct: 6, trades: 40 }); // -> SHADOW
 * lifecycle.stage("trend-v3"); // "SHADOW"
 * ```
 */
export class StrategyLifecycleManager {
  readonly #bus: QtEventBus;
  readonly #source: string;
  readonly #clock: () => Date;
  readonly #stages = new Map<string, StrategyLifecycle>();
  readonly #queue = new SerialQueue();
  /** The thresholds in force: the defaults merged with the options. */
  readonly thresholds: LifecycleThresholds;

  /** @throws {@link StrategyLifecycleError} `INVALID_OPTIONS`, naming the option. */
  constructor(options: StrategyLifecycleManagerOptions) {
    const invalid = (field: string, expected: string, received: unknown) =>
      new StrategyLifecycleError({ code: "INVALID_OPTIONS", field: `options.${field}`, expected, received });
    if (typeof options?.eventBus?.publish !== "function")
      throw invalid("eventBus", "an EventBus", options?.eventBus);
    const source = options.source ?? "strategy-lifecycle";
    if (typeof source !== "string" || source === "") throw invalid("source", "a non-empty string", source);
    this.thresholds = resolveThresholds(options.thresholds);
    this.#bus = options.eventBus;
    this.#source = source;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Starts tracking a strategy at `stage` (default BACKTEST). Publishes nothing: registering is
   * not a stage change. Any stage may be given, to restore a strategy's known stage.
   *
   * @throws {@link StrategyLifecycleError} `INVALID_ARGUMENT` or `ALREADY_REGISTERED`.
   *
   * @example
   * ```ts
   * lifecycle.register("mean-revert-v1");
   * lifecycle.register("trend-v2", StrategyLifecycle.LIVE); // restored after a restart
   * ```
   */
  register(strategyId: string, stage: StrategyLifecycle = StrategyLifecycle.BACKTEST): void {
    assertStrategyId(strategyId);
    if (!stages.includes(stage)) {
      throw new StrategyLifecycleError({
        code: "INVALID_ARGUMENT",
        field: "stage",
        expected: `one of ${stages.join(", ")}`,
        received: stage,
        strategyId,
      });
    }
    if (this.#stages.has(strategyId)) {
      throw new StrategyLifecycleError({
        code: "ALREADY_REGISTERED",
        field: "strategyId",
        expected: "a strategy not yet registered",
        received: strategyId,
        strategyId,
      });
    }
    this.#stages.set(strategyId, stage);
  }

  /**
   * Evaluates `metrics` against the thresholds of the strategy's next stage (or, when LIVE, its
   * floor) and moves it at most one stage, publishing `strategy.promoted` with the metrics
   * (`sharpe`, `win_rate`, `max_drawdown_pct`, `trades`) if it moved. Calls are applied one at a
   * time in call order; the stage changes only once the bus accepted the event.
   *
   * @throws {@link StrategyLifecycleError} `INVALID_ARGUMENT`, `INVALID_METRICS` (naming the metric),
   *   `UNKNOWN_STRATEGY` or `STRATEGY_RETIRED`; or the bus's error. Either way nothing changed.
   *
   * @example
   * ```ts
   * const t = await lifecycle.evaluate("trend-v3", { sharpe: 0.3, winRate: 0.4, maxDrawdownPct: 22, trades: 300 });
   * if (t.changed && t.to === "SHADOW") stopLiveTrading("trend-v3");
   * ```
   */
  evaluate(strategyId: string, metrics: StrategyMetrics): Promise<StageTransition> {
    try {
      assertStrategyId(strategyId);
      metrics = validMetrics(metrics, strategyId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.run(async () => {
      const from = this.#known(strategyId);
      if (from === StrategyLifecycle.RETIRED) {
        throw new StrategyLifecycleError({
          code: "STRATEGY_RETIRED",
          field: "strategyId",
          expected: "a strategy that is not retired",
          received: strategyId,
          strategyId,
        });
      }
      const { to, reason } = this.#decide(from, metrics);
      return this.#move(strategyId, from, to, reason, {
        sharpe: metrics.sharpe,
        win_rate: metrics.winRate,
        max_drawdown_pct: metrics.maxDrawdownPct,
        trades: metrics.trades,
      });
    });
  }

  /**
   * Retires a strategy for good, from any stage, publishing `strategy.promoted` to RETIRED with
   * empty metrics. Retiring a retired strategy changes and publishes nothing.
   *
   * @throws {@link StrategyLifecycleError} `INVALID_ARGUMENT` or `UNKNOWN_STRATEGY`; or the bus's error.
   *
   * @example
   * ```ts
   * await lifecycle.retire("trend-v2", "replaced by trend-v3");
   * ```
   */
  retire(strategyId: string, reason: string): Promise<StageTransition> {
    try {
      assertStrategyId(strategyId);
      if (typeof reason !== "string" || reason.trim() === "") {
        throw new StrategyLifecycleError({
          code: "INVALID_ARGUMENT",
          field: "reason",
          expected: "a non-empty string",
          received: reason,
          strategyId,
        });
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.run(() =>
      this.#move(strategyId, this.#known(strategyId), StrategyLifecycle.RETIRED, reason, {}),
    );
  }

  /**
   * The strategy's current stage.
   *
   * @throws {@link StrategyLifecycleError} `UNKNOWN_STRATEGY`.
   *
   * @example
   * ```ts
   * if (lifecycle.stage("trend-v3") === StrategyLifecycle.LIVE) route(signal);
   * ```
   */
  stage(strategyId: string): StrategyLifecycle {
    return this.#known(strategyId);
  }

  /**
   * The ids of the LIVE strategies, in registration order.
   *
   * @example
   * ```ts
   * const allowed = lifecycle.liveStrategies();
   * ```
   */
  liveStrategies(): string[] {
    return [...this.#stages].filter(([, stage]) => stage === StrategyLifecycle.LIVE).map(([id]) => id);
  }

  #decide(from: StrategyLifecycle, metrics: StrategyMetrics): { to: StrategyLifecycle; reason: string } {
    if (from === StrategyLifecycle.LIVE) {
      const breaches = floorBreaches(this.thresholds.liveFloor, metrics);
      return breaches.length > 0
        ? { to: StrategyLifecycle.SHADOW, reason: `breached LIVE floor: ${breaches.join(", ")}` }
        : { to: from, reason: "within LIVE floor" };
    }
    const next = from === StrategyLifecycle.BACKTEST ? StrategyLifecycle.SHADOW : StrategyLifecycle.LIVE;
    const checks = checkRequirements(
      next === "SHADOW" ? this.thresholds.shadow : this.thresholds.live,
      metrics,
    );
    const failed = checks.filter((c) => !c.passed);
    return failed.length === 0
      ? {
          to: next,
          reason: `passed ${next} thresholds: ${checks.map((c) => c.text).join(", ") || "none set"}`,
        }
      : { to: from, reason: `not ready for ${next}: ${failed.map((c) => c.text).join(", ")}` };
  }

  async #move(
    strategyId: string,
    from: StrategyLifecycle,
    to: StrategyLifecycle,
    reason: string,
    metrics: Record<string, number>,
  ): Promise<StageTransition> {
    const changed = from !== to;
    if (changed) {
      await this.#bus.publish(
        StrategyPromotedEvent.create(
          { strategy_id: strategyId, from_stage: from, to_stage: to, reason, metrics },
          { source: this.#source, timestamp: this.#clock() },
        ),
      );
      this.#stages.set(strategyId, to);
    }
    return { strategyId, from, to, changed, reason };
  }

  #known(strategyId: string): StrategyLifecycle {
    const stage = this.#stages.get(strategyId);
    if (stage === undefined) {
      throw new StrategyLifecycleError({
        code: "UNKNOWN_STRATEGY",
        field: "strategyId",
        expected: "a registered strategy",
        received: strategyId,
        strategyId,
      });
    }
    return stage;
  }
}

function assertStrategyId(strategyId: string): void {
  if (typeof strategyId !== "string" || strategyId.trim() === "") {
    throw new StrategyLifecycleError({
      code: "INVALID_ARGUMENT",
      field: "strategyId",
      expected: "a non-empty string",
      received: strategyId,
    });
  }
}

function validMetrics(metrics: StrategyMetrics, strategyId: string): StrategyMetrics {
  const invalid = (field: string, expected: string, received: unknown) =>
    new StrategyLifecycleError({ code: "INVALID_METRICS", field, expected, received, strategyId });
  if (typeof metrics !== "object" || metrics === null) throw invalid("metrics", "an object", metrics);
  const { sharpe, winRate, maxDrawdownPct, trades } = metrics;
  const isNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
  if (!isNumber(sharpe)) throw invalid("metrics.sharpe", "a finite number", sharpe);
  if (!isNumber(winRate) || winRate < 0 || winRate > 1)
    throw invalid("metrics.winRate", "a number in [0, 1]", winRate);
  if (!isNumber(maxDrawdownPct) || maxDrawdownPct < 0) {
    throw invalid("metrics.maxDrawdownPct", "a finite number >= 0 (a positive loss)", maxDrawdownPct);
  }
  if (!Number.isInteger(trades) || trades < 0) throw invalid("metrics.trades", "an integer >= 0", trades);
  // A copy: a caller mutating its object while the call is queued must not change the decision.
  return { sharpe, winRate, maxDrawdownPct, trades };
}
