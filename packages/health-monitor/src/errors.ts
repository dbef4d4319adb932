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
export class HealthMonitorError extends Error {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: HealthMonitorErrorCode;
  /** The offending input, e.g. `thresholds.errorRate.critical` or `metrics.latencyMs`. */
  readonly field: string;
  /** What a valid value looks like. */
  readonly expected: string;
  /** A short description of what was received: a number or a type, never a string's content. */
  readonly received: string;

  constructor(init: { code: HealthMonitorErrorCode; field: string; expected: string; received: unknown }) {
    const received = describe(init.received);
    super(`${init.field}: expected ${init.expected}, received ${received}`);
    this.name = "HealthMonitorError";
    this.code = init.code;
    this.field = init.field;
    this.expected = init.expected;
    this.received = received;
  }

  /** True for any `HealthMonitorError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is HealthMonitorError {
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
