/**
 * Every error the bus throws or reports is an {@link EventBusError}: a class with a stable string
 * `code`, structured fields and an optional `cause`. Callers branch on `code` (or on
 * `EventBusError.isInstance`), never on message text.
 *
 * @packageDocumentation
 */

const MARKER = Symbol.for("@qt/eventbus.error");

/** The stable codes of every error this package defines. */
export type EventBusErrorCode =
  | "EVENT_VALIDATION"
  | "QUEUE_FULL"
  | "BUS_STOPPED"
  | "HANDLER_FAILED"
  | "HANDLER_TIMEOUT"
  | "CAUSATION_DEPTH_EXCEEDED"
  | "INVALID_PATTERN"
  | "INVALID_EVENT"
  | "SERIALIZATION"
  | "DEAD_LETTER_NOT_FOUND"
  | "HANDLER_NOT_SUBSCRIBED"
  | "BROKER_UNAVAILABLE";

/**
 * Base class of every error of `@qt/eventbus` and its adapters.
 *
 * `isInstance` works across duplicate installs of the package (it checks a `Symbol.for` marker,
 * not the prototype chain).
 *
 * @example
 * ```ts
 * try { await bus.publish(event); }
 * catch (error) { if (EventBusError.isInstance(error) && error.code === "QUEUE_FULL") retryLater(); }
 * ```
 */
export class EventBusError extends Error {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: EventBusErrorCode;

  constructor(code: EventBusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EventBusError";
    this.code = code;
  }

  /** True for any `EventBusError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is EventBusError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * The message of any thrown value, for logs: an `Error`'s message, else the value as a string.
 *
 * @example
 * ```ts
 * logger.error({ error: errorMessage(error) }, "handler failed");
 * ```
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One problem found while validating an event. */
export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `payload.max_risk_per_trade`; empty for the whole event. */
  readonly path: string;
  /** What was wrong, in words, e.g. `expected number <= 1, received 1.5`. */
  readonly message: string;
}

/**
 * An event failed its schema: thrown by event factories and by `publish` on a bus that has a
 * schema registry. Nothing was enqueued.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof EventValidationError) console.log(e.issues[0]?.path); }
 * ```
 */
export class EventValidationError extends EventBusError {
  /** The event type that was being validated (may be the raw, unknown value's type). */
  readonly eventType: string;
  /** Every problem found, each naming its field. */
  readonly issues: readonly ValidationIssue[];

  constructor(eventType: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    super("EVENT_VALIDATION", `Invalid "${eventType}" event: ${detail || "unknown problem"}`, options);
    this.name = "EventValidationError";
    this.eventType = eventType;
    this.issues = issues;
  }
}

/** `publish` on a full queue whose policy is `reject`. The event was not enqueued. */
export class QueueFullError extends EventBusError {
  /** The queue's capacity. */
  readonly maxQueueSize: number;
  /** Type of the event that was refused. */
  readonly eventType: string;

  constructor(eventType: string, maxQueueSize: number) {
    super("QUEUE_FULL", `Queue full (${maxQueueSize} events): "${eventType}" event refused`);
    this.name = "QueueFullError";
    this.eventType = eventType;
    this.maxQueueSize = maxQueueSize;
  }
}

/** The bus is stopping or stopped and takes no new events. The event was not enqueued. */
export class BusStoppedError extends EventBusError {
  /** Type of the event that was refused. */
  readonly eventType: string;

  constructor(eventType: string) {
    super("BUS_STOPPED", `The bus is stopped: "${eventType}" event refused`);
    this.name = "BusStoppedError";
    this.eventType = eventType;
  }
}

/** Where a failing handler was subscribed: enough to find it in code and in logs. */
export interface HandlerRef {
  /** The subscription's id, unique within one bus. */
  readonly subscriptionId: string;
  /** The type or pattern it subscribed to. */
  readonly pattern: string;
  /** The handler's name (`options.name`, else the function's name, else `anonymous`). */
  readonly handlerName: string;
  /** The consumer group, if any. */
  readonly group: string | undefined;
}

