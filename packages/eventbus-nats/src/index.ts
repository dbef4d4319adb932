/**
 * `@qt/eventbus-nats`: the Quantum Trader `EventBus` over NATS JetStream. Durable consumer groups,
 * acks, retries with backoff, dead letters, replay, deduplicated publishes.
 *
 * @packageDocumentation
 * @module @qt/eventbus-nats
 */
export {
  DeadLetterHeaders,
  type DeadLetterSource,
  decodeDeadLetter,
  encodeDeadLetter,
  type NatsDeadLetter,
  type NatsDeadLetterReason,
} from "./dead-letter.js";
export { BrokerUnavailableError } from "./errors.js";
export { type NatsNames, natsNames } from "./naming.js";
export { DEPTH_HEADER, type NatsBusStats, NatsEventBus } from "./nats-event-bus.js";
export type {
  NatsEventBusOptions,
  NatsSubscribeOptions,
  PublishOutagePolicy,
  ReplayStart,
} from "./options.js";
