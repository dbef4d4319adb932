import { SerialQueue } from "@qt/eventbus";
import { HealthStatus, HealthStatusChangedEvent, type QtEventBus } from "@qt/events";
import { HealthMonitorError } from "./errors.js";
import {
  type HealthThresholds,
  type HealthThresholdsInput,
  metricNames,
  resolveThresholds,
} from "./thresholds.js";

/**
 * One report's measurements of a component; give at least one. Each report is a complete
 * snapshot: a metric left out is not considered (nor remembered from an earlier report).
 *
 * @example
 * ```ts
 * const metrics: HealthMetrics = { drawdownPct: 5.2, latencyMs: 180 }; // down 5.2 % from peak
 * ```
 */
export interface HealthMetrics {
  /** Drawdown from peak as a positive percentage of loss (5.2 means down 5.2 %). >= 0. */
  readonly drawdownPct?: number;
  /** Failed / total operations, in [0, 1]. */
  readonly errorRate?: number;
  /** p99 latency in milliseconds, >= 0. */
  readonly latencyMs?: number;
}

/**
 * What {@link HealthMonitor.report} concluded.
 *
 * @example
 * ```ts
 * const { status, changed, reason } = await monitor.report("executor", { errorRate: 0.3 });
 * ```
 */
export interface HealthReport {
  /** The component reported on. */
  readonly component: string;
  /** Its status before this report. */
  readonly previousStatus: HealthStatus;
  /** Its status now. */
  readonly status: HealthStatus;
  /** True when the status changed, and so `health.status_changed` was published. */
  readonly changed: boolean;
  /** Which metrics decided, against which thresholds, e.g. `error_rate 0.3 >= critical 0.2`. */
  readonly reason: string;
  /** The metrics as published: snake_case keys (`drawdown_pct`, `error_rate`, `latency_ms`). */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Options of {@link HealthMonitor}.
 *
 * @example
 * ```ts
 * const options: HealthMonitorOptions = { eventBus: bus, thresholds: { drawdownPct: { degraded: 2 } } };
 * ```
 */
export interface HealthMonitorOptions {
  /** Where `health.status_changed` is published. */
  readonly eventBus: QtEventBus;
  /** Overrides of {@link defaultHealthThresholds}, per metric and level. */
  readonly thresholds?: HealthThresholdsInput;
  /** The events' `source`. Default `"health-monitor"`. */
  readonly source?: string;
  /** The events' timestamp. Default `() => new Date()`. */
  readonly clock?: () => Date;
}

const wireNames = { drawdownPct: "drawdown_pct", errorRate: "error_rate", latencyMs: "latency_ms" } as const;
const severity = { HEALTHY: 0, DEGRADED: 1, CRITICAL: 2 } as const;

/**
 * Turns component metrics into health statuses, and publishes `health.status_changed` each time
 * a component's status changes. Every component starts HEALTHY, so a first HEALTHY report
 * publishes nothing.
 *
 * A metric is CRITICAL at or above its critical threshold, DEGRADED at or above its degraded one;
 * the component's status is the worst over the metrics of the report.
 *
 * @example
 * ```ts
 * const monitor = new HealthMonitor({ eventBus: bus });
 * await monitor.report("DrawdownGuard", { drawdownPct: 5.2 }); // publishes HEALTHY -> CRITICAL
 * monitor.status("DrawdownGuard"); // "CRITICAL"
 * ```
 */
export class HealthMonitor {
  readonly #bus: QtEventBus;
  readonly #source: string;
  readonly #clock: () => Date;
  readonly #statuses = new Map<string, HealthStatus>();
  readonly #queue = new SerialQueue();
  /** The thresholds in force: the defaults merged with the options. */
  readonly thresholds: HealthThresholds;

