/**
 * `@qt/strategy-lifecycle`: moves strategies through BACKTEST -> SHADOW -> LIVE -> RETIRED on
 * metric thresholds and publishes `strategy.promoted` on every stage change.
 *
 * @packageDocumentation
 * @module @qt/strategy-lifecycle
 */
export { StrategyLifecycleError, type StrategyLifecycleErrorCode } from "./errors.js";
export {
  type StageTransition,
  StrategyLifecycleManager,
  type StrategyLifecycleManagerOptions,
} from "./strategy-lifecycle-manager.js";
export {
  defaultLifecycleThresholds,
  type LifecycleThresholds,
  type LifecycleThresholdsInput,
  type LiveFloor,
  type StageRequirements,
  type StrategyMetrics,
} from "./thresholds.js";