/**
 * A handler threw, rejected or timed out. Passed to `onError` and kept (in a plain form) in
 * dead letters; the original error is the `cause`.
 */
export class HandlerError extends EventBusError {
  /** The event being handled. */
  readonly eventId: string;
  /** Its type. */
  readonly eventType: string;
  /** Which handler failed. */
  readonly handler: HandlerRef;
  /** 1 for the first try. */
  readonly attempt: number;
  /** True when the subscription will try again. */
  readonly willRetry: boolean;

  constructor(init: {
    code?: "HANDLER_FAILED" | "HANDLER_TIMEOUT";
    eventId: string;
    eventType: string;
    handler: HandlerRef;
    attempt: number;
    willRetry: boolean;
    cause: unknown;
  }) {
    const reason = init.cause instanceof Error ? init.cause.message : String(init.cause);
    super(
      init.code ?? "HANDLER_FAILED",
      `Handler "${init.handler.handlerName}" failed on "${init.eventType}" (attempt ${init.attempt}): ${reason}`,
      { cause: init.cause },
    );
    this.name = "HandlerError";
    this.eventId = init.eventId;
    this.eventType = init.eventType;
    this.handler = init.handler;
    this.attempt = init.attempt;
    this.willRetry = init.willRetry;
  }
}

/** A handler ran longer than `handlerTimeoutMs`. It is treated as a failure (retry, then dead letter). */
export class HandlerTimeoutError extends EventBusError {
  /** The limit that was exceeded. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super("HANDLER_TIMEOUT", `Handler did not finish within ${timeoutMs} ms`);
    this.name = "HandlerTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A handler published an event whose causation chain is deeper than the bus allows: almost always
 * an event cycle (A causes B causes A...). The event was not enqueued.
 */
export class CausationDepthError extends EventBusError {
  /** Type of the refused event. */
  readonly eventType: string;
  /** The correlation id of the runaway chain. */
  readonly correlationId: string;
  /** The configured limit. */
  readonly maxDepth: number;

  constructor(eventType: string, correlationId: string, maxDepth: number) {
    super(
      "CAUSATION_DEPTH_EXCEEDED",
      `"${eventType}" would be caused ${maxDepth + 1} events deep in chain ${correlationId} (limit ${maxDepth}): probably an event cycle`,
    );
    this.name = "CausationDepthError";
    this.eventType = eventType;
    this.correlationId = correlationId;
    this.maxDepth = maxDepth;
  }
}

/** A subscription pattern or event type is malformed (e.g. empty segment, `>` not last). */
export class InvalidPatternError extends EventBusError {
  /** The malformed pattern. */
  readonly pattern: string;

  constructor(pattern: string, reason: string) {
    super("INVALID_PATTERN", `Invalid event type or pattern "${pattern}": ${reason}`);
    this.name = "InvalidPatternError";
    this.pattern = pattern;
  }
}

/** A value is not an event envelope (missing id, type, timestamp...), or could not be decoded. */
export class InvalidEventError extends EventBusError {
  /** What was wrong, field by field. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    super("INVALID_EVENT", `Not a valid event: ${detail}`, options);
    this.name = "InvalidEventError";
    this.issues = issues;
  }
}

/** A payload holds a value that JSON cannot carry exactly (NaN, Infinity, BigInt, a function...). */
export class SerializationError extends EventBusError {
  /** Dotted path of the value, e.g. `payload.metrics.sharpe`. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super("SERIALIZATION", `Cannot serialise ${path}: ${reason}`);
    this.name = "SerializationError";
    this.path = path;
  }
}

/** `requeue` was given a dead-letter id the store does not hold. */
export class DeadLetterNotFoundError extends EventBusError {
  /** The unknown id. */
  readonly deadLetterId: string;

  constructor(deadLetterId: string) {
    super("DEAD_LETTER_NOT_FOUND", `No dead letter with id "${deadLetterId}"`);
    this.name = "DeadLetterNotFoundError";
    this.deadLetterId = deadLetterId;
  }
}
