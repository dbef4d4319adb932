import { hasBrand, InputError, type InputErrorInit } from "@qt/eventbus";

const MARKER = Symbol.for("@qt/health-monitor.error");

/**
 * The stable codes of {@link HealthMonitorError}.
 *
 * - `INVALID_OPTIONS`: a missing or wrong collaborator (e.g. no event bus).
 * - `INVALID_THRESHOLDS`: a threshold is negative, not finite, or its critical level is below its degraded one.
 * - `INVALID_COMPONENT`: the component name is not a non-empty string.
 * - `INVALID_METRICS`: no metric given, an unknown metric, or a value out of range.
 *
 * @example
 * ```ts
 * const configBugs: HealthMonitorErrorCode[] = ["INVALID_OPTIONS", "INVALID_THRESHOLDS"];
 * ```
 */
export type HealthMonitorErrorCode =
  | "INVALID_OPTIONS"
  | "INVALID_THRESHOLDS"
  | "INVALID_COMPONENT"
  | "INVALID_METRICS";

/**
 * The one error class of `@qt/health-monitor`. When it is thrown nothing was published and no
 * status changed. Branch on `code`, read `field`; `isInstance` works across duplicate installs.
 *
 * @example
 * ```ts
 * try { await monitor.report("executor", { errorRate: rate }); }
 * catch (error) { if (HealthMonitorError.isInstance(error)) log.warn({ field: error.field }, error.message); }
 * ```
 */
export class HealthMonitorError extends InputError<HealthMonitorErrorCode> {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;

  constructor(init: InputErrorInit<HealthMonitorErrorCode> & {}) {
    super(init);
    this.name = "HealthMonitorError";
  }

  /** True for any `HealthMonitorError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is HealthMonitorError {
    return hasBrand(value, MARKER);
  }
}
