import { type MsgHdrs, headers as natsHeaders } from "@nats-io/transport-node";
import {
  type DeadLetterError,
  type DeadLetterReason,
  deserializeEvent,
  type EventEnvelope,
  type HandlerRef,
  toWireEvent,
  type ValidationIssue,
} from "@qt/eventbus";

/**
 * Why an entry reached the dead-letter stream: a handler gave up on it (`handler-failed`,
 * `handler-timeout`), or it was not a valid event (`invalid-message`).
 *
 * @example
 * ```ts
 * const wanted: NatsDeadLetterReason = "invalid-message";
 * const foreign = (await bus.readDeadLetters()).filter((l) => l.reason === wanted);
 * ```
 */
export type NatsDeadLetterReason = DeadLetterReason;

/**
 * Where the dead-lettered message was read from.
 *
 * @example
 * ```ts
 * const { subject, sequence } = letter.source; // e.g. "qt.trade.executed", 42
 * ```
 */
export interface DeadLetterSource {
  /** Its subject, e.g. `qt.trade.executed`. */
  readonly subject: string;
  /** Its sequence in the event stream. */
  readonly sequence: number;
  /** The consumer that gave up on it. */
  readonly consumer: string;
}

/**
 * A dead letter as stored in the `<namespace>-dlq` stream: the in-memory bus's `DeadLetter`
 * (`id`, `event`, `handler`, `reason`, `error`, `attempts`, `deadLetteredAt`) plus where it came
 * from. For `invalid-message`, `event` and `handler` are `undefined` and `raw` holds the bytes
 * received, `issues` what was wrong with them.
 *
 * @example
 * ```ts
 * for (const entry of await bus.readDeadLetters()) {
 *   console.log(entry.reason, entry.handler?.handlerName, entry.attempts, entry.error?.message);
 * }
 * ```
 */
export interface NatsDeadLetter {
  /** Unique and stable: `<consumer>:<stream sequence>`, so writing one twice stores it once. */
  readonly id: string;
  /** The event that failed, with its dates restored; `undefined` for `invalid-message`. */
  readonly event: EventEnvelope | undefined;
  /** The handler that gave up on it; `undefined` for `invalid-message`. */
  readonly handler: HandlerRef | undefined;
  /** Why it was dead-lettered. */
  readonly reason: NatsDeadLetterReason;
  /** The last error. */
  readonly error: DeadLetterError | undefined;
  /** Deliveries made, the failed ones included. */
  readonly attempts: number;
  /** When this process dead-lettered it (its clock, not the server's). */
  readonly deadLetteredAt: Date;
  /** Where the message was read from. */
  readonly source: DeadLetterSource;
  /** For `invalid-message`: the message body as received. */
  readonly raw: Uint8Array | undefined;
  /** For `invalid-message`: each problem found, by field. */
  readonly issues: readonly ValidationIssue[];
}

/**
 * The header names a dead-letter message carries, so that `nats stream view qt-dlq` shows why at
 * a glance, and tools can filter without parsing the body.
 *
 * @example
 * ```ts
 * const reason = message.headers?.get(DeadLetterHeaders.Reason); // "handler-failed"
 * ```
 */
export const DeadLetterHeaders = Object.freeze({
  /** The {@link NatsDeadLetterReason}, always set. */
  Reason: "Qt-Reason",
  /** The handler's name; set when there is a handler (not for `invalid-message`). */
  Handler: "Qt-Handler",
  /** The handler's consumer group; set only when the handler has one. */
  Group: "Qt-Group",
  /** Deliveries made, as a decimal string; always set. */
  Attempts: "Qt-Attempts",
  /** The last error's message, first line only, cut to 512 characters; set when there is an error. */
  Error: "Qt-Error",
  /** The event's `id`; set when the event could be read. */
  EventId: "Qt-Event-Id",
  /** The event's `type`, e.g. `trade.executed`; set when the event could be read. */
  EventType: "Qt-Event-Type",
  /** The subject the message was read from; always set. */
  SourceSubject: "Qt-Source-Subject",
  /** Its sequence in the event stream, as a decimal string; always set. */
  SourceSequence: "Qt-Source-Sequence",
});

interface WireDeadLetter {
  id: string;
  reason: NatsDeadLetterReason;
  event: unknown;
  handler: HandlerRef | null;
  error: DeadLetterError | null;
  attempts: number;
  deadLetteredAt: string;
  source: DeadLetterSource;
  raw: string | null;
  issues: ValidationIssue[];
}

