import {
  type AnyEventOf,
  type EventEnvelope,
  type EventMap,
  type EventSchemaRegistry,
  EventValidationError,
  envelopeIssues,
  InvalidEventError,
  type ValidationIssue,
} from "@qt/eventbus";
import { describeValue } from "./issues.js";
import { type QtEvent, qtEventRegistry } from "./qt-events.js";
import type { EventRegistry } from "./registry.js";

// ISO 8601 date-time with a zone, as `Date.prototype.toISOString()` and most brokers write it.
// `Date.parse` alone would also accept locale formats such as "Nov 29 2025".
const ISO_DATE_TIME = /^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an event from untrusted input, such as `JSON.parse` of a message: checks the envelope,
 * turns an ISO 8601 `timestamp` string into a `Date`, then validates the payload against the
 * registry. Unknown envelope fields are dropped; unknown payload fields are refused. The payload
 * is the input's own object, validated but not copied. A missing `causationId` reads as `null`.
 *
 * Throws only the two errors below, whatever the input (`null`, a number, an object whose
 * getters throw...).
 *
 * @throws {@link "@qt/eventbus"!InvalidEventError} naming each missing or malformed envelope field.
 * @throws {@link "@qt/eventbus"!EventValidationError} for an unknown type or version, or a bad payload field.
 *
 * @example
 * ```ts
 * const event = parseEvent(JSON.parse(message.data)); // QtEvent
 * if (event.type === "trade.executed") console.log(event.payload.symbol, event.timestamp.getTime());
 * ```
 */
export function parseEvent(input: unknown): QtEvent;
export function parseEvent<M extends EventMap>(input: unknown, registry: EventRegistry<M>): AnyEventOf<M>;
export function parseEvent(input: unknown, registry: EventSchemaRegistry): EventEnvelope;
export function parseEvent(input: unknown, registry: EventSchemaRegistry = qtEventRegistry): EventEnvelope {
  try {
    const event = readEnvelope(input);
    registry.validate(event);
    return event;
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof EventValidationError) throw error;
    // A throwing getter or a misbehaving registry: still report it as a bad event.
    throw new InvalidEventError([{ path: "", message: "could not be read as an event" }], { cause: error });
  }
}

function readEnvelope(input: unknown): EventEnvelope {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new InvalidEventError([
      { path: "", message: `expected an object, received ${describeValue(input)}` },
    ]);
  }
  const raw = input as Record<string, unknown>;
  const timestamp =
    typeof raw.timestamp === "string" && ISO_DATE_TIME.test(raw.timestamp)
      ? new Date(raw.timestamp)
      : raw.timestamp;
  const candidate = {
    id: raw.id,
    type: raw.type,
    timestamp,
    payload: raw.payload,
    source: raw.source,
    correlationId: raw.correlationId,
    causationId: raw.causationId === undefined ? null : raw.causationId,
    version: raw.version,
  };
  const issues = envelopeIssues(candidate).map((issue) =>
    issue.path === "timestamp" ? timestampIssue(raw) : issue,
  );
  if (!("payload" in raw) && !issues.some((issue) => issue.path === "payload")) {
    issues.push({ path: "payload", message: "missing" });
  }
  if (issues.length > 0) throw new InvalidEventError(issues);
  return candidate as EventEnvelope;
}

function timestampIssue(raw: Record<string, unknown>): ValidationIssue {
  const value = raw.timestamp;
  const received =
    typeof value === "string" && value !== ""
      ? "a string that is not an ISO 8601 date-time"
      : describeValue(value);
  return {
    path: "timestamp",
    message: `expected a Date or an ISO 8601 date-time string, received ${received}`,
  };
}
