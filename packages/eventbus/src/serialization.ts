import { assertEventEnvelope, type EventEnvelope } from "./envelope.js";
import { InvalidEventError, SerializationError } from "./errors.js";

/**
 * The bus's own wire format: JSON in which the envelope's `timestamp` is an ISO-8601 string and
 * every `Date` inside the payload is tagged `{"$date": "<ISO-8601>"}`, so that
 * `deserializeEvent(serializeEvent(e))` deep-equals `e`, dates included. Values JSON cannot
 * carry exactly (NaN, ±Infinity, BigInt, functions, symbols, Maps, class instances) are refused
 * with a {@link SerializationError} naming their path, rather than silently changed.
 */

const DATE_TAG = "$date";
const ESCAPE_TAG = "$escape";

/** The JSON object an envelope becomes on the wire. */
export interface WireEvent {
  /** The envelope's `id`. */
  id: string;
  /** The envelope's dot-separated `type`. */
  type: string;
  /** The envelope's `timestamp` as an ISO-8601 UTC string (`Date.toISOString()`). */
  timestamp: string;
  /** The envelope's `source`. */
  source: string;
  /** The envelope's `correlationId`. */
  correlationId: string;
  /** The envelope's `causationId`; `null` for a root event (a missing one reads back as `null`). */
  causationId: string | null;
  /** The payload schema's version, an integer >= 1. */
  version: number;
  /**
   * The payload as JSON: `Date`s tagged `{"$date": "<ISO-8601>"}`, objects that look like a tag
   * wrapped in `{"$escape": ...}`, `undefined` object fields left out.
   */
  payload: unknown;
}

/**
 * Turns an envelope into its wire object (see {@link serializeEvent} for the string).
 *
 * @throws {@link SerializationError} naming the first value JSON cannot carry exactly.
 */
export function toWireEvent(event: EventEnvelope): WireEvent {
  return {
    id: event.id,
    type: event.type,
    timestamp: event.timestamp.toISOString(),
    source: event.source,
    correlationId: event.correlationId,
    causationId: event.causationId,
    version: event.version,
    payload: encodePayload(event.payload),
  };
}

function encodePayload(payload: unknown): unknown {
  // An undefined payload would vanish from the JSON and not read back: refuse it like NaN.
  if (payload === undefined) throw new SerializationError("payload", "undefined has no JSON form");
  return encodeValue(payload, "payload");
}

/**
 * Serialises an envelope to a JSON string that {@link deserializeEvent} turns back into an equal
 * envelope.
 *
 * @example
 * ```ts
 * const text = serializeEvent(event);
 * expect(deserializeEvent(text)).toEqual(event);
 * ```
 */
export function serializeEvent(event: EventEnvelope): string {
  return JSON.stringify(toWireEvent(event));
}

/**
 * Reads a wire object (or a JSON string of one) back into an envelope.
 *
 * @throws {@link InvalidEventError} naming each missing or malformed envelope field, or when the text is not JSON.
 */
export function deserializeEvent(input: string | Uint8Array | unknown): EventEnvelope {
  const wire = readJsonObject(input, "a JSON object");
  const timestamp = typeof wire.timestamp === "string" ? new Date(wire.timestamp) : wire.timestamp;
  const event = {
    id: wire.id,
    type: wire.type,
    timestamp,
    source: wire.source,
    correlationId: wire.correlationId,
    causationId: wire.causationId === undefined ? null : wire.causationId,
    version: wire.version,
    ...("payload" in wire ? { payload: decodeValue(wire.payload) } : {}),
  };
  assertEventEnvelope(event);
  return event;
}

/**
 * Parses text or bytes (other values pass through) and checks the result is a JSON object.
 *
 * @throws {@link InvalidEventError} when it is not JSON or not an object.
 */
export function readJsonObject(input: unknown, expected: string): Record<string, unknown> {
  let value = input;
  if (typeof input === "string" || input instanceof Uint8Array) {
    const text = typeof input === "string" ? input : new TextDecoder().decode(input);
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new InvalidEventError([{ path: "", message: "not valid JSON" }], { cause });
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidEventError([{ path: "", message: `expected ${expected}` }]);
  }
  return value as Record<string, unknown>;
}

function encodeValue(value: unknown, path: string): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new SerializationError(path, `${value} has no exact JSON form`);
      return value;
    case "undefined":
      return undefined;
    case "object": {
      if (value === null) return null;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new SerializationError(path, "Invalid Date");
        return { [DATE_TAG]: value.toISOString() };
      }
      if (Array.isArray(value)) {
        return value.map((item, i) => {
          if (item === undefined)
            throw new SerializationError(`${path}[${i}]`, "undefined has no JSON form in an array");
          return encodeValue(item, `${path}[${i}]`);
        });
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new SerializationError(path, `${proto?.constructor?.name ?? "object"} is not plain data`);
      }
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined) out[key] = encodeValue(item, `${path}.${key}`);
      }
      const keys = Object.keys(out);
      // An object that would read back as a tag is wrapped, so that no payload is ever misread.
      return keys.length === 1 && (keys[0] === DATE_TAG || keys[0] === ESCAPE_TAG)
        ? { [ESCAPE_TAG]: out }
        : out;
    }
    default:
      throw new SerializationError(path, `${typeof value} has no JSON form`);
  }
}

function decodeValue(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    if (keys[0] === DATE_TAG && typeof record[DATE_TAG] === "string") return new Date(record[DATE_TAG]);
    if (keys[0] === ESCAPE_TAG && typeof record[ESCAPE_TAG] === "object" && record[ESCAPE_TAG] !== null) {
      const inner = record[ESCAPE_TAG] as Record<string, unknown>;
      return Object.fromEntries(Object.entries(inner).map(([k, v]) => [k, decodeValue(v)]));
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = decodeValue(record[key]);
  return out;
}
