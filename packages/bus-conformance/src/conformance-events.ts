import {
  type CreateEventOptions,
  createEvent,
  type EventEnvelope,
  type EventSchemaRegistry,
  EventValidationError,
} from "@qt/eventbus";
import { qtEventRegistry } from "@qt/events";

/**
 * The payload of the suite's own events (`conformance.*`): a sequence, a key, anything else.
 *
 * @example
 * ```ts
 * const payload: ProbePayload = { seq: 3, key: "BTC", at: new Date() };
 * ```
 */
export interface ProbePayload {
  readonly seq: number;
  readonly key?: string;
  readonly [field: string]: unknown;
}

/**
 * The registry every bus under test must use: the Quantum Trader events (so foreign messages can
 * fail a real schema) plus the suite's own `conformance.*` types, whose payload must be an
 * object with a numeric `seq`.
 *
 * @example
 * ```ts
 * new NatsEventBus({ servers, namespace, registry: conformanceRegistry });
 * ```
 */
export const conformanceRegistry: EventSchemaRegistry = Object.freeze({
  validate(event: EventEnvelope): void {
    if (!event.type.startsWith("conformance.")) {
      qtEventRegistry.validate(event);
      return;
    }
    const payload = event.payload as Record<string, unknown> | null;
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      throw new EventValidationError(event.type, [{ path: "payload", message: "expected an object" }]);
    }
    if (typeof payload.seq !== "number" || !Number.isFinite(payload.seq)) {
      throw new EventValidationError(event.type, [{ path: "payload.seq", message: "expected a number" }]);
    }
  },
});

/**
 * A `conformance.*` event.
 *
 * @example
 * ```ts
 * const event = probe("conformance.orders.created", { seq: 1, key: "BTC" }, { source: "suite" });
 * ```
 */
export function probe(
  type: string,
  payload: ProbePayload,
  options?: CreateEventOptions,
): EventEnvelope<string, ProbePayload> {
  return createEvent(type, payload, options);
}

/**
 * `count` probes of one type, `seq` 0..count-1, tagged so tests can tell runs apart.
 *
 * @example
 * ```ts
 * const events = probes("conformance.load", 100);
 * ```
 */
export function probes(
  type: string,
  count: number,
  extra: Record<string, unknown> = {},
): EventEnvelope<string, ProbePayload>[] {
  return Array.from({ length: count }, (_, seq) => probe(type, { seq, ...extra }));
}
