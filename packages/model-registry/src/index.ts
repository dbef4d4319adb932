/**
 * `@qt/model-registry`: keeps model versions with their metrics and shadow performance, and
 * publishes `model.promoted` when a version becomes active.
 *
 * @packageDocumentation
 * @module @qt/model-registry
 */
export { ModelRegistryError, type ModelRegistryErrorCode } from "./errors.js";
export {
  type ModelMetrics,
  ModelRegistry,
  type ModelRegistryOptions,
  type ModelVersion,
  type Promotion,
  type ShadowImprovementGuard,
} from "./model-registry.js";
