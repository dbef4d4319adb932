/**
 * `@qt/eventbus`: the event bus contract of Quantum Trader and its in-process implementation.
 *
 * @packageDocumentation
 * @module @qt/eventbus
 */
export { type CloudEvent, fromCloudEvent, toCloudEvent } from "./cloud-event.js";
export {
  type DeadLetter,
  type DeadLetterError,
  type DeadLetterReason,
  type DeadLetterStore,
  InMemoryDeadLetterStore,
} from "./dead-letter-store.js";
export {
  assertEventEnvelope,
  type CreateEventOptions,
  createEvent,
  type EventEnvelope,
  envelopeIssues,
} from "./envelope.js";
export {
  BusStoppedError,
  CausationDepthError,
  DeadLetterNotFoundError,
  EventBusError,
  type EventBusErrorCode,
  EventValidationError,
  HandlerError,
  type HandlerRef,
  HandlerTimeoutError,
  InvalidEventError,
  InvalidPatternError,
  QueueFullError,
  SerializationError,
  type ValidationIssue,
} from "./errors.js";
export type {
  DeliveryContext,
  EventBus,
  EventHandler,
  Ordering,
  RetryPolicy,
  StopOptions,
  SubscribeOptions,
  Subscription,
} from "./event-bus.js";
export type {
  AnyEventOf,
  EventForPattern,
  EventMap,
  EventOf,
  EventTypeOf,
  Matches,
  PatternOf,
} from "./event-map.js";
export { type IdempotentOptions, idempotent } from "./idempotent.js";
export {
  type DeadLetterCapable,
  type FullQueuePolicy,
  InMemoryEventBus,
  type InMemoryEventBusOptions,
} from "./in-memory-event-bus.js";
export { describeInput, hasBrand, InputError, type InputErrorInit } from "./input-error.js";
export type { LatencySummary } from "./latency-histogram.js";
export { type LatestOnlyOptions, latestOnly } from "./latest-only.js";
export { consoleLogger, type Logger, silentLogger } from "./logger.js";
export { assertEventType, type CompiledPattern, compilePattern } from "./pattern.js";
export { backoffDelay, defaultRetryPolicy } from "./retry.js";
export type { EventSchemaRegistry } from "./schema-registry.js";
export { SerialQueue } from "./serial-queue.js";
export { deserializeEvent, serializeEvent, toWireEvent, type WireEvent } from "./serialization.js";
export { type BusStats, StatsCollector, type StatsGauges, type TypeStats } from "./stats.js";
