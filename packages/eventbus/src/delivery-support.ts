import type { EventEnvelope } from "./envelope.js";
import { errorMessage, HandlerError, type HandlerRef, HandlerTimeoutError } from "./errors.js";
import type { Ordering, Subscription } from "./event-bus.js";
import type { Logger } from "./logger.js";
import type { StatsCollector } from "./stats.js";

// The parts of delivering an event that every bus implementation does the same way: written
// once here, used by InMemoryEventBus and the broker adapters (through `@qt/eventbus/internal`).

/**
 * Builds the {@link Subscription} handed back by `subscribe`: callable, with `unsubscribe()` and
 * `Symbol.dispose`, and unsubscribed when `signal` aborts.
 */
export function toSubscription(
  unsubscribe: () => void,
  init: { id: string; pattern: string; isActive: () => boolean; signal: AbortSignal | undefined },
): Subscription {
  init.signal?.addEventListener("abort", unsubscribe, { once: true });
  if (init.signal?.aborted) unsubscribe();
  return Object.defineProperties(unsubscribe, {
    unsubscribe: { value: unsubscribe },
    [Symbol.dispose]: { value: unsubscribe },
    id: { value: init.id },
    pattern: { value: init.pattern },
    active: { get: init.isActive },
  }) as unknown as Subscription;
}

/**
 * The lane key function of an {@link Ordering}: `undefined` for concurrent delivery, one shared
 * lane for `serial`, the given function for `{ key }`.
 *
 * @throws RangeError for anything else.
 */
export function orderingKey(ordering: Ordering | undefined): ((event: EventEnvelope) => string) | undefined {
  if (ordering === undefined || ordering === "concurrent") return undefined;
  if (ordering === "serial") return () => "";
  if (typeof ordering === "object" && typeof ordering.key === "function") return ordering.key;
  throw new RangeError(`ordering must be "concurrent", "serial" or { key: (event) => string }`);
}

/** Runs a subscription's key function; if it throws, logs it and orders the event in the shared lane. */
export function laneKeyOf(
  keyOf: (event: EventEnvelope) => string,
  event: EventEnvelope,
  handler: HandlerRef,
  logger: Logger,
): string {
  try {
    return keyOf(event);
  } catch (error) {
    logger.error(
      { eventId: event.id, eventType: event.type, handler: handler.handlerName, error: errorMessage(error) },
      "ordering key function threw: event ordered in the shared lane",
    );
    return "";
  }
}

/** What {@link recordHandlerTime} needs to know about one finished attempt. */
export interface TimedAttempt {
  /** The event the attempt handled (its id and type go in the slow-handler log). */
  readonly event: EventEnvelope;
  /** The subscription that ran it. */
  readonly handler: HandlerRef;
  /** When the attempt started, on the bus's clock (ms). */
  readonly startedAt: number;
  /** Per subscription: when a slow attempt of it was last logged (updated here). */
  readonly slowLog: {
    /** Start time (bus clock, ms) of the last attempt logged as slow. */
    lastLoggedAt: number;
  };
}

/**
 * Records an attempt's run time in the stats and counts and logs it if slower than
 * `slowHandlerMs`; a handler that is always slow is logged once per 10 s, not once per event.
 */
export function recordHandlerTime(
  attempt: TimedAttempt,
  now: number,
  slowHandlerMs: number,
  stats: StatsCollector,
  logger: Logger,
): void {
  const elapsed = now - attempt.startedAt;
  stats.latency.record(elapsed);
  if (elapsed <= slowHandlerMs) return;
  stats.slowHandlers++;
  if (attempt.startedAt - attempt.slowLog.lastLoggedAt <= 10_000) return;
  attempt.slowLog.lastLoggedAt = attempt.startedAt;
  logger.warn(
    {
      eventType: attempt.event.type,
      eventId: attempt.event.id,
      handler: attempt.handler.handlerName,
      elapsedMs: elapsed,
    },
    `slow handler: took longer than ${slowHandlerMs} ms`,
  );
}

/**
 * Counts, logs and hands to `onError` one failed attempt, the same way on every bus, and returns
 * the {@link HandlerError} describing it. A throwing `onError` is logged, never rethrown.
 */
export function reportHandlerFailure(
  failure: { event: EventEnvelope; handler: HandlerRef; attempt: number; willRetry: boolean; error: unknown },
  stats: StatsCollector,
  logger: Logger,
  onError: ((error: HandlerError) => void) | undefined,
): HandlerError {
  const { event, handler, attempt, willRetry, error } = failure;
  const reported = new HandlerError({
    code: error instanceof HandlerTimeoutError ? "HANDLER_TIMEOUT" : "HANDLER_FAILED",
    eventId: event.id,
    eventType: event.type,
    handler,
    attempt,
    willRetry,
    cause: error,
  });
  stats.errors++;
  stats.forType(event.type).errors++;
  logger.error(
    {
      eventId: event.id,
      eventType: event.type,
      handler: handler.handlerName,
      subscriptionId: handler.subscriptionId,
      attempt,
      willRetry,
      error: errorMessage(error),
      code: reported.code,
    },
    "event handler failed",
  );
  try {
    onError?.(reported);
  } catch (hookError) {
    logger.error({ hook: "onError", error: errorMessage(hookError) }, "onError hook threw");
  }
  return reported;
}

/** Checks a numeric option: an integer >= 1. @throws RangeError naming it. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  return value;
}

/** Checks a numeric option: a finite number > 0. @throws RangeError naming it. */
export function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a number > 0, got ${value}`);
  return value;
}

/** Checks a numeric option: a finite number >= 0. @throws RangeError naming it. */
export function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a number >= 0, got ${value}`);
  return value;
}
