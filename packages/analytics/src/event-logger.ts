import type { AnyEventOf, EventBus, EventMap, RetryPolicy, Subscription } from "@qt/eventbus";
import type { QtEventMap } from "@qt/events";
import type { AnalyticsStore, EventQuery, StoredEvent } from "./analytics-store.js";
import { AnalyticsError } from "./errors.js";

/**
 * Options of {@link EventLogger}.
 *
 * @example
 * ```ts
 * const options: EventLoggerOptions = { eventBus: bus, store };
 * ```
 */
export interface EventLoggerOptions<M extends EventMap = QtEventMap> {
  /** The bus whose every event is stored (a `>` subscription). */
  eventBus: EventBus<M>;
  /** The event store. */
  store: AnalyticsStore;
  /** Overrides the bus's retry policy for this subscription. */
  retry?: Partial<RetryPolicy>;
}

/**
 * Options of {@link EventLogger.replay}: which stored events to publish, and where.
 *
 * @example
 * ```ts
 * const options: ReplayOptions = { from: new Date("2025-01-01"), types: ["trade.executed"], bus: freshBus };
 * ```
 */
export interface ReplayOptions<M extends EventMap = QtEventMap>
  extends Omit<EventQuery, "afterSequence" | "limit"> {
  /** The bus to publish into. Default: the logger's own bus (its own copies are not stored twice). */
  bus?: EventBus<M>;
  /** Events read per query. Default 1,000. */
  pageSize?: number;
}

/**
 * The event store's writer and reader: appends every event of a bus with its full envelope
 * (dates inside payloads included), once per event id; queries by type, time and correlation id;
 * and replays stored events into a bus in the order they were stored (event sourcing).
 *
 * @example
 * ```ts
 * const events = new EventLogger({ eventBus: bus, store });
 * const chain = await events.query({ correlationId: someEvent.correlationId });
 * await events.replay({ from: since, types: ["trade.executed"], bus: rebuildBus });
 * await events.stop();
 * ```
 */
export class EventLogger<M extends EventMap = QtEventMap> {
  readonly #store: AnalyticsStore;
  readonly #bus: EventBus<M>;
  readonly #subscription: Subscription;

  constructor(options: EventLoggerOptions<M>) {
    const store = options.store;
    this.#store = store;
    this.#bus = options.eventBus;
    this.#subscription = options.eventBus.subscribe(">" as never, (event) => store.appendEvent(event), {
      name: "analytics.event-logger",
      ...(options.retry === undefined ? {} : { retry: options.retry }),
    });
  }

  /**
   * Stored events matching `query`, in the order they were stored. Includes only committed
   * events: call `flush()` on the store first to include ones still batching.
   */
  query(query: EventQuery = {}): Promise<StoredEvent[]> {
    return this.#store.findEvents(query);
  }

  /**
   * Publishes the stored events matching `options` (every one by default) into a bus, in the order
   * they were stored, and resolves with how many once the last was accepted by the bus (await
   * `bus.idle()` for them to be handled). Events appended before the call are included.
   *
   * @throws {@link AnalyticsError} when the store cannot be read; events already published stay published.
   */
  async replay(options: ReplayOptions<M> = {}): Promise<number> {
    const { bus = this.#bus, pageSize = 1_000, ...filters } = options;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new AnalyticsError("INVALID_CONFIG", `pageSize must be an integer >= 1, got ${pageSize}`, {
        retryable: false,
      });
    }
    await this.#store.flush();
    let afterSequence = 0;
    let published = 0;
    for (;;) {
      const page = await this.#store.findEvents({ ...filters, afterSequence, limit: pageSize });
      for (const stored of page) {
        await bus.publish(stored.event as AnyEventOf<M>);
        published++;
      }
      const last = page.at(-1);
      if (last === undefined || page.length < pageSize) return published;
      afterSequence = last.sequence;
    }
  }

  /** Unsubscribes, then commits what is buffered; resolves when it is stored. */
  async stop(): Promise<void> {
    this.#subscription.unsubscribe();
    await this.#store.flush();
  }
}
