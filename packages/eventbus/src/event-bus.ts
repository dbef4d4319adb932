import type { EventEnvelope } from "./envelope.js";
import type { AnyEventOf, EventForPattern, EventMap, PatternOf } from "./event-map.js";
import type { BusStats } from "./stats.js";

/**
 * What a handler may learn about its delivery. Handlers that declare a second parameter receive
 * it; others pay nothing for it.
 */
export interface DeliveryContext {
  /** 1 on the first try, 2 on the first retry, and so on. */
  readonly attempt: number;
  /** Aborted when the handler times out or the bus gives up on it while stopping. */
  readonly signal: AbortSignal;
}

/** A handler: sync or async. A throw or rejection is a failed delivery (retried, then dead-lettered). */
export type EventHandler<E extends EventEnvelope = EventEnvelope> = (
  event: E,
  context: DeliveryContext,
) => void | Promise<void>;

/** How a subscription retries a failed delivery before it dead-letters it. */
export interface RetryPolicy {
  /** Tries in all, the first included. 1 means no retry. */
  maxAttempts: number;
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Cap on any delay. */
  maxDelayMs: number;
  /** Growth per retry (2 doubles). */
  factor: number;
  /** `full`: a random delay in [0, d]; `equal`: in [d/2, d]; `none`: exactly d. */
  jitter: "full" | "equal" | "none";
}

/**
 * The order a subscription sees events in.
 *
 * - `concurrent` (default): invocations start in publish order, but an async handler may be
 *   running for several events at once, so they may finish in any order.
 * - `serial`: one event at a time, in publish order; the next starts when the previous one has
 *   finished, retries included.
 * - `{ key }`: serial per key (e.g. per symbol), concurrent across keys.
 */
export type Ordering<E extends EventEnvelope = EventEnvelope> =
  | "concurrent"
  | "serial"
  | {
      /**
       * The event's lane, e.g. `(e) => e.payload.symbol`. Events with equal keys are handled one at a
       * time in publish order. If it throws, the error is logged and the event joins the `""` lane.
       */
      readonly key: (event: E) => string;
    };

/** Options of one subscription. */
export interface SubscribeOptions<E extends EventEnvelope = EventEnvelope> {
  /**
   * Consumer group. Handlers that subscribe the same pattern with the same group share the events
   * (each event goes to one of them); each group, and each handler without a group, gets every
   * event. On a broker the group is a durable consumer shared across processes.
   */
  group?: string;
  /** Name used in logs, stats and dead letters. Defaults to the function's name. */
  name?: string;
  /** Delivery order; see {@link Ordering}. */
  ordering?: Ordering<E>;
  /** Overrides the bus's retry policy for this subscription. */
  retry?: Partial<RetryPolicy>;
  /** Overrides the bus's `handlerTimeoutMs` for this subscription. */
  timeoutMs?: number;
  /** Unsubscribes when this signal aborts. */
  signal?: AbortSignal;
}

/**
 * A live subscription: call it (or `unsubscribe()`) to stop receiving events, or let `using`
 * dispose of it. Deliveries already started still finish.
 */
export interface Subscription {
  (): void;
  /** Stops new deliveries to this handler. Idempotent. */
  unsubscribe(): void;
  /** Same as `unsubscribe()`, for `using` declarations. */
  [Symbol.dispose](): void;
  /** Unique within its bus. */
  readonly id: string;
  /** The type or pattern subscribed. */
  readonly pattern: string;
  /** False once unsubscribed. */
  readonly active: boolean;
}

/**
 * The contract every bus satisfies, in-process or over a broker.
 *
 * @typeParam M - the event map: type name to payload. See {@link EventMap}.
 *
 * @example
 * ```ts
 * const bus: EventBus<QtEventMap> = new InMemoryEventBus();
 * bus.subscribe("policy.updated", (e) => console.log(e.payload.risk_mode));
 * void bus.runForever();
 * await bus.publish(PolicyUpdatedEvent.create({ ... }));
 * ```
 */
export interface EventBus<M extends EventMap = EventMap> {
  /**
   * Resolves once the bus has accepted the event (in memory: enqueued; on a broker:
   * acknowledged). Before `runForever`, the event waits in the queue.
   *
   * @throws {@link "@qt/eventbus"!EventValidationError} when a schema registry rejects the event.
   * @throws {@link "@qt/eventbus"!QueueFullError} on a full queue with policy `reject`.
   * @throws {@link "@qt/eventbus"!BusStoppedError} once `stop()` has been called.
   * @throws {@link "@qt/eventbus"!CausationDepthError} when a handler's publish would exceed the causation depth.
   */
  publish(event: AnyEventOf<M>): Promise<void>;

  /**
   * Calls `handler` for every event whose type matches `pattern` (an exact type, `trade.*`, `trade.>`
   * or `>`). Returns the subscription: call it to unsubscribe.
   *
   * @throws {@link "@qt/eventbus"!InvalidPatternError} when the pattern is malformed.
   */
  subscribe<P extends PatternOf<M>>(
    pattern: P,
    handler: EventHandler<EventForPattern<M, P>>,
    options?: SubscribeOptions<EventForPattern<M, P>>,
  ): Subscription;

  /** Removes every subscription of `handler` to exactly `pattern`. Returns whether any was removed. */
  unsubscribe<P extends PatternOf<M>>(pattern: P, handler: EventHandler<EventForPattern<M, P>>): boolean;

  /** Runs the bus until `stop()`; resolves once `stop()` has finished. Calling it again returns the same promise. */
  runForever(): Promise<void>;

  /**
   * Stops intake, drains the queue and the handlers in flight within a deadline, and
   * dead-letters whatever could not finish. Resolves when done; idempotent.
   */
  stop(options?: StopOptions): Promise<void>;

  /** Resolves when nothing is queued, running or waiting to retry. For tests and graceful hand-offs. */
  idle(): Promise<void>;

  /** A snapshot of the counters; cheap enough to poll. */
  getStats(): BusStats;
}

/** Options of `stop()`. */
export interface StopOptions {
  /** How long to drain before giving up and dead-lettering the rest. Defaults to the bus's `stopTimeoutMs`. */
  timeoutMs?: number;
}
