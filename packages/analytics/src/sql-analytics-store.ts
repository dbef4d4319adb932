import { consoleLogger, deserializeEvent, type EventEnvelope, type Logger, toWireEvent } from "@qt/eventbus";
import type { TradeSide } from "@qt/events";
import type { Selectable } from "kysely";
import type {
  AnalyticsStore,
  EventQuery,
  PolicyRecord,
  PolicyValues,
  StoredEvent,
  StoredTrade,
  StoreOptions,
  TradeQuery,
  TradeRecord,
  TradesStoredListener,
} from "./analytics-store.js";
import { fromDecimalText, toDecimalText } from "./decimal.js";
import { AnalyticsError, messageOf } from "./errors.js";
import { GroupCommit } from "./group-commit.js";
import { InsertTemplates } from "./insert-template.js";
import { type MigrationResult, migrationProgram } from "./migrations.js";
import { EVENT_COLUMNS, TRADE_COLUMNS, type TradesTable } from "./schema.js";
import type { SqlBackend } from "./sql-backend.js";

const DEFAULT_LIMIT = 10_000;
const MAX_BATCH_ROWS = 1_000;

/**
 * Checks the options both factories share, before they open anything.
 *
 * @throws {@link AnalyticsError} `INVALID_CONFIG` naming the bad option.
 */
export function checkStoreOptions(options: StoreOptions): void {
  const { maxBatchSize, flushIntervalMs } = options;
  if (maxBatchSize !== undefined && (!Number.isInteger(maxBatchSize) || maxBatchSize < 1)) {
    throw new AnalyticsError("INVALID_CONFIG", `maxBatchSize must be an integer >= 1, got ${maxBatchSize}`);
  }
  if (flushIntervalMs !== undefined && (!Number.isFinite(flushIntervalMs) || flushIntervalMs < 0)) {
    throw new AnalyticsError(
      "INVALID_CONFIG",
      `flushIntervalMs must be a number >= 0, got ${flushIntervalMs}`,
    );
  }
}

/**
 * The one implementation of {@link AnalyticsStore}: every query, the group commit and the
 * migrations, over a {@link SqlBackend} that supplies the dialect.
 */
