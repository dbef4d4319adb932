import type { EventEnvelope, Logger } from "@qt/eventbus";
import type { TradeExecutedEvent, TradeSide } from "@qt/events";
import type { MigrationResult } from "./migrations.js";

/**
 * One fill, as the trade log stores it: the `trade.executed` payload plus the envelope fields
 * that identify it. Numbers are the payload's doubles; the store keeps them exactly.
 *
 * @example
 * ```ts
 * const trade: TradeRecord = tradeFromEvent(event);
 * await store.appendTrade(trade);
 * ```
 */
export interface TradeRecord {
  /** The `trade.executed` event's id: unique in the log. */
  readonly eventId: string;
  /** The order's id: unique in the log too (a second event for the same order is a duplicate). */
  readonly orderId: string;
  /** The instrument, e.g. `BTCUSDT`. */
  readonly symbol: string;
  /** `BUY` adds to the net position, `SELL` subtracts from it. */
  readonly side: TradeSide;
  /** Quantity filled, in base units; > 0 (the direction is `side`). */
  readonly size: number;
  /** Fill price per unit in quote currency, slippage included; > 0. */
  readonly price: number;
  /** The strategy that asked for the order. */
  readonly strategyId: string;
  /** The model behind the signal, or `null` when there was none. */
  readonly model: string | null;
  /** Realised pnl when the fill closed or reduced a position, else `null`. */
  readonly pnl: number | null;
  /** The event's timestamp. */
  readonly executedAt: Date;
  /** The event's `source`: who published it, e.g. `executor`. */
  readonly source: string;
  /** The event's correlation id, shared with the chain of events that led to the trade. */
  readonly correlationId: string;
}

/**
 * A trade read back from the log, with its place in it.
 *
 * @example
 * ```ts
 * for (const trade of await store.listTrades()) console.log(trade.sequence, trade.pnl);
 * ```
 */
export interface StoredTrade extends TradeRecord {
  /** Position in the log: increases with every trade stored (insertion order). */
  readonly sequence: number;
}

/**
 * An event read back from the event store: the envelope exactly as published (dates included),
 * and its place in the store.
 *
 * @example
 * ```ts
 * const [first] = await store.findEvents({ types: ["policy.updated"], limit: 1 });
 * first?.event.timestamp instanceof Date; // true
 * ```
 */
export interface StoredEvent {
  /** Position in the store: increases with every event appended (insertion order = replay order). */
  readonly sequence: number;
  /** The envelope as published, payload dates restored. */
  readonly event: EventEnvelope;
}

/**
 * Filters of {@link AnalyticsStore.findEvents}; all optional, combined with AND. Results come in
 * sequence order.
 *
 * @example
 * ```ts
 * await store.findEvents({ types: ["trade.executed"], from: new Date(Date.now() - 3_600_000) });
 * ```
 */
export interface EventQuery {
  /** Exact event types (no patterns). */
  readonly types?: readonly string[];
  /** Events with `timestamp >= from`. */
  readonly from?: Date;
  /** Events with `timestamp < to`. */
  readonly to?: Date;
  /** Only the events of this correlation chain (exact match). */
  readonly correlationId?: string;
  /** Events stored after this sequence (to page: pass the last sequence seen). */
  readonly afterSequence?: number;
  /** At most this many (default 10,000). */
  readonly limit?: number;
}

/**
 * Filters of {@link AnalyticsStore.listTrades}. Results come in sequence order.
 *
 * @example
 * ```ts
 * await store.listTrades({ strategyId: "trend", afterSequence: last, limit: 1000 });
 * ```
 */
export interface TradeQuery {
  /** Only this strategy's trades (exact match). */
  readonly strategyId?: string;
  /** Trades stored after this sequence (to page: pass the last sequence seen). */
  readonly afterSequence?: number;
  /** At most this many (default 10,000). */
  readonly limit?: number;
}

/**
 * The risk policy row, as the policy store keeps it.
 *
 * @example
 * ```ts
 * const policy = await store.readPolicy(); // undefined until first written
 * ```
 */
export interface PolicyRecord {
  /** The risk mode as stored, e.g. `NORMAL`; not validated here (`SqlPolicyStore` checks it). */
  readonly riskMode: string;
  /** The strategies allowed to trade, as stored; empty for none. */
  readonly allowedStrategies: readonly string[];
  /** When the row was last written, by the writing process's clock (ms precision). */
  readonly updatedAt: Date;
}

