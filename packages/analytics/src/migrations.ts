import { type Kysely, sql } from "kysely";
import { AnalyticsError } from "./errors.js";
import type { AnalyticsTables } from "./schema.js";
import type { SqlBackend, SqlStatement, WriteProgram } from "./sql-backend.js";

/**
 * One versioned step of the schema. Its statements are written once with the query builder and
 * compiled for each dialect; each is idempotent (`IF NOT EXISTS`), so a step interrupted by a
 * crash before its version row was written can run again.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  statements(db: Kysely<AnalyticsTables>, backend: SqlBackend): SqlStatement[];
}

/**
 * What `migrate()` did.
 *
 * @example
 * ```ts
 * const { applied, version } = await store.migrate(); // applied: [] when already up to date
 * ```
 */
export interface MigrationResult {
  /** Versions applied by this call, in order; empty when the schema was up to date. */
  readonly applied: readonly number[];
  /** The schema version now. */
  readonly version: number;
}

/** The schema, oldest first. Append new versions; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "trades, events and policy",
    statements(db, backend) {
      const sqlite = backend.dialect === "sqlite";
      const decimal = backend.decimalType;
      return [
        db.schema
          .createTable("trades")
          .ifNotExists()
          .addColumn("seq", sqlite ? "integer" : "bigserial", (c) =>
            sqlite ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn("event_id", "text", (c) => c.notNull().unique())
          .addColumn("order_id", "text", (c) => c.notNull().unique())
          .addColumn("symbol", "text", (c) => c.notNull())
          .addColumn("side", "text", (c) => c.notNull())
          .addColumn("size", decimal, (c) => c.notNull())
          .addColumn("price", decimal, (c) => c.notNull())
          .addColumn("strategy_id", "text", (c) => c.notNull())
          .addColumn("model", "text")
          .addColumn("pnl", decimal)
          .addColumn("executed_at", "bigint", (c) => c.notNull())
          .addColumn("source", "text", (c) => c.notNull())
          .addColumn("correlation_id", "text", (c) => c.notNull())
          .compile(),
        db.schema
          .createTable("events")
          .ifNotExists()
          .addColumn("seq", sqlite ? "integer" : "bigserial", (c) =>
            sqlite ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn("id", "text", (c) => c.notNull().unique())
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("timestamp_ms", "bigint", (c) => c.notNull())
          .addColumn("source", "text", (c) => c.notNull())
          .addColumn("correlation_id", "text", (c) => c.notNull())
          .addColumn("causation_id", "text")
          .addColumn("version", "integer", (c) => c.notNull())
          .addColumn("payload", "text", (c) => c.notNull())
          .compile(),
        db.schema
          .createIndex("events_type_seq")
          .ifNotExists()
          .on("events")
          .columns(["type", "seq"])
          .compile(),
        db.schema.createIndex("events_timestamp").ifNotExists().on("events").column("timestamp_ms").compile(),
        db.schema
          .createIndex("events_correlation")
          .ifNotExists()
          .on("events")
          .columns(["correlation_id", "seq"])
          .compile(),
        db.schema
          .createTable("policy")
          .ifNotExists()
          // One row: the policy is a single record, upserted by id.
          .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
          .addColumn("risk_mode", "text", (c) => c.notNull())
          .addColumn("allowed_strategies", "text", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .compile(),
      ];
    },
  },
]);

/**
 * The schema version this package writes: `migrate()` brings a database up to it, and refuses a
 * database whose version is newer.
 *
 * @example
 * ```ts
 * const { version } = await store.migrate();
 * version === SCHEMA_VERSION; // true
 * ```
 */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/**
 * The migration transaction: take the backend's lock, read the versions applied, apply the
 * missing ones in order, record each. Two processes running it at once serialise on the lock;
 * the second finds nothing to do.
 */
export function* migrationProgram(backend: SqlBackend): WriteProgram<MigrationResult> {
  const db = backend.db;
  for (const statement of backend.migrationPreamble()) yield statement;
  yield db.schema
    .createTable("schema_migrations")
    .ifNotExists()
    .addColumn("version", "integer", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("applied_at", "bigint", (c) => c.notNull())
    .compile();
  const rows = yield db.selectFrom("schema_migrations").select("version").compile();
  const done = new Set(rows.map((row) => Number(row.version)));
  const newest = Math.max(0, ...done);
  if (newest > SCHEMA_VERSION) {
    throw new AnalyticsError(
      "MIGRATION_FAILED",
      `The ${backend.target} schema is at version ${newest}, newer than this package knows (${SCHEMA_VERSION}): refusing to use it`,
      { retryable: false },
    );
  }
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue;
    for (const statement of migration.statements(db, backend)) yield statement;
    yield db
      .insertInto("schema_migrations")
      .values({ version: migration.version, name: migration.name, applied_at: Date.now() })
      .compile();
    applied.push(migration.version);
  }
  return { applied, version: SCHEMA_VERSION };
}
