import type { EventEnvelope } from "./envelope.js";
import type { HandlerRef } from "./errors.js";

/**
 * Why a delivery was given up on. `invalid-message` is a broker message that is not a valid event
 * (bad JSON, unknown type, failing schema): it never reached a handler.
 */
export type DeadLetterReason = "handler-failed" | "handler-timeout" | "shutdown" | "invalid-message";

/** The error that ended a delivery, in plain data (safe to store, log or serialise). */
export interface DeadLetterError {
  /** The error's `name`, e.g. `HandlerTimeoutError`; `NonError` when a non-`Error` value was thrown. */
  readonly name: string;
  /** The error's `message`, or `String(value)` for a thrown non-`Error`. */
  readonly message: string;
  /** The error's `code` if it is a string (e.g. `HANDLER_TIMEOUT`, `ECONNRESET`), else `undefined`. */
  readonly code: string | undefined;
  /** The stack trace, when the thrown value was an `Error` that had one. */
  readonly stack: string | undefined;
}

/**
 * An event a handler could not process. `handler` is `undefined` when the event was never
 * dispatched (still queued when `stop()` hit its deadline): requeueing it delivers it to every
 * matching handler; otherwise only to the handler that failed.
 */
export interface DeadLetter {
  /** Unique id of this entry. */
  readonly id: string;
  /** The event as it was dispatched (correlation and causation ids included), ready to requeue. */
  readonly event: EventEnvelope;
  /** The handler that failed; `undefined` if the event was still queued when `stop()` hit its deadline. */
  readonly handler: HandlerRef | undefined;
  /** Why the delivery ended: the handler's last attempt failed, timed out, or `stop()` cut it short. */
  readonly reason: DeadLetterReason;
  /** The last error, if any. */
  readonly error: DeadLetterError | undefined;
  /** Tries made. */
  readonly attempts: number;
  /** When the entry was written (wall clock). */
  readonly deadLetteredAt: Date;
}

/**
 * Where a bus puts what it gives up on. Implementations may persist; the in-memory one is bounded.
 */
export interface DeadLetterStore {
  /** Stores an entry. */
  add(entry: DeadLetter): void;
  /** Every entry, oldest first. */
  list(): readonly DeadLetter[];
  /** Removes and returns an entry, or `undefined`. */
  take(id: string): DeadLetter | undefined;
  /** Entries held. */
  readonly size: number;
}

/** Plain-data form of any thrown value. */
export function toDeadLetterError(error: unknown): DeadLetterError | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      code: typeof code === "string" ? code : undefined,
      stack: error.stack,
    };
  }
  return { name: "NonError", message: String(error), code: undefined, stack: undefined };
}

/**
 * Keeps the newest `capacity` dead letters in memory. When full, the oldest is evicted and
 * reported through `onEvict` (the bus logs it), so even an overflow is never silent.
 *
 * @example
 * ```ts
 * const deadLetters = new InMemoryDeadLetterStore({ capacity: 1000 });
 * const bus = new InMemoryEventBus({ deadLetters });
 * for (const entry of deadLetters.list()) console.log(entry.handler?.handlerName, entry.error?.message);
 * ```
 */
export class InMemoryDeadLetterStore implements DeadLetterStore {
  readonly #entries = new Map<string, DeadLetter>();
  readonly #capacity: number;
  readonly #onEvict: ((entry: DeadLetter) => void) | undefined;

  constructor(options: { capacity?: number; onEvict?: (entry: DeadLetter) => void } = {}) {
    this.#capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(this.#capacity) || this.#capacity < 1) {
      throw new RangeError(`capacity must be an integer >= 1, got ${options.capacity}`);
    }
    this.#onEvict = options.onEvict;
  }

  get size(): number {
    return this.#entries.size;
  }

  add(entry: DeadLetter): void {
    // Re-adding an id it holds replaces that entry: nothing else needs to make room.
    if (!this.#entries.has(entry.id) && this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.values().next().value as DeadLetter;
      this.#entries.delete(oldest.id);
      this.#onEvict?.(oldest);
    }
    this.#entries.set(entry.id, entry);
  }

  list(): readonly DeadLetter[] {
    return [...this.#entries.values()];
  }

  take(id: string): DeadLetter | undefined {
    const entry = this.#entries.get(id);
    if (entry !== undefined) this.#entries.delete(id);
    return entry;
  }
}
