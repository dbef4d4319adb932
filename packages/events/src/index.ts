/**
 * `@qt/events`: the typed Quantum Trader events. One zod schema per event is the single source of
 * truth of its payload type, its validating factory, its registry entry and its JSON Schema.
 *
 * @packageDocumentation
 * @module @qt/events
 */
export {
  defineEvent,
  type EventDefinition,
  type EventOptions,
  type EventSchemaDefinition,
  type WithDefaults,
} from "./define-event.js";
export {
  HealthStatus,
  HealthStatusSchema,
  RiskMode,
  RiskModeSchema,
  StrategyLifecycle,
  StrategyLifecycleSchema,
  TradeSide,
  TradeSideSchema,
} from "./enums.js";
export { HealthStatusChangedEvent, type HealthStatusChangedPayload } from "./health-status-changed.js";
export { describeValue, toValidationIssues } from "./issues.js";
export { type JSONSchema, toJSONSchemas } from "./json-schema.js";
export { ModelPromotedEvent, type ModelPromotedPayload } from "./model-promoted.js";
export { OpportunitiesUpdatedEvent, type OpportunitiesUpdatedPayload } from "./opportunities-updated.js";
export { parseEvent } from "./parse-event.js";
export { PolicyUpdatedEvent, type PolicyUpdatedPayload } from "./policy-updated.js";
export {
  type QtEvent,
  type QtEventBus,
  type QtEventMap,
  type QtEventType,
  qtEventDefinitions,
  qtEventRegistry,
} from "./qt-events.js";
export { createEventRegistry, type EventMapOf, type EventRegistry } from "./registry.js";
export { StrategyPromotedEvent, type StrategyPromotedPayload } from "./strategy-promoted.js";
export { TradeExecutedEvent, type TradeExecutedPayload } from "./trade-executed.js";