/**
 * Encodes a dead letter as a JSON body (the event in the bus's wire format, so dates survive)
 * and headers naming the reason, the handler, the attempts and the error.
 *
 * @example
 * ```ts
 * const { data, headers } = encodeDeadLetter(entry);
 * await js.publish(names.deadLetterSubjectOf(entry.event.type), data, { headers, msgID: entry.id });
 * ```
 */
export function encodeDeadLetter(entry: NatsDeadLetter): {
  /** The JSON body; {@link decodeDeadLetter} reads it back. */
  data: string;
  /** The {@link DeadLetterHeaders} that apply to this entry. */
  headers: MsgHdrs;
} {
  const wire: WireDeadLetter = {
    id: entry.id,
    reason: entry.reason,
    event: entry.event === undefined ? null : toWireEvent(entry.event),
    handler: entry.handler === undefined ? null : { ...entry.handler, group: entry.handler.group ?? null },
    error: entry.error ?? null,
    attempts: entry.attempts,
    deadLetteredAt: entry.deadLetteredAt.toISOString(),
    source: entry.source,
    raw: entry.raw === undefined ? null : Buffer.from(entry.raw).toString("base64"),
    issues: [...entry.issues],
  } as WireDeadLetter;
  const headers = natsHeaders();
  headers.set(DeadLetterHeaders.Reason, entry.reason);
  headers.set(DeadLetterHeaders.Attempts, String(entry.attempts));
  headers.set(DeadLetterHeaders.SourceSubject, entry.source.subject);
  headers.set(DeadLetterHeaders.SourceSequence, String(entry.source.sequence));
  if (entry.handler !== undefined) {
    headers.set(DeadLetterHeaders.Handler, headerValue(entry.handler.handlerName));
    if (entry.handler.group !== undefined)
      headers.set(DeadLetterHeaders.Group, headerValue(entry.handler.group));
  }
  if (entry.error !== undefined) headers.set(DeadLetterHeaders.Error, headerValue(entry.error.message));
  if (entry.event !== undefined) {
    headers.set(DeadLetterHeaders.EventId, headerValue(entry.event.id));
    headers.set(DeadLetterHeaders.EventType, entry.event.type);
  }
  return { data: JSON.stringify(wire), headers };
}

/**
 * Reads back what {@link encodeDeadLetter} wrote.
 *
 * @throws when the body is not a dead letter written by this package.
 *
 * @example
 * ```ts
 * const entry = decodeDeadLetter(message.data);
 * entry.event?.timestamp instanceof Date; // true
 * ```
 */
export function decodeDeadLetter(data: Uint8Array | string): NatsDeadLetter {
  const text = typeof data === "string" ? data : Buffer.from(data).toString("utf8");
  let wire: WireDeadLetter;
  try {
    wire = JSON.parse(text) as WireDeadLetter;
  } catch {
    throw new TypeError("not a dead letter written by @qt/eventbus-nats: not JSON");
  }
  const missing = deadLetterProblems(wire);
  if (missing.length > 0) {
    throw new TypeError(`not a dead letter written by @qt/eventbus-nats: ${missing.join(", ")}`);
  }
  return {
    id: wire.id,
    reason: wire.reason,
    event: wire.event === null ? undefined : deserializeEvent(wire.event),
    handler: wire.handler === null ? undefined : { ...wire.handler, group: wire.handler.group ?? undefined },
    error:
      wire.error === null
        ? undefined
        : {
            name: wire.error.name,
            message: wire.error.message,
            code: wire.error.code ?? undefined,
            stack: wire.error.stack ?? undefined,
          },
    attempts: wire.attempts,
    deadLetteredAt: new Date(wire.deadLetteredAt),
    source: wire.source,
    raw: wire.raw === null ? undefined : new Uint8Array(Buffer.from(wire.raw, "base64")),
    issues: wire.issues ?? [],
  };
}

/** The fields a stored dead letter must have, named when missing or malformed. */
function deadLetterProblems(wire: unknown): string[] {
  if (typeof wire !== "object" || wire === null) return ["not an object"];
  const w = wire as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof w.id !== "string") problems.push("id");
  if (typeof w.reason !== "string") problems.push("reason");
  if (typeof w.attempts !== "number") problems.push("attempts");
  if (typeof w.deadLetteredAt !== "string" || Number.isNaN(new Date(w.deadLetteredAt).getTime())) {
    problems.push("deadLetteredAt");
  }
  if (typeof w.source !== "object" || w.source === null) problems.push("source");
  return problems;
}

/** Header values are one line of printable text: keep the first line, bounded. */
function headerValue(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  return line.length > 512 ? `${line.slice(0, 509)}...` : line;
}