export class SqlAnalyticsStore implements AnalyticsStore {
  readonly #backend: SqlBackend;
  readonly #logger: Logger;
  readonly #trades: GroupCommit<TradeRecord>;
  readonly #events: GroupCommit<EventRow>;
  readonly #tradeInserts: InsertTemplates<TradeRecord>;
  readonly #tradeInsertsReturning: InsertTemplates<TradeRecord>;
  readonly #eventInserts: InsertTemplates<EventRow>;
  readonly #listeners = new Set<TradesStoredListener>();
  readonly #hotStatements: readonly string[];
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(backend: SqlBackend, options: StoreOptions = {}) {
    checkStoreOptions(options);
    this.#backend = backend;
    this.#logger = options.logger ?? consoleLogger();
    const maxBatchSize = options.maxBatchSize ?? 500;
    const flushIntervalMs = options.flushIntervalMs ?? 10;
    const closedError = () => this.#closedError();
    const db = backend.db;
    const chunk = (columns: number) =>
      Math.min(MAX_BATCH_ROWS, maxBatchSize, Math.floor(backend.maxParameters / columns));

    const tradeRows = (count: number) => Array.from({ length: count }, () => placeholderRow(TRADE_COLUMNS));
    this.#tradeInserts = new InsertTemplates(
      (count) =>
        db
          .insertInto("trades")
          .values(tradeRows(count))
          .onConflict((oc) => oc.doNothing())
          .compile(),
      TRADE_COLUMNS.length,
      chunk(TRADE_COLUMNS.length),
      writeTrade,
    );
    this.#tradeInsertsReturning = new InsertTemplates(
      (count) =>
        db
          .insertInto("trades")
          .values(tradeRows(count))
          .onConflict((oc) => oc.doNothing())
          .returning(["seq", "event_id"])
          .compile(),
      TRADE_COLUMNS.length,
      chunk(TRADE_COLUMNS.length),
      writeTrade,
    );
    this.#eventInserts = new InsertTemplates(
      (count) =>
        db
          .insertInto("events")
          .values(Array.from({ length: count }, () => placeholderRow(EVENT_COLUMNS)))
          .onConflict((oc) => oc.doNothing())
          .compile(),
      EVENT_COLUMNS.length,
      chunk(EVENT_COLUMNS.length),
      writeEvent,
    );

    // The full-batch statements are built now, and prepared once the tables exist (after
    // migrate()), rather than on the first busy flush.
    this.#hotStatements = [this.#tradeInserts.warm(), this.#eventInserts.warm()];

    this.#trades = new GroupCommit<TradeRecord>({
      maxBatchSize,
      flushIntervalMs,
      commit: (rows) => this.#commitTrades(rows),
      // Merges the same event added twice (e.g. by TradeLogger and PerformanceTracker); any other
      // duplicate, by event id or order id, is skipped by the database (ON CONFLICT DO NOTHING).
      keys: [(trade) => trade.eventId],
      onFailure: (error, rows, isolating) => this.#logFailure("trades", error, rows, isolating),
      onIdle: () => backend.releaseLane("trades"),
      closedError,
    });
    this.#events = new GroupCommit<EventRow>({
      maxBatchSize,
      flushIntervalMs,
      commit: (rows) => this.#commitEvents(rows),
      keys: [(row) => row[0]],
      onFailure: (error, rows, isolating) => this.#logFailure("events", error, rows, isolating),
      onIdle: () => backend.releaseLane("events"),
      closedError,
    });
  }

  get dialect(): "sqlite" | "postgres" {
    return this.#backend.dialect;
  }

  get target(): string {
    return this.#backend.target;
  }

  async migrate(): Promise<MigrationResult> {
    if (this.#closed) throw this.#closedError();
    const result = await this.#backend.transaction(() => migrationProgram(this.#backend), "migrate");
    this.#backend.prepare(this.#hotStatements);
    return result;
  }

  appendTrade(trade: TradeRecord): Promise<void> {
    // Checked here, so that a bad number fails its own append rather than its batch.
    if (!Number.isFinite(trade.size) || !Number.isFinite(trade.price) || !Number.isFinite(trade.pnl ?? 0)) {
      return Promise.reject(
        new AnalyticsError(
          "WRITE_FAILED",
          `Trade ${trade.eventId}: size, price and pnl must be finite numbers`,
          {
            retryable: false,
          },
        ),
      );
    }
    return this.#trades.add(trade);
  }

  appendEvent(event: EventEnvelope): Promise<void> {
    let row: EventRow;
    try {
      row = eventRow(event);
    } catch (error) {
      return Promise.reject(
        new AnalyticsError("WRITE_FAILED", `Event ${event?.id} cannot be stored: ${messageOf(error)}`, {
          cause: error,
          retryable: false,
        }),
      );
    }
    return this.#events.add(row);
  }

  async flush(): Promise<void> {
    await Promise.all([this.#trades.flush(), this.#events.flush()]);
  }

  async listTrades(query: TradeQuery = {}): Promise<StoredTrade[]> {
    this.#assertOpen();
    let q = this.#backend.db
      .selectFrom("trades")
      .selectAll()
      .where("seq", ">", query.afterSequence ?? 0)
      .orderBy("seq")
      .limit(limitOf(query.limit));
    if (query.strategyId !== undefined) q = q.where("strategy_id", "=", query.strategyId);
    const rows = await this.#read(() => q.execute());
    return rows.map(storedTrade);
  }

  async findEvents(query: EventQuery = {}): Promise<StoredEvent[]> {
    this.#assertOpen();
    let q = this.#backend.db
      .selectFrom("events")
      .selectAll()
      .where("seq", ">", query.afterSequence ?? 0)
      .orderBy("seq")
      .limit(limitOf(query.limit));
    if (query.types !== undefined) {
      if (query.types.length === 0) return [];
      q = q.where("type", "in", [...query.types]);
    }
    if (query.from !== undefined) q = q.where("timestamp_ms", ">=", query.from.getTime());
    if (query.to !== undefined) q = q.where("timestamp_ms", "<", query.to.getTime());
    if (query.correlationId !== undefined) q = q.where("correlation_id", "=", query.correlationId);
    const rows = await this.#read(() => q.execute());
    return rows.map((row) => ({
      sequence: Number(row.seq),
      event: deserializeEvent({
        id: row.id,
        type: row.type,
        timestamp: new Date(Number(row.timestamp_ms)).toISOString(),
        source: row.source,
        correlationId: row.correlation_id,
        causationId: row.causation_id,
        version: Number(row.version),
        payload: JSON.parse(row.payload),
      }),
    }));
  }

  async readPolicy(): Promise<PolicyRecord | undefined> {
    this.#assertOpen();
    // Decoding happens inside #read too, so a corrupt row is an AnalyticsError like any failed read.
    return this.#read(async () => {
      const row = await this.#backend.db
        .selectFrom("policy")
        .selectAll()
        .where("id", "=", 1)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        riskMode: row.risk_mode,
        allowedStrategies: JSON.parse(row.allowed_strategies) as string[],
        updatedAt: new Date(Number(row.updated_at)),
      };
    });
  }

  async writePolicy(change: Partial<PolicyValues>, defaults: PolicyValues): Promise<void> {
    this.#assertOpen();
    const now = Date.now();
    const values = { ...defaults, ...change };
    const update: { risk_mode?: string; allowed_strategies?: string; updated_at: number } = {
      updated_at: now,
    };
    if (change.riskMode !== undefined) update.risk_mode = change.riskMode;
    if (change.allowedStrategies !== undefined)
      update.allowed_strategies = JSON.stringify(change.allowedStrategies);
    const statement = this.#backend.db
      .insertInto("policy")
      .values({
        id: 1,
        risk_mode: values.riskMode,
        allowed_strategies: JSON.stringify(values.allowedStrategies),
        updated_at: now,
      })
      .onConflict((oc) => oc.column("id").doUpdateSet(update))
      .compile();
    await this.#backend.writeAll([statement], "write");
  }

  onTradesStored(listener: TradesStoredListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await Promise.all([this.#trades.close(), this.#events.close()]);
      } finally {
        this.#closed = true;
        await this.#backend.close();
      }
    })();
    return this.#closing;
  }

  async #commitTrades(trades: readonly TradeRecord[]): Promise<void> {
    if (this.#listeners.size === 0) {
      await this.#backend.writeAll(this.#tradeInserts.statements(trades), "write", "trades");
      return;
    }
    const inserted = await this.#backend.writeAll(
      this.#tradeInsertsReturning.statements(trades),
      "write",
      "trades",
    );
    if (inserted.length === 0) return;
    const byEventId = new Map(trades.map((t) => [t.eventId, t]));
    const stored: StoredTrade[] = [];
    for (const row of inserted) {
      const trade = byEventId.get(String(row.event_id));
      if (trade !== undefined) stored.push({ ...trade, sequence: Number(row.seq) });
    }
    stored.sort((a, b) => a.sequence - b.sequence);
    const frozen = Object.freeze(stored.map((t) => Object.freeze(t)));
    for (const listener of [...this.#listeners]) {
      try {
        listener(frozen);
      } catch (error) {
        this.#logger.error({ store: this.target, error: messageOf(error) }, "onTradesStored listener threw");
      }
    }
  }

  async #commitEvents(rows: readonly EventRow[]): Promise<void> {
    await this.#backend.writeAll(this.#eventInserts.statements(rows), "write", "events");
  }

  async #read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      throw this.#backend.toError(error, "read");
    }
  }

  #assertOpen(): void {
    if (this.#closed || this.#closing !== undefined) throw this.#closedError();
  }

  #closedError(): AnalyticsError {
    return new AnalyticsError("STORE_CLOSED", `The analytics store (${this.target}) is closed`, {
      retryable: false,
    });
  }

  #logFailure(table: string, error: AnalyticsError, rows: number, isolating: boolean): void {
    this.#logger.error(
      {
        store: this.target,
        table,
        rows,
        code: error.code,
        retryable: error.retryable,
        error: error.message,
        ...(isolating ? { isolating: true } : {}),
      },
      isolating
        ? "analytics write refused: retrying the batch in parts to isolate the bad rows"
        : "analytics write failed",
    );
  }
}

