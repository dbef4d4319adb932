import { hasBrand, InputError, type InputErrorInit } from "@qt/eventbus";

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
export class StrategyLifecycleError extends InputError<StrategyLifecycleErrorCode> {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** The strategy the error is about, if any. */
  readonly strategyId: string | undefined;

  constructor(init: InputErrorInit<StrategyLifecycleErrorCode> & { strategyId?: string | undefined }) {
    super({ ...init, subject: init.strategyId === undefined ? undefined : `strategy "${init.strategyId}"` });
    this.name = "StrategyLifecycleError";
    this.strategyId = init.strategyId;
  }

  /** True for any `StrategyLifecycleError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is StrategyLifecycleError {
    return hasBrand(value, MARKER);
  }
}
