/**
 * The tables as the query builder sees them. Decimals are text (SQLite `TEXT`, PostgreSQL
 * `NUMERIC`, which `pg` returns as text); times are epoch milliseconds (`BIGINT`, which `pg`
 * returns as text); sequences are `INTEGER PRIMARY KEY AUTOINCREMENT` / `BIGSERIAL`.
 *
 * @packageDocumentation
 */
import type { Generated } from "kysely";

/** A 64-bit integer column: a number from SQLite, text from PostgreSQL. */
type Int8 = number | string;

export interface TradesTable {
  seq: Generated<Int8>;
  event_id: string;
  order_id: string;
  symbol: string;
  side: string;
  size: string;
  price: string;
  strategy_id: string;
  model: string | null;
  pnl: string | null;
  executed_at: Int8;
  source: string;
  correlation_id: string;
}

export interface EventsTable {
  seq: Generated<Int8>;
  id: string;
  type: string;
  timestamp_ms: Int8;
  source: string;
  correlation_id: string;
  causation_id: string | null;
  version: number;
  payload: string;
}

export interface PolicyTable {
  id: number;
  risk_mode: string;
  allowed_strategies: string;
  updated_at: Int8;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: Int8;
}

/** Every table of the analytics schema. */
export interface AnalyticsTables {
  trades: TradesTable;
  events: EventsTable;
  policy: PolicyTable;
  schema_migrations: SchemaMigrationsTable;
}

/** The trade columns in insert order: the multi-row insert template relies on it. */
export const TRADE_COLUMNS = [
  "event_id",
  "order_id",
  "symbol",
  "side",
  "size",
  "price",
  "strategy_id",
  "model",
  "pnl",
  "executed_at",
  "source",
  "correlation_id",
] as const satisfies readonly (keyof TradesTable)[];

/** The event columns in insert order. */
export const EVENT_COLUMNS = [
  "id",
  "type",
  "timestamp_ms",
  "source",
  "correlation_id",
  "causation_id",
  "version",
  "payload",
] as const satisfies readonly (keyof EventsTable)[];
