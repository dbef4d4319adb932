/**
 * What the shared store needs from a database: a query builder for reads and a way to run a
 * write transaction. Each dialect (SQLite through libsql, PostgreSQL through pg) implements it
 * once; every query and migration is written once, in `sql-analytics-store.ts` and
 * `migrations.ts`.
 *
 * @packageDocumentation
 */
import type { Kysely } from "kysely";
import type { AnalyticsError } from "./errors.js";
import type { AnalyticsTables } from "./schema.js";

/** The two databases this package runs on. */
export type SqlDialect = "sqlite" | "postgres";

/** One SQL statement with its parameters (a kysely `CompiledQuery` is one). */
export interface SqlStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** A row as the driver returns it. */
export type SqlRow = Record<string, unknown>;

/**
 * A write transaction written as a program: it yields each statement, receives that statement's
 * rows, and returns its result. SQLite runs it synchronously between `BEGIN IMMEDIATE` and
 * `COMMIT`, so that no other connection of the same process can interleave (libsql blocks the
 * thread while it waits for a lock); PostgreSQL runs it asynchronously on one pooled connection.
 */
export type WriteProgram<T> = Generator<SqlStatement, T, SqlRow[]>;

/** What a write, read or migration was doing when it failed: picks the error code. */
export type SqlOperation = "write" | "read" | "migrate";

/** A database connection (pool) the shared store runs on. */
export interface SqlBackend {
  readonly dialect: SqlDialect;
  /** The query builder, schema-qualified on PostgreSQL. */
  readonly db: Kysely<AnalyticsTables>;
  /** The database, for messages: a file path, or a connection string without its password. */
  readonly target: string;
  /** Column type of exact decimals: `text` on SQLite, `numeric` on PostgreSQL. */
  readonly decimalType: "text" | "numeric";
  /** Most parameters one statement may carry. */
  readonly maxParameters: number;
  /**
   * Statements that, run first in the migration transaction, make it exclusive across processes
   * (PostgreSQL: an advisory transaction lock, then `CREATE SCHEMA IF NOT EXISTS`). SQLite needs
   * none: every write transaction there is `BEGIN IMMEDIATE`.
   */
  migrationPreamble(): readonly SqlStatement[];
  /** Runs `program` in one transaction; rolls back and rejects with an {@link AnalyticsError} if any statement fails. */
  transaction<T>(program: () => WriteProgram<T>, operation: SqlOperation): Promise<T>;
  /**
   * Runs statements known in advance in one transaction and returns their rows, concatenated. A
   * single statement may run without `BEGIN`/`COMMIT` (it is atomic on its own), which saves
   * PostgreSQL two round trips per batch. Calls of one `lane` (a writer that never runs two writes
   * at once) may keep a connection between calls.
   */
  writeAll(statements: readonly SqlStatement[], operation: SqlOperation, lane?: string): Promise<SqlRow[]>;
  /** Prepares statements that will run often (SQLite keeps them compiled); may do nothing. */
  prepare(sql: readonly string[]): void;
  /** Hands back the connection `lane` keeps, if any: its writer has nothing to write for now. */
  releaseLane(lane: string): void;
  /** Maps a driver error to an {@link AnalyticsError} with the right code and `retryable`. */
  toError(error: unknown, operation: SqlOperation): AnalyticsError;
  /** Closes the connection (or the pool this package created). */
  close(): Promise<void>;
}

/** The program running `statements` in order and returning all their rows. */
export function* runAll(statements: readonly SqlStatement[]): WriteProgram<SqlRow[]> {
  const out: SqlRow[] = [];
  for (const statement of statements) {
    const rows = yield statement;
    for (const row of rows) out.push(row);
  }
  return out;
}
