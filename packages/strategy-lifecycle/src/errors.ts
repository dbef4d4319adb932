const MARKER = Symbol.for("@qt/strategy-lifecycle.error");

/**
 * The stable codes of {@link StrategyLifecycleError}.
 *
 * - `INVALID_OPTIONS`: a bad collaborator or threshold (naming it, e.g. `thresholds.live.minWinRate`).
 * - `INVALID_ARGUMENT`: an empty strategy id or reason, or an unknown stage.
 * - `INVALID_METRICS`: a metric missing, not finite, or out of range.
 * - `UNKNOWN_STRATEGY`: the strategy was never registered.
 * - `ALREADY_REGISTERED`: `register()` of a strategy already registered.
 * - `STRATEGY_RETIRED`: `evaluate()` of a retired strategy (RETIRED is final).
 *
 * @example
 * ```ts
 * const callerBugs: StrategyLifecycleErrorCode[] = ["UNKNOWN_STRATEGY", "STRATEGY_RETIRED"];
 * ```
 */
export type StrategyLifecycleErrorCode =
  | "INVALID_OPTIONS"
  | "INVALID_ARGUMENT"
  | "INVALID_METRICS"
  | "UNKNOWN_STRATEGY"
  | "ALREADY_REGISTERED"
  | "STRATEGY_RETIRED";

/**
 * The one error class of `@qt/strategy-lifecycle`. When it is thrown nothing was published and no
 * stage changed. Branch on `code`, read `field` and `strategyId`; `isInstance` works across
 * duplicate installs.
 *
 * @example
 * ```ts
 * try { await lifecycle.evaluate("trend-v3", metrics); }
 * catch (error) {
 *   if (StrategyLifecycleError.isInstance(error) && error.code === "UNKNOWN_STRATEGY") lifecycle.register("trend-v3");
 * }
 * ```
 */
export class StrategyLifecycleError extends Error {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: StrategyLifecycleErrorCode;
  /** The offending input, e.g. `metrics.winRate` or `strategyId`. */
  readonly field: string;
  /** What a valid value looks like. */
  readonly expected: string;
  /** A short description of what was received: a number or a type, never a string's content. */
  readonly received: string;
  /** The strategy concerned, when there is one. */
  readonly strategyId: string | undefined;

  constructor(init: {
    code: StrategyLifecycleErrorCode;
    field: string;
    expected: string;
    received: unknown;
    strategyId?: string | undefined;
  }) {
    const received = describe(init.received);
    const subject = init.strategyId === undefined ? "" : `strategy "${init.strategyId}": `;
    super(`${subject}${init.field}: expected ${init.expected}, received ${received}`);
    this.name = "StrategyLifecycleError";
    this.code = init.code;
    this.field = init.field;
    this.expected = init.expected;
    this.received = received;
    this.strategyId = init.strategyId;
  }

  /** True for any `StrategyLifecycleError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is StrategyLifecycleError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Describes a value for an error message without its content (strings may hold secrets). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return value === "" ? "empty string" : `string (${value.length} chars)`;
  return typeof value;
}
