import type { EventEnvelope } from "./envelope.js";
import type { DeliveryContext, EventHandler } from "./event-bus.js";

/** Options of {@link idempotent}. */
export interface IdempotentOptions {
  /** Event ids remembered (oldest forgotten first). Default 10,000. */
  capacity?: number;
}

/**
 * Wraps a handler so that a second delivery of the same event id does nothing: brokers deliver
 * at least once, and the guide asks for idempotent handlers. An id counts as seen once the handler
 * has started; if the handler fails, the id is forgotten again so that the bus's retry runs it.
 * Memory is bounded by `capacity`.
 *
 * @example
 * ```ts
 * bus.subscribe("trade.executed", idempotent(async (e) => { positions.apply(e.payload); }));
 * ```
 */
export function idempotent<E extends EventEnvelope>(
  handler: EventHandler<E>,
  options: IdempotentOptions = {},
): EventHandler<E> {
  const capacity = options.capacity ?? 10_000;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`);
  }
  const seen = new Set<string>();
  const remember = (id: string) => {
    seen.add(id);
    if (seen.size > capacity) seen.delete(seen.values().next().value as string);
  };
  const wrapped = (event: E, context: DeliveryContext): void | Promise<void> => {
    if (seen.has(event.id)) return;
    remember(event.id);
    let result: void | Promise<void>;
    try {
      result = handler(event, context);
    } catch (error) {
      seen.delete(event.id);
      throw error;
    }
    if (result !== undefined && typeof result.then === "function") {
      return result.then(undefined, (error: unknown) => {
        seen.delete(event.id);
        throw error;
      });
    }
  };
  // Keep the handler's name for logs and dead letters; declare two parameters only if it did.
  Object.defineProperty(wrapped, "name", { value: handler.name || "idempotent" });
  Object.defineProperty(wrapped, "length", { value: handler.length });
  return wrapped;
}
