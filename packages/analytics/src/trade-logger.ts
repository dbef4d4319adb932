import type { RetryPolicy, Subscription } from "@qt/eventbus";
import type { QtEventBus } from "@qt/events";
import { type AnalyticsStore, tradeFromEvent } from "./analytics-store.js";

/**
 * Options of {@link TradeLogger}.
 *
 * @example
 * ```ts
 * const options: TradeLoggerOptions = { eventBus: bus, store, retry: { maxAttempts: 5 } };
 * ```
 */
export interface TradeLoggerOptions {
  /** The bus carrying `trade.executed`. */
  eventBus: QtEventBus;
  /** Where trades are stored. */
  store: AnalyticsStore;
  /** Overrides the bus's retry policy for this subscription (a failed write is retried by the bus). */
  retry?: Partial<RetryPolicy>;
}

/**
 * Writes every `trade.executed` event to the trade log, once: a redelivered event (same event id)
 * or a second event for the same order id is stored a single time.
 *
 * The handler does not write by itself: it adds the trade to the store's next group commit and
 * resolves when that batch has committed, so the bus keeps delivering while rows accumulate, and a
 * failed write fails the handler (the bus retries it, then dead-letters it with the error).
 *
 * @example
 * ```ts
 * const store = await createSqliteStore({ path: "./data/qt.db" });
 * const tradeLogger = new TradeLogger({ eventBus: bus, store });
 * // on shutdown, after bus.stop():
 * await tradeLogger.stop();
 * await store.close();
 * ```
 */
export class TradeLogger {
  readonly #store: AnalyticsStore;
  readonly #subscription: Subscription;

  constructor(options: TradeLoggerOptions) {
    const store = options.store;
    this.#store = store;
    this.#subscription = options.eventBus.subscribe(
      "trade.executed",
      (event) => store.appendTrade(tradeFromEvent(event)),
      { name: "analytics.trade-logger", ...(options.retry === undefined ? {} : { retry: options.retry }) },
    );
  }

  /** Unsubscribes, then commits what is buffered; resolves when it is stored. */
  async stop(): Promise<void> {
    this.#subscription.unsubscribe();
    await this.#store.flush();
  }
}
