import { StrategyLifecycleError } from "./errors.js";

/**
 * A strategy's performance, as measured over its current stage (backtest, shadow or live).
 * Other fields are ignored.
 *
 * @example
 * ```ts
 * const metrics: StrategyMetrics = { sharpe: 1.4, winRate: 0.55, maxDrawdownPct: 7.5, trades: 120 };
 * ```
 */
export interface StrategyMetrics {
  /** Sharpe ratio, finite (may be negative). */
  readonly sharpe: number;
  /** Winning trades / trades, in [0, 1]. */
  readonly winRate: number;
  /** Maximum drawdown as a positive percentage of loss (7.5 means 7.5 % below peak), >= 0. */
  readonly maxDrawdownPct: number;
  /** Number of trades, an integer >= 0. */
  readonly trades: number;
}

/**
 * What a strategy needs to enter a stage. Each bound is optional and inclusive; a bound left out
 * is not checked.
 *
 * @example
 * ```ts
 * const live: StageRequirements = { minSharpe: 1.2, minWinRate: 0.5, maxDrawdownPct: 10, minTrades: 50 };
 * ```
 */
export interface StageRequirements {
  /** Lowest Sharpe ratio accepted (`sharpe >= minSharpe`); any finite number. */
  readonly minSharpe?: number;
  /** Lowest win rate accepted (`winRate >= minWinRate`), in [0, 1]. */
  readonly minWinRate?: number;
  /** Largest drawdown accepted (`maxDrawdownPct <= this`), a positive % of loss (10 = 10 % below peak). */
  readonly maxDrawdownPct?: number;
  /** Fewest trades accepted (`trades >= minTrades`), an integer >= 0: too few make the rest noise. */
  readonly minTrades?: number;
}

/**
 * The floor of a LIVE strategy: below `minSharpe` or above `maxDrawdownPct` (strictly), it is
 * demoted to SHADOW.
 *
 * @example
 * ```ts
 * const floor: LiveFloor = { minSharpe: 0.5, maxDrawdownPct: 20 };
 * ```
 */
export interface LiveFloor {
  /** A LIVE strategy whose Sharpe ratio falls below it is demoted. At most `live.minSharpe`. */
  readonly minSharpe?: number;
  /** A LIVE strategy whose drawdown (a positive %) exceeds it is demoted. At least `live.maxDrawdownPct`. */
  readonly maxDrawdownPct?: number;
}

/**
 * Every threshold of the lifecycle: `shadow` to go BACKTEST -> SHADOW, `live` to go
 * SHADOW -> LIVE, `liveFloor` under which LIVE goes back to SHADOW.
 *
 * @example
 * ```ts
 * const t: LifecycleThresholds = { ...defaultLifecycleThresholds, liveFloor: { minSharpe: 0.8, maxDrawdownPct: 15 } };
 * ```
 */
export interface LifecycleThresholds {
  /** What a BACKTEST strategy needs to move to SHADOW. Default: sharpe >= 1, trades >= 30. */
  readonly shadow: StageRequirements;
  /**
   * What a SHADOW strategy needs to go LIVE. Default: sharpe >= 1.2, win rate >= 0.5,
   * drawdown <= 10 %, trades >= 50.
   */
  readonly live: StageRequirements;
  /** Where a LIVE strategy is demoted to SHADOW. Default: sharpe < 0.5 or drawdown > 20 %. */
  readonly liveFloor: LiveFloor;
}

/**
 * What the constructor takes: each group is merged over its defaults, bound by bound.
 *
 * @example
 * ```ts
 * const input: LifecycleThresholdsInput = { live: { minTrades: 100 } }; // other live bounds stay
 * ```
 */
export type LifecycleThresholdsInput = { readonly [K in keyof LifecycleThresholds]?: LifecycleThresholds[K] };

/**
 * The defaults. SHADOW: sharpe >= 1 and trades >= 30. LIVE: sharpe >= 1.2, win rate >= 0.5,
 * drawdown <= 10 %, trades >= 50. Live floor: sharpe >= 0.5 and drawdown <= 20 %.
 *
 * @example
 * ```ts
 * defaultLifecycleThresholds.live.minSharpe; // 1.2
 * ```
 */
export const defaultLifecycleThresholds: LifecycleThresholds = Object.freeze({
  shadow: Object.freeze({ minSharpe: 1, minTrades: 30 }),
  live: Object.freeze({ minSharpe: 1.2, minWinRate: 0.5, maxDrawdownPct: 10, minTrades: 50 }),
  liveFloor: Object.freeze({ minSharpe: 0.5, maxDrawdownPct: 20 }),
});

