/**
 * `@qt/analytics`: the trade log, event store, performance tracker and persistent policy store of
 * Quantum Trader, on SQLite (embedded, the default) or PostgreSQL, with the same queries and
 * migrations.
 *
 * @packageDocumentation
 * @module @qt/analytics
 */
export {
  type AnalyticsStore,
  type EventQuery,
  type PolicyRecord,
  type PolicyValues,
  type StoredEvent,
  type StoredTrade,
  type StoreOptions,
  type TradeQuery,
  type TradeRecord,
  type TradesStoredListener,
  tradeFromEvent,
} from "./analytics-store.js";
export { fromDecimalText, toDecimalText } from "./decimal.js";
export {
  AnalyticsError,
  type AnalyticsErrorCode,
  InvalidPolicyError,
  redactConnectionString,
} from "./errors.js";
export { EventLogger, type EventLoggerOptions, type ReplayOptions } from "./event-logger.js";
export { type MigrationResult, SCHEMA_VERSION } from "./migrations.js";
export type { PerformanceMetrics } from "./performance-metrics.js";
export {
  type PerformanceSnapshot,
  PerformanceTracker,
  type PerformanceTrackerOptions,
} from "./performance-tracker.js";
export { createPostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
export { type PersistedPolicy, SqlPolicyStore, type SqlPolicyStoreOptions } from "./sql-policy-store.js";
export { createSqliteStore, DEFAULT_SQLITE_PATH, type SqliteStoreOptions } from "./sqlite-store.js";
export { TradeLogger, type TradeLoggerOptions } from "./trade-logger.js";
