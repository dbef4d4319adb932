/**
 * For sibling packages of `@qt/eventbus` (broker adapters) only: the pieces of the in-memory
 * bus's machinery an adapter reuses so that it behaves the same. Not covered by semver.
 *
 * @packageDocumentation
 * @module @qt/eventbus/internal
 */

export { toDeadLetterError } from "./dead-letter-store.js";
export {
  laneKeyOf,
  nonNegative,
  orderingKey,
  positive,
  positiveInteger,
  recordHandlerTime,
  reportHandlerFailure,
  type TimedAttempt,
  toSubscription,
} from "./delivery-support.js";
export { errorMessage } from "./errors.js";
export {
  currentHandlingContext,
  type HandlingContext,
  runInHandlingContext,
  withCausation,
} from "./event-context.js";
export { neverThrowing } from "./logger.js";
export { resolveRetryPolicy } from "./retry.js";