/**
 * The policy fields to write.
 *
 * @example
 * ```ts
 * await store.writePolicy({ riskMode: "DEFENSIVE" }, { riskMode: "NORMAL", allowedStrategies: [] });
 * ```
 */
export interface PolicyValues {
  /** The risk mode to store, e.g. `DEFENSIVE`; stored as given, unchecked. */
  readonly riskMode: string;
  /** The strategies allowed to trade, stored as a JSON array; empty for none. */
  readonly allowedStrategies: readonly string[];
}

/**
 * Called with the trades a store has just committed, newly stored ones only (a duplicate is not
 * repeated), in sequence order, before the writers' promises resolve.
 *
 * @example
 * ```ts
 * const stop = store.onTradesStored((trades) => dashboard.push(...trades));
 * ```
 */
export type TradesStoredListener = (trades: readonly StoredTrade[]) => void;

/**
 * Options both store factories share.
 *
 * @example
 * ```ts
 * const options: StoreOptions = { maxBatchSize: 1000, flushIntervalMs: 5, logger: pino() };
 * ```
 */
export interface StoreOptions {
  /** Rows per write transaction (group commit); reaching it flushes at once. Default 500. */
  maxBatchSize?: number;
  /** Longest a row waits for its batch to be flushed. Default 10 (ms). */
  flushIntervalMs?: number;
  /** Where failed writes are reported. Default: JSON lines on stderr. */
  logger?: Logger;
  /** Run the migrations while opening. Default `true`. */
  migrate?: boolean;
}

/**
 * The analytics database: a trade log, an event store and the policy row, on SQLite
 * ({@link createSqliteStore}) or PostgreSQL ({@link createPostgresStore}) with the same queries,
 * migrations and behaviour.
 *
 * Appends are group-committed: each resolves when the transaction holding its row has committed,
 * rejects with an {@link AnalyticsError} when it failed, and is idempotent (a trade by event id and
 * by order id, an event by id). Reads see every append that has resolved.
 *
 * @example
 * ```ts
 * const store = await createSqliteStore({ path: "./data/qt.db" });
 * await store.appendTrade(tradeFromEvent(event));
 * console.log(await store.listTrades());
 * await store.close();
 * ```
 */
export interface AnalyticsStore {
  /** Which database this is. */
  readonly dialect: "sqlite" | "postgres";
  /** The database, for logs: a file path or a connection string without its password. */
  readonly target: string;
  /** Brings the schema up to date. Safe to run twice, or from several processes at once. */
  migrate(): Promise<MigrationResult>;
  /** Stores a trade once; resolves when committed (at once-stored duplicates included). */
  appendTrade(trade: TradeRecord): Promise<void>;
  /** Stores an event's full envelope once (by id); resolves when committed. */
  appendEvent(event: EventEnvelope): Promise<void>;
  /** Commits every append made so far; resolves when done. */
  flush(): Promise<void>;
  /** Stored trades in sequence order. */
  listTrades(query?: TradeQuery): Promise<StoredTrade[]>;
  /** Stored events in sequence order. */
  findEvents(query?: EventQuery): Promise<StoredEvent[]>;
  /** The policy row, or `undefined` if none was ever written. */
  readPolicy(): Promise<PolicyRecord | undefined>;
  /**
   * Writes the fields of `change` in one statement: an existing row keeps the fields not given; a
   * missing row is created from `defaults` overridden by `change`.
   */
  writePolicy(change: Partial<PolicyValues>, defaults: PolicyValues): Promise<void>;
  /** Calls `listener` after each commit with the trades it newly stored. Returns the unsubscribe. */
  onTradesStored(listener: TradesStoredListener): () => void;
  /** Flushes, then closes the connection. Later calls reject with `STORE_CLOSED`. Idempotent. */
  close(): Promise<void>;
}

/**
 * The {@link TradeRecord} of a `trade.executed` event.
 *
 * @example
 * ```ts
 * bus.subscribe("trade.executed", (event) => store.appendTrade(tradeFromEvent(event)));
 * ```
 */
export function tradeFromEvent(event: TradeExecutedEvent): TradeRecord {
  const p = event.payload;
  return {
    eventId: event.id,
    orderId: p.order_id,
    symbol: p.symbol,
    side: p.side,
    size: p.size,
    price: p.price,
    strategyId: p.strategy_id,
    model: p.model,
    pnl: p.pnl,
    executedAt: event.timestamp,
    source: event.source,
    correlationId: event.correlationId,
  };
}
