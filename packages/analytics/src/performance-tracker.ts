import type { RetryPolicy, Subscription } from "@qt/eventbus";
import type { QtEventBus } from "@qt/events";
import { type AnalyticsStore, type StoredTrade, tradeFromEvent } from "./analytics-store.js";
import { MetricsAccumulator, type PerformanceMetrics } from "./performance-metrics.js";

/**
 * Options of {@link PerformanceTracker}.
 *
 * @example
 * ```ts
 * const options: PerformanceTrackerOptions = { eventBus: bus, store };
 * ```
 */
export interface PerformanceTrackerOptions {
  /** The bus carrying `trade.executed`. */
  eventBus: QtEventBus;
  /** The trade log the metrics are computed from. */
  store: AnalyticsStore;
  /** Overrides the bus's retry policy for this subscription. */
  retry?: Partial<RetryPolicy>;
}

/**
 * What the tracker knows, frozen: overall metrics and the same per strategy and per model.
 *
 * @example
 * ```ts
 * const { overall, byStrategy } = tracker.snapshot;
 * console.log(overall.totalPnl, byStrategy.trend?.winRate);
 * ```
 */
export interface PerformanceSnapshot {
  /** Every closed trade. */
  readonly overall: PerformanceMetrics;
  /** Closed trades by `strategy_id`; a strategy appears with its first closed trade. */
  readonly byStrategy: Readonly<Record<string, PerformanceMetrics>>;
  /** Closed trades by `model`; trades whose model is `null` are in `withoutModel` instead. */
  readonly byModel: Readonly<Record<string, PerformanceMetrics>>;
  /** Closed trades whose model is `null`; `null` when there is none. */
  readonly withoutModel: PerformanceMetrics | null;
  /** Every stored fill, opening ones (pnl `null`) included. */
  readonly fills: number;
  /** Sequence of the last trade counted (0 before any). */
  readonly lastSequence: number;
}

/**
 * Performance metrics of the trade log (total pnl, trade count, win rate, average win and loss,
 * profit factor, max drawdown), overall, per `strategy_id` and per model.
 *
 * It counts a trade only once the store has committed it: it subscribes to `trade.executed` and
 * stores each trade (the same idempotent write as {@link TradeLogger}: running both costs one
 * write), and applies the trades the store reports as newly stored, in their sequence order. A
 * write that fails fails the handler (the bus retries, then dead-letters it) and counts nothing;
 * a duplicate counts nothing. `start()` rebuilds the metrics from the whole log, so a restarted
 * tracker has the snapshot it had before.
 *
 * @example
 * ```ts
 * const tracker = new PerformanceTracker({ eventBus: bus, store });
 * await tracker.start(); // reads the trade log
 * // ...
 * console.log(tracker.snapshot.overall.profitFactor);
 * await tracker.stop();
 * ```
 */
export class PerformanceTracker {
  readonly #store: AnalyticsStore;
  readonly #subscription: Subscription;
  readonly #unlisten: () => void;
  #overall = new MetricsAccumulator();
  #byStrategy = new Map<string, MetricsAccumulator>();
  #byModel = new Map<string, MetricsAccumulator>();
  #withoutModel: MetricsAccumulator | undefined;
  #fills = 0;
  #lastSequence = 0;
  #snapshot: PerformanceSnapshot | undefined;
  /** Trades stored before the rebuild finished, applied after it (those it did not read). */
  #early: StoredTrade[] | undefined = [];
  #starting: Promise<void> | undefined;

  constructor(options: PerformanceTrackerOptions) {
    const store = options.store;
    this.#store = store;
    this.#unlisten = store.onTradesStored((trades) => this.#stored(trades));
    this.#subscription = options.eventBus.subscribe(
      "trade.executed",
      (event) => store.appendTrade(tradeFromEvent(event)),
      {
        name: "analytics.performance-tracker",
        ...(options.retry === undefined ? {} : { retry: options.retry }),
      },
    );
  }

  /** True once `start()` has rebuilt the metrics from the store. */
  get ready(): boolean {
    return this.#early === undefined;
  }

  /** The current metrics (complete once `start()` has resolved). Frozen; a new object after each change. */
  get snapshot(): PerformanceSnapshot {
    this.#snapshot ??= this.#buildSnapshot();
    return this.#snapshot;
  }

  /**
   * Rebuilds the metrics from every trade in the store, in sequence order. Resolves when done;
   * calling it again returns the same promise (or retries, after a failure).
   *
   * @throws {@link AnalyticsError} when the store cannot be read.
   */
  start(): Promise<void> {
    this.#starting ??= this.#rebuild().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  /** Unsubscribes, commits what is buffered (counting it), then stops listening to the store. */
  async stop(): Promise<void> {
    this.#subscription.unsubscribe();
    try {
      await this.#store.flush();
    } finally {
      this.#unlisten();
    }
  }

  async #rebuild(): Promise<void> {
    const pageSize = 10_000;
    this.#reset();
    for (;;) {
      const page = await this.#store.listTrades({ afterSequence: this.#lastSequence, limit: pageSize });
      for (const trade of page) this.#apply(trade);
      if (page.length < pageSize) break;
    }
    const early = this.#early ?? [];
    this.#early = undefined;
    early.sort((a, b) => a.sequence - b.sequence);
    for (const trade of early) this.#apply(trade);
    this.#snapshot = undefined;
  }

  #reset(): void {
    this.#overall = new MetricsAccumulator();
    this.#byStrategy = new Map();
    this.#byModel = new Map();
    this.#withoutModel = undefined;
    this.#fills = 0;
    this.#lastSequence = 0;
    this.#early ??= [];
  }

  #stored(trades: readonly StoredTrade[]): void {
    if (this.#early !== undefined) {
      this.#early.push(...trades);
      return;
    }
    for (const trade of trades) this.#apply(trade);
    this.#snapshot = undefined;
  }

  #apply(trade: StoredTrade): void {
    // Sequences only grow: anything at or below the last one was already counted (e.g. read by
    // the rebuild and reported by the store too).
    if (trade.sequence <= this.#lastSequence) return;
    this.#lastSequence = trade.sequence;
    this.#fills++;
    if (trade.pnl === null) return;
    this.#overall.add(trade.pnl);
    accumulator(this.#byStrategy, trade.strategyId).add(trade.pnl);
    if (trade.model === null) {
      this.#withoutModel ??= new MetricsAccumulator();
      this.#withoutModel.add(trade.pnl);
    } else {
      accumulator(this.#byModel, trade.model).add(trade.pnl);
    }
  }

  #buildSnapshot(): PerformanceSnapshot {
    return Object.freeze({
      overall: this.#overall.snapshot(),
      byStrategy: snapshots(this.#byStrategy),
      byModel: snapshots(this.#byModel),
      withoutModel: this.#withoutModel?.snapshot() ?? null,
      fills: this.#fills,
      lastSequence: this.#lastSequence,
    });
  }
}

function accumulator(map: Map<string, MetricsAccumulator>, key: string): MetricsAccumulator {
  let found = map.get(key);
  if (found === undefined) {
    found = new MetricsAccumulator();
    map.set(key, found);
  }
  return found;
}

function snapshots(map: Map<string, MetricsAccumulator>): Readonly<Record<string, PerformanceMetrics>> {
  const keys = [...map.keys()].sort();
  return Object.freeze(
    Object.fromEntries(keys.map((key) => [key, (map.get(key) as MetricsAccumulator).snapshot()])),
  );
}