const bounds = {
  minSharpe: { expected: "a finite number", ok: (x: number) => Number.isFinite(x) },
  minWinRate: { expected: "a number in [0, 1]", ok: (x: number) => x >= 0 && x <= 1 },
  maxDrawdownPct: { expected: "a finite number >= 0", ok: (x: number) => Number.isFinite(x) && x >= 0 },
  minTrades: { expected: "an integer >= 0", ok: (x: number) => Number.isInteger(x) && x >= 0 },
} as const;

/** Merges `input` over the defaults and validates the result. */
export function resolveThresholds(input: LifecycleThresholdsInput | undefined): LifecycleThresholds {
  const invalid = (field: string, expected: string, received: unknown) =>
    new StrategyLifecycleError({ code: "INVALID_OPTIONS", field: `thresholds.${field}`, expected, received });
  const groups = {
    shadow: bounds,
    live: bounds,
    liveFloor: { minSharpe: bounds.minSharpe, maxDrawdownPct: bounds.maxDrawdownPct },
  };
  const resolved: Record<string, Record<string, number>> = {};
  for (const key of Object.keys(input ?? {})) {
    if (!(key in groups)) throw invalid(key, "one of shadow, live, liveFloor", key);
  }
  for (const [group, allowed] of Object.entries(groups) as [
    keyof LifecycleThresholds,
    Record<string, (typeof bounds)[keyof typeof bounds]>,
  ][]) {
    const merged: Record<string, unknown> = { ...defaultLifecycleThresholds[group], ...input?.[group] };
    for (const [name, value] of Object.entries(merged)) {
      const bound = allowed[name];
      if (bound === undefined)
        throw invalid(`${group}.${name}`, `one of ${Object.keys(allowed).join(", ")}`, name);
      if (value === undefined) {
        delete merged[name];
        continue;
      }
      if (typeof value !== "number" || !bound.ok(value))
        throw invalid(`${group}.${name}`, bound.expected, value);
    }
    resolved[group] = Object.freeze(merged as Record<string, number>);
  }
  const { live, liveFloor } = resolved as Record<string, Record<string, number | undefined>>;
  // A floor above the bar to go live would demote a strategy on the evaluation after its promotion.
  if (
    live?.minSharpe !== undefined &&
    liveFloor?.minSharpe !== undefined &&
    liveFloor.minSharpe > live.minSharpe
  ) {
    throw invalid("liveFloor.minSharpe", `<= live.minSharpe (${live.minSharpe})`, liveFloor.minSharpe);
  }
  if (
    live?.maxDrawdownPct !== undefined &&
    liveFloor?.maxDrawdownPct !== undefined &&
    liveFloor.maxDrawdownPct < live.maxDrawdownPct
  ) {
    throw invalid(
      "liveFloor.maxDrawdownPct",
      `>= live.maxDrawdownPct (${live.maxDrawdownPct})`,
      liveFloor.maxDrawdownPct,
    );
  }
  return Object.freeze(resolved) as unknown as LifecycleThresholds;
}

/** One bound checked against metrics, e.g. `{ passed: false, text: "sharpe 0.8 < 1" }`. */
export interface Check {
  readonly passed: boolean;
  readonly text: string;
}

/** Checks `metrics` against every bound of `requirements`, in a fixed order. */
export function checkRequirements(requirements: StageRequirements, metrics: StrategyMetrics): Check[] {
  const checks: Check[] = [];
  const atLeast = (name: string, value: number, min: number | undefined) => {
    if (min !== undefined)
      checks.push({ passed: value >= min, text: `${name} ${value} ${value >= min ? ">=" : "<"} ${min}` });
  };
  atLeast("sharpe", metrics.sharpe, requirements.minSharpe);
  atLeast("win_rate", metrics.winRate, requirements.minWinRate);
  const maxDd = requirements.maxDrawdownPct;
  if (maxDd !== undefined) {
    const passed = metrics.maxDrawdownPct <= maxDd;
    checks.push({
      passed,
      text: `max_drawdown_pct ${metrics.maxDrawdownPct} ${passed ? "<=" : ">"} ${maxDd}`,
    });
  }
  atLeast("trades", metrics.trades, requirements.minTrades);
  return checks;
}

/** The bounds of `floor` that `metrics` breach, as text; empty when none. */
export function floorBreaches(floor: LiveFloor, metrics: StrategyMetrics): string[] {
  const breaches: string[] = [];
  if (floor.minSharpe !== undefined && metrics.sharpe < floor.minSharpe) {
    breaches.push(`sharpe ${metrics.sharpe} < ${floor.minSharpe}`);
  }
  if (floor.maxDrawdownPct !== undefined && metrics.maxDrawdownPct > floor.maxDrawdownPct) {
    breaches.push(`max_drawdown_pct ${metrics.maxDrawdownPct} > ${floor.maxDrawdownPct}`);
  }
  return breaches;
}
