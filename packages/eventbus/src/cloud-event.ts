import { assertEventEnvelope, type EventEnvelope } from "./envelope.js";
import { InvalidEventError, type ValidationIssue } from "./errors.js";
import { readJsonObject, toWireEvent } from "./serialization.js";

/**
 * A CloudEvents 1.0 event in the JSON format (structured mode). Our correlation and causation ids
 * and schema version travel as the extension attributes `correlationid`, `causationid` and
 * `dataversion`.
 */
export interface CloudEvent {
  /** The CloudEvents spec version; only `"1.0"` is read or written. */
  specversion: "1.0";
  /** The envelope's `id`; with `source`, identifies the event for deduplication. */
  id: string;
  /** The envelope's `source`, e.g. `msc-ai`. */
  source: string;
  /** The envelope's dot-separated `type`, e.g. `trade.executed`. */
  type: string;
  /** The envelope's `timestamp` as an ISO-8601 string; read as "now" when missing. */
  time?: string;
  /**
   * Media type of the data; always `application/json` when written. On read, decides whether
   * `data_base64` is parsed as JSON (any type containing `json`) or kept as text.
   */
  datacontenttype?: string;
  /** URI of the schema `data` follows. Never written; ignored on read. */
  dataschema?: string;
  /** The event's subject within `source`. Never written; ignored on read. */
  subject?: string;
  /** The payload as plain JSON (payload `Date`s become ISO strings); read as `null` when absent. */
  data?: unknown;
  /** A binary payload, base64-encoded. Never written; on read it takes precedence over `data`. */
  data_base64?: string;
  /** Extension: the envelope's `correlationId`; read as the event's own `id` when missing (a root event). */
  correlationid?: string;
  /** Extension: the envelope's `causationId`; omitted for a root event. */
  causationid?: string;
  /**
   * Extension: the payload schema's `version`, an integer >= 1. Read as 1 when missing; a numeric
   * string is accepted on read.
   */
  dataversion?: number;
  [extension: string]: unknown;
}

/**
 * Maps an envelope to a CloudEvents 1.0 JSON event that any CloudEvents SDK reads.
 * Dates inside the payload become ISO-8601 strings (CloudEvents data is plain JSON).
 *
 * @example
 * ```ts
 * const ce = toCloudEvent(event);
 * await fetch(sink, { method: "POST", headers: { "content-type": "application/cloudevents+json" }, body: JSON.stringify(ce) });
 * ```
 */
export function toCloudEvent(event: EventEnvelope): CloudEvent {
  const wire = toWireEvent(event);
  const ce: CloudEvent = {
    specversion: "1.0",
    id: event.id,
    source: event.source,
    type: event.type,
    time: wire.timestamp,
    datacontenttype: "application/json",
    data: JSON.parse(JSON.stringify(event.payload ?? null)),
    correlationid: event.correlationId,
    dataversion: event.version,
  };
  if (event.causationId !== null) ce.causationid = event.causationId;
  return ce;
}

/**
 * Reads a CloudEvents 1.0 JSON event (object or string) written by any system into an envelope.
 * A missing `time` becomes now; missing extensions become a root event of version 1. Payload
 * dates stay ISO strings: validate with a schema that parses them if you need `Date`s.
 *
 * @throws {@link InvalidEventError} naming each missing or malformed attribute.
 */
export function fromCloudEvent(input: CloudEvent | string | unknown): EventEnvelope {
  const ce = readJsonObject(input, "a CloudEvent object");
  const issues: ValidationIssue[] = [];
  if (ce.specversion !== "1.0") issues.push({ path: "specversion", message: 'expected "1.0"' });
  for (const key of ["id", "source", "type"]) {
    if (typeof ce[key] !== "string" || ce[key] === "")
      issues.push({ path: key, message: "expected a non-empty string" });
  }
  let payload: unknown = ce.data;
  if (ce.data_base64 !== undefined) {
    if (typeof ce.data_base64 !== "string") {
      issues.push({ path: "data_base64", message: "expected a base64 string" });
    } else {
      const text = Buffer.from(ce.data_base64, "base64").toString("utf8");
      const type = typeof ce.datacontenttype === "string" ? ce.datacontenttype : "";
      try {
        payload = /json/i.test(type) ? JSON.parse(text) : text;
      } catch {
        issues.push({ path: "data_base64", message: `not valid JSON for ${type}` });
      }
    }
  }
  if (issues.length > 0) throw new InvalidEventError(issues);
  const event = {
    id: ce.id as string,
    type: ce.type as string,
    timestamp: typeof ce.time === "string" ? new Date(ce.time) : ce.time === undefined ? new Date() : ce.time,
    payload: payload ?? null,
    source: ce.source as string,
    correlationId: ce.correlationid ?? ce.id,
    causationId: ce.causationid ?? null,
    version:
      ce.dataversion === undefined
        ? 1
        : typeof ce.dataversion === "string"
          ? Number(ce.dataversion)
          : ce.dataversion,
  };
  assertEventEnvelope(event);
  return event;
}
