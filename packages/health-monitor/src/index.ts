/**
 * `@qt/health-monitor`: turns drawdown, error rates and latencies into component health
 * statuses, and publishes `health.status_changed` on every change.
 *
 * @packageDocumentation
 * @module @qt/health-monitor
 */
export { HealthMonitorError, type HealthMonitorErrorCode } from "./errors.js";
export {
  type HealthMetrics,
  HealthMonitor,
  type HealthMonitorOptions,
  type HealthReport,
} from "./health-monitor.js";
export {
  defaultHealthThresholds,
  type HealthThresholds,
  type HealthThresholdsInput,
  type ThresholdLevels,
} from "./thresholds.js";