/** An event as its insert parameters, in {@link EVENT_COLUMNS} order. */
type EventRow = [
  id: string,
  type: string,
  timestampMs: number,
  source: string,
  correlationId: string,
  causationId: string | null,
  version: number,
  payload: string,
];

function eventRow(event: EventEnvelope): EventRow {
  // The wire form tags dates inside the payload, so deserializeEvent restores them exactly.
  const wire = toWireEvent(event);
  return [
    wire.id,
    wire.type,
    event.timestamp.getTime(),
    wire.source,
    wire.correlationId,
    wire.causationId,
    wire.version,
    JSON.stringify(wire.payload ?? null),
  ];
}

function writeEvent(row: EventRow, out: unknown[]): void {
  for (let i = 0; i < row.length; i++) out.push(row[i]);
}

function writeTrade(t: TradeRecord, out: unknown[]): void {
  out.push(
    t.eventId,
    t.orderId,
    t.symbol,
    t.side,
    toDecimalText(t.size),
    toDecimalText(t.price),
    t.strategyId,
    t.model,
    t.pnl === null ? null : toDecimalText(t.pnl),
    t.executedAt.getTime(),
    t.source,
    t.correlationId,
  );
}

/**
 * Opens a store on a backend: runs the migrations unless `options.migrate` is false, and closes
 * the backend again if they fail, so a failed open leaves no connection behind.
 */
export async function openSqlStore(backend: SqlBackend, options: StoreOptions): Promise<SqlAnalyticsStore> {
  const store = new SqlAnalyticsStore(backend, options);
  if (options.migrate ?? true) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

function storedTrade(row: Selectable<TradesTable>): StoredTrade {
  return {
    sequence: Number(row.seq),
    eventId: row.event_id,
    orderId: row.order_id,
    symbol: row.symbol,
    side: row.side as TradeSide,
    size: fromDecimalText(row.size),
    price: fromDecimalText(row.price),
    strategyId: row.strategy_id,
    model: row.model,
    pnl: row.pnl === null ? null : fromDecimalText(row.pnl),
    executedAt: new Date(Number(row.executed_at)),
    source: row.source,
    correlationId: row.correlation_id,
  };
}

function placeholderRow(columns: readonly string[]): never {
  // Every value a parameter: the template is reused with each batch's values.
  return Object.fromEntries(columns.map((c) => [c, "?"])) as never;
}

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new AnalyticsError("INVALID_CONFIG", `limit must be an integer >= 0, got ${limit}`, {
      retryable: false,
    });
  }
  return limit;
}
