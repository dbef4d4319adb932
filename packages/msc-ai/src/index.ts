/**
 * `@qt/msc-ai`: the meta strategy controller. Owns the global risk mode, stores it, publishes
 * `policy.updated`, and reacts to health and market regime changes.
 *
 * @packageDocumentation
 * @module @qt/msc-ai
 */
export {
  ControllerClosedError,
  InvalidAllowedStrategiesError,
  InvalidConfigError,
  InvalidRiskModeError,
  MscAiError,
  type MscAiErrorCode,
  UnknownRegimeError,
} from "./errors.js";
export {
  MetaStrategyController,
  type MetaStrategyControllerOptions,
  type RecoveryOptions,
} from "./meta-strategy-controller.js";
export {
  defaultModeTable,
  type ModeParameters,
  type ModeTable,
  type ModeTableInput,
  parseModeTable,
} from "./mode-table.js";
export {
  InMemoryPolicyStore,
  type InMemoryPolicyStoreOptions,
  type PolicyStore,
  type StoredPolicy,
} from "./policy-store.js";
export {
  defaultRegimeMap,
  MarketRegime,
  type MarketRegimeName,
  parseRegimeMap,
  type RegimeMap,
  riskModeForRegime,
} from "./regime.js";
export { systemTimers, type Timers } from "./timers.js";