  /** @throws {@link HealthMonitorError} `INVALID_THRESHOLDS` or `INVALID_OPTIONS`, naming the field. */
  constructor(options: HealthMonitorOptions) {
    if (typeof options?.eventBus?.publish !== "function") {
      throw new HealthMonitorError({
        code: "INVALID_OPTIONS",
        field: "options.eventBus",
        expected: "an EventBus",
        received: options?.eventBus,
      });
    }
    const source = options.source ?? "health-monitor";
    if (typeof source !== "string" || source === "") {
      throw new HealthMonitorError({
        code: "INVALID_OPTIONS",
        field: "options.source",
        expected: "a non-empty string",
        received: source,
      });
    }
    this.thresholds = resolveThresholds(options.thresholds);
    this.#bus = options.eventBus;
    this.#source = source;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Computes `component`'s status from `metrics` and, if it differs from the current one,
   * publishes `health.status_changed` and then records it. Reports are applied one at a time in
   * call order.
   *
   * @throws {@link HealthMonitorError} `INVALID_COMPONENT` or `INVALID_METRICS` (nothing changed),
   *   or the bus's error if it refuses the event (the status stays as it was).
   *
   * @example
   * ```ts
   * const result = await monitor.report("executor", { errorRate: 0.08, latencyMs: 120 });
   * if (result.changed) console.log(result.previousStatus, "->", result.status, result.reason);
   * ```
   */
  report(component: string, metrics: HealthMetrics): Promise<HealthReport> {
    let assessment: Assessment;
    try {
      if (typeof component !== "string" || component.trim() === "") {
        throw new HealthMonitorError({
          code: "INVALID_COMPONENT",
          field: "component",
          expected: "a non-empty string",
          received: component,
        });
      }
      assessment = assess(metrics, this.thresholds);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.run(async () => {
      const previousStatus = this.status(component);
      const { status, reason, wireMetrics } = assessment;
      const changed = status !== previousStatus;
      if (changed) {
        await this.#bus.publish(
          HealthStatusChangedEvent.create(
            { old_status: previousStatus, new_status: status, component, reason, metrics: wireMetrics },
            { source: this.#source, timestamp: this.#clock() },
          ),
        );
        this.#statuses.set(component, status);
      }
      return { component, previousStatus, status, changed, reason, metrics: wireMetrics };
    });
  }

  /**
   * The current status of `component`: HEALTHY until a report says otherwise.
   *
   * @example
   * ```ts
   * if (monitor.status("executor") === HealthStatus.CRITICAL) haltTrading();
   * ```
   */
  status(component: string): HealthStatus {
    return this.#statuses.get(component) ?? HealthStatus.HEALTHY;
  }

  /**
   * Every component whose status is not HEALTHY, with that status.
   *
   * @example
   * ```ts
   * for (const [component, status] of monitor.unhealthy()) console.log(component, status);
   * ```
   */
  unhealthy(): [component: string, status: HealthStatus][] {
    return [...this.#statuses].filter(([, status]) => status !== HealthStatus.HEALTHY);
  }
}

interface Assessment {
  status: HealthStatus;
  reason: string;
  wireMetrics: Record<string, number>;
}

function assess(metrics: HealthMetrics, thresholds: HealthThresholds): Assessment {
  const invalid = (field: string, expected: string, received: unknown) =>
    new HealthMonitorError({ code: "INVALID_METRICS", field, expected, received });
  if (typeof metrics !== "object" || metrics === null) throw invalid("metrics", "an object", metrics);
  for (const key of Object.keys(metrics)) {
    if (!(metricNames as readonly string[]).includes(key)) {
      throw invalid(`metrics.${key}`, `one of ${metricNames.join(", ")}`, key);
    }
  }
  const wireMetrics: Record<string, number> = {};
  const findings: { status: HealthStatus; text: string }[] = [];
  for (const name of metricNames) {
    const value = metrics[name];
    if (value === undefined) continue;
    const upper = name === "errorRate" ? 1 : Number.POSITIVE_INFINITY;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > upper) {
      throw invalid(
        `metrics.${name}`,
        name === "errorRate" ? "a number in [0, 1]" : "a finite number >= 0",
        value,
      );
    }
    const wire = wireNames[name];
    const { degraded, critical } = thresholds[name];
    wireMetrics[wire] = value;
    if (value >= critical)
      findings.push({ status: "CRITICAL", text: `${wire} ${value} >= critical ${critical}` });
    else if (value >= degraded)
      findings.push({ status: "DEGRADED", text: `${wire} ${value} >= degraded ${degraded}` });
    else findings.push({ status: "HEALTHY", text: `${wire} ${value} < degraded ${degraded}` });
  }
  if (findings.length === 0) {
    throw invalid("metrics", `at least one of ${metricNames.join(", ")}`, metrics);
  }
  const status = findings.reduce<HealthStatus>(
    (worst, f) => (severity[f.status] > severity[worst] ? f.status : worst),
    "HEALTHY",
  );
  const decisive = findings.filter((f) => f.status === status).map((f) => f.text);
  const reason =
    status === "HEALTHY" ? `all metrics within thresholds: ${decisive.join(", ")}` : decisive.join("; ");
  return { status, reason, wireMetrics };
}
