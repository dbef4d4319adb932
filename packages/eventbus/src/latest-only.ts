import type { EventEnvelope } from "./envelope.js";
import type { DeliveryContext, EventHandler } from "./event-bus.js";

/** Options of {@link latestOnly}. */
export interface LatestOnlyOptions<E extends EventEnvelope> {
  /** Order per key (e.g. per strategy id); default one key for all events. */
  key?: (event: E) => string;
  /** Keys remembered (oldest forgotten first). Default 10,000. */
  capacity?: number;
}

/**
 * Wraps a handler of state-replacing events (a policy, a ranking) so that an event older than one
 * already applied is ignored: a late or redelivered update never rolls state back. "Older" is by
 * `timestamp`; at equal timestamps the later-applied one wins, and a repeat of the same id is
 * ignored. An event is counted as applied once its handler succeeds. For an async handler, also
 * subscribe with `ordering: "serial"` (or a key), so that two updates never run at once.
 *
 * @example
 * ```ts
 * bus.subscribe("policy.updated", latestOnly((e) => { this.currentPolicy = e.payload; }));
 * ```
 */
export function latestOnly<E extends EventEnvelope>(
  handler: EventHandler<E>,
  options: LatestOnlyOptions<E> = {},
): EventHandler<E> {
  const keyOf = options.key ?? (() => "");
  const capacity = options.capacity ?? 10_000;
  const latest = new Map<string, { time: number; id: string }>();
  const applied = (key: string, event: E) => {
    const previous = latest.get(key);
    const time = event.timestamp.getTime();
    if (previous !== undefined && previous.time > time) return; // a newer one finished first
    latest.delete(key);
    latest.set(key, { time, id: event.id });
    if (latest.size > capacity) latest.delete(latest.keys().next().value as string);
  };
  const wrapped = (event: E, context: DeliveryContext): void | Promise<void> => {
    const key = keyOf(event);
    const previous = latest.get(key);
    if (previous !== undefined && (previous.time > event.timestamp.getTime() || previous.id === event.id))
      return;
    const result = handler(event, context);
    if (result !== undefined && typeof result.then === "function")
      return result.then(() => applied(key, event));
    applied(key, event);
  };
  Object.defineProperty(wrapped, "name", { value: handler.name || "latestOnly" });
  Object.defineProperty(wrapped, "length", { value: handler.length });
  return wrapped;
}
