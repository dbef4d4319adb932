import { HealthMonitorError } from "./errors.js";

/**
 * The two levels of one metric. A value at or above `degraded` is DEGRADED, at or above
 * `critical` is CRITICAL; `critical` must be >= `degraded`.
 *
 * @example
 * ```ts
 * const latency: ThresholdLevels = { degraded: 500, critical: 2000 };
 * ```
 */
export interface ThresholdLevels {
  /** A value at or above it is DEGRADED. Finite and >= 0, in the metric's unit. */
  readonly degraded: number;
  /** A value at or above it is CRITICAL. At least `degraded`; equal to it, the metric is never DEGRADED. */
  readonly critical: number;
}

/**
 * The thresholds of every metric the monitor understands.
 *
 * - `drawdownPct`: drawdown from peak as a positive percentage of loss (5 means down 5 %).
 * - `errorRate`: failed / total operations, in [0, 1].
 * - `latencyMs`: p99 latency in milliseconds.
 *
 * @example
 * ```ts
 * const strict: HealthThresholds = { ...defaultHealthThresholds, drawdownPct: { degraded: 2, critical: 4 } };
 * ```
 */
export interface HealthThresholds {
  /** Drawdown from peak, as a positive % of loss (5 = down 5 %). Default 3 / 5. */
  readonly drawdownPct: ThresholdLevels;
  /** Failed / total operations; both levels in [0, 1]. Default 0.05 / 0.2. */
  readonly errorRate: ThresholdLevels;
  /** p99 latency in milliseconds. Default 500 / 2000. */
  readonly latencyMs: ThresholdLevels;
}

/**
 * What the constructor takes: any metric or level left out keeps its default.
 *
 * @example
 * ```ts
 * const thresholds: HealthThresholdsInput = { latencyMs: { critical: 5000 } };
 * ```
 */
export type HealthThresholdsInput = { readonly [K in keyof HealthThresholds]?: Partial<ThresholdLevels> };

/**
 * The defaults: drawdown 3 % / 5 %, error rate 5 % / 20 %, p99 latency 500 ms / 2 s.
 *
 * @example
 * ```ts
 * defaultHealthThresholds.drawdownPct.critical; // 5
 * ```
 */
export const defaultHealthThresholds: HealthThresholds = Object.freeze({
  drawdownPct: Object.freeze({ degraded: 3, critical: 5 }),
  errorRate: Object.freeze({ degraded: 0.05, critical: 0.2 }),
  latencyMs: Object.freeze({ degraded: 500, critical: 2000 }),
});

/** The metrics in a fixed order, for stable reasons and validation messages. */
export const metricNames = Object.freeze(["drawdownPct", "errorRate", "latencyMs"] as const);

/** Merges `input` over the defaults and validates the result. */
export function resolveThresholds(input: HealthThresholdsInput | undefined): HealthThresholds {
  if (input !== undefined && (typeof input !== "object" || input === null)) {
    throw invalid("thresholds", "an object", input);
  }
  for (const key of Object.keys(input ?? {})) {
    if (!(metricNames as readonly string[]).includes(key)) {
      throw invalid(`thresholds.${key}`, `one of ${metricNames.join(", ")}`, key);
    }
  }
  const resolved = {} as Record<keyof HealthThresholds, ThresholdLevels>;
  for (const name of metricNames) {
    const levels = { ...defaultHealthThresholds[name], ...input?.[name] };
    const upper = name === "errorRate" ? 1 : Number.POSITIVE_INFINITY;
    const range = name === "errorRate" ? "a number in [0, 1]" : "a finite number >= 0";
    for (const level of ["degraded", "critical"] as const) {
      const value = levels[level];
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > upper) {
        throw invalid(`thresholds.${name}.${level}`, range, value);
      }
    }
    if (levels.critical < levels.degraded) {
      throw invalid(`thresholds.${name}.critical`, `>= degraded (${levels.degraded})`, levels.critical);
    }
    resolved[name] = Object.freeze(levels);
  }
  return Object.freeze(resolved);
}

function invalid(field: string, expected: string, received: unknown): HealthMonitorError {
  return new HealthMonitorError({ code: "INVALID_THRESHOLDS", field, expected, received });
}
