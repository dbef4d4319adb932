import { randomUUID } from "node:crypto";
import { InvalidEventError, type ValidationIssue } from "./errors.js";
import { assertEventType } from "./pattern.js";

/**
 * The envelope every event travels in, on every bus.
 *
 * Envelopes are plain data: treat them as immutable. `correlationId` ties together every event
 * caused, directly or not, by one root event; `causationId` is the id of the event whose handler
 * published this one (`null` for a root event).
 *
 * @typeParam T - the event type, e.g. `"policy.updated"`.
 * @typeParam P - the payload.
 */
export interface EventEnvelope<T extends string = string, P = unknown> {
  /** Unique id (a UUID unless given). Brokers use it to deduplicate. */
  readonly id: string;
  /** Dot-separated type, e.g. `trade.executed`. */
  readonly type: T;
  /** When the event was created. */
  readonly timestamp: Date;
  /** The event's data. */
  readonly payload: P;
  /** Who published it, e.g. `msc-ai`. */
  readonly source: string;
  /** Shared by a root event and everything it caused. A root event's is its own id. */
  readonly correlationId: string;
  /** The id of the event whose handling published this one; `null` for a root event. */
  readonly causationId: string | null;
  /** The payload schema's version, for consumers to evolve safely. */
  readonly version: number;
}

/** Fields a publisher may set when creating an event; everything else has a default. */
export interface CreateEventOptions {
  /** Defaults to a new UUID. */
  id?: string;
  /** Defaults to now. */
  timestamp?: Date;
  /** Defaults to `"unknown"`. */
  source?: string;
  /** Defaults to the event's own id (a root event), or is filled in by the bus inside a handler. */
  correlationId?: string;
  /** Defaults to `null`, or is filled in by the bus inside a handler. */
  causationId?: string | null;
  /** Defaults to 1. */
  version?: number;
}

/**
 * Creates an envelope with defaults for every field not given.
 *
 * Published from inside a handler, the bus fills in the correlation and causation ids from the
 * event being handled (unless they were given here).
 *
 * @example
 * ```ts
 * const event = createEvent("trade.executed", { order_id: "o-1", symbol: "BTCUSDT" }, { source: "executor" });
 * await bus.publish(event);
 * ```
 */
export function createEvent<T extends string, P>(
  type: T,
  payload: P,
  options: CreateEventOptions = {},
): EventEnvelope<T, P> {
  assertEventType(type);
  const id = options.id ?? randomUUID();
  return {
    id,
    type,
    timestamp: options.timestamp ?? new Date(),
    payload,
    source: options.source ?? "unknown",
    correlationId: options.correlationId ?? id,
    causationId: options.causationId ?? null,
    version: options.version ?? 1,
  };
}

/**
 * Checks that a value has the shape of an envelope (not its payload: that is the schema
 * registry's job) and returns the problems found, or an empty list.
 */
export function envelopeIssues(value: unknown): ValidationIssue[] {
  if (typeof value !== "object" || value === null) {
    return [{ path: "", message: `expected an object, received ${value === null ? "null" : typeof value}` }];
  }
  const v = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const nonEmpty = (key: string) => {
    if (typeof v[key] !== "string" || v[key] === "") {
      issues.push({ path: key, message: `expected a non-empty string, received ${describe(v[key])}` });
    }
  };
  nonEmpty("id");
  nonEmpty("type");
  nonEmpty("source");
  nonEmpty("correlationId");
  if (!(v.timestamp instanceof Date) || Number.isNaN(v.timestamp.getTime())) {
    issues.push({ path: "timestamp", message: `expected a valid Date, received ${describe(v.timestamp)}` });
  }
  if (v.causationId !== null && (typeof v.causationId !== "string" || v.causationId === "")) {
    issues.push({
      path: "causationId",
      message: `expected null or a non-empty string, received ${describe(v.causationId)}`,
    });
  }
  if (!Number.isInteger(v.version) || (v.version as number) < 1) {
    issues.push({ path: "version", message: `expected an integer >= 1, received ${describe(v.version)}` });
  }
  if (!("payload" in v)) issues.push({ path: "payload", message: "missing" });
  return issues;
}

/**
 * Asserts that a value is an envelope, throwing {@link InvalidEventError} naming every bad field.
 *
 * @example
 * ```ts
 * assertEventEnvelope(JSON.parse(text)); // throws: "Not a valid event: timestamp: expected a valid Date..."
 * ```
 */
export function assertEventEnvelope(value: unknown): asserts value is EventEnvelope {
  const issues = envelopeIssues(value);
  if (issues.length > 0) throw new InvalidEventError(issues);
}

/** A short description of a value for error messages: never its content (it may hold secrets). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : "Date";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return value === "" ? "empty string" : "string";
  return typeof value;
}
