import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely, type SqliteDatabase, SqliteDialect } from "kysely";
import Database from "libsql";
import type { AnalyticsStore, StoreOptions } from "./analytics-store.js";
import { AnalyticsError, messageOf } from "./errors.js";
import type { AnalyticsTables } from "./schema.js";
import { checkStoreOptions, openSqlStore } from "./sql-analytics-store.js";
import type { SqlBackend, SqlOperation, SqlRow, SqlStatement, WriteProgram } from "./sql-backend.js";
import { runAll } from "./sql-backend.js";

/**
 * Options of {@link createSqliteStore}.
 *
 * @example
 * ```ts
 * const options: SqliteStoreOptions = { path: "/var/lib/qt/qt.db", synchronous: "FULL" };
 * ```
 */
export interface SqliteStoreOptions extends StoreOptions {
  /** The database file; created, with its directory, if missing. Default `./data/qt.db`. */
  path?: string;
  /** How long a write waits for another process's lock before failing (`STORE_UNAVAILABLE`). Default 5,000 (ms). */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` setting. `NORMAL` (default) with WAL loses no committed write when the
   * process crashes, but may lose the last ones on power loss; `FULL` survives power loss at a cost.
   */
  synchronous?: "NORMAL" | "FULL";
}

/**
 * The default database file of the embedded store, relative to the working directory.
 *
 * @example
 * ```ts
 * const store = await createSqliteStore(); // opens ./data/qt.db
 * store.target.endsWith(DEFAULT_SQLITE_PATH.slice(1)); // true
 * ```
 */
export const DEFAULT_SQLITE_PATH = "./data/qt.db";

/** Statements kept prepared: the insert templates plus the few fixed queries. */
const STATEMENT_CACHE_SIZE = 64;

/** libsql's statement, as far as this package uses it. */
interface LibsqlStatement {
  readonly reader: boolean;
  all(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): unknown;
}

/**
 * Opens (creating if needed) the embedded analytics store: SQLite in one file through `libsql`,
 * in WAL mode, and runs the migrations.
 *
 * Every write transaction is `BEGIN IMMEDIATE` and runs to its end without yielding the event
 * loop, so several stores (or processes) on one file never deadlock; a write waiting longer than
 * `busyTimeoutMs` for another process fails with `STORE_UNAVAILABLE`.
 *
 * @throws {@link AnalyticsError} `INVALID_CONFIG` for bad options, `STORE_UNAVAILABLE` when the
 *   file cannot be opened, `MIGRATION_FAILED` when the schema cannot be brought up to date.
 *
 * @example
 * ```ts
 * const store = await createSqliteStore({ path: "./data/qt.db" });
 * const logger = new TradeLogger({ eventBus: bus, store });
 * // ...
 * await logger.stop();
 * await store.close();
 * ```
 */
export async function createSqliteStore(options: SqliteStoreOptions = {}): Promise<AnalyticsStore> {
  const path = options.path ?? DEFAULT_SQLITE_PATH;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const synchronous = options.synchronous ?? "NORMAL";
  if (typeof path !== "string" || path === "") {
    throw new AnalyticsError("INVALID_CONFIG", "path must be a non-empty string");
  }
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new AnalyticsError("INVALID_CONFIG", `busyTimeoutMs must be an integer >= 0, got ${busyTimeoutMs}`);
  }
  if (synchronous !== "NORMAL" && synchronous !== "FULL") {
    throw new AnalyticsError(
      "INVALID_CONFIG",
      `synchronous must be "NORMAL" or "FULL", got ${String(synchronous)}`,
    );
  }
  checkStoreOptions(options);
  return openSqlStore(new SqliteBackend(path, busyTimeoutMs, synchronous), options);
}

class SqliteBackend implements SqlBackend {
  readonly dialect = "sqlite";
  readonly decimalType = "text";
  // SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32.
  readonly maxParameters = 32_766;
  readonly db: Kysely<AnalyticsTables>;
  readonly target: string;
  readonly #raw: Database.Database;
  readonly #statements = new Map<string, LibsqlStatement>();

  constructor(path: string, busyTimeoutMs: number, synchronous: string) {
    this.target = path === ":memory:" ? ":memory:" : resolve(path);
    try {
      if (path !== ":memory:") mkdirSync(dirname(this.target), { recursive: true });
      this.#raw = new Database(path);
    } catch (error) {
      throw new AnalyticsError(
        "STORE_UNAVAILABLE",
        `Cannot open the SQLite database ${this.target}: ${messageOf(error)}`,
        { cause: error },
      );
    }
    try {
      this.#raw.pragma(`busy_timeout = ${busyTimeoutMs}`);
      if (path !== ":memory:") {
        const mode = this.#raw.pragma("journal_mode = WAL") as { journal_mode?: string }[];
        if (mode[0]?.journal_mode?.toLowerCase() !== "wal") {
          throw new Error(`journal_mode is ${mode[0]?.journal_mode ?? "unknown"}, not wal`);
        }
      }
      this.#raw.pragma(`synchronous = ${synchronous}`);
    } catch (error) {
      this.#raw.close();
      throw new AnalyticsError(
        "STORE_UNAVAILABLE",
        `Cannot configure the SQLite database ${this.target}: ${messageOf(error)}`,
        { cause: error },
      );
    }
    // libsql has the better-sqlite3 API kysely's SqliteDialect expects (prepare, reader, all, run, iterate).
    this.db = new Kysely<AnalyticsTables>({
      dialect: new SqliteDialect({ database: this.#raw as unknown as SqliteDatabase }),
    });
  }

  migrationPreamble(): readonly SqlStatement[] {
    return [];
  }

  transaction<T>(program: () => WriteProgram<T>, operation: SqlOperation): Promise<T> {
    const raw = this.#raw;
    if (!raw.open) return Promise.reject(this.#closed());
    try {
      raw.exec("BEGIN IMMEDIATE");
    } catch (error) {
      return Promise.reject(this.toError(error, operation));
    }
    try {
      const steps = program();
      let step = steps.next();
      while (step.done !== true) step = steps.next(this.#execute(step.value));
      raw.exec("COMMIT");
      return Promise.resolve(step.value);
    } catch (error) {
      try {
        if (raw.inTransaction) raw.exec("ROLLBACK");
      } catch {
        // The transaction is already gone (SQLite rolls back on some errors by itself).
      }
      return Promise.reject(this.toError(error, operation));
    }
  }

  writeAll(statements: readonly SqlStatement[], operation: SqlOperation): Promise<SqlRow[]> {
    return this.transaction(() => runAll(statements), operation);
  }

  prepare(sql: readonly string[]): void {
    for (const text of sql) this.#prepared(text);
  }

  releaseLane(): void {
    // One connection, always held.
  }

  toError(error: unknown, operation: SqlOperation): AnalyticsError {
    if (AnalyticsError.isInstance(error)) return error;
    const code = String((error as { code?: unknown })?.code ?? "");
    const message = messageOf(error);
    if (/^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|NOMEM|READONLY|PROTOCOL)/.test(code)) {
      return new AnalyticsError(
        "STORE_UNAVAILABLE",
        `The SQLite database ${this.target} is unavailable (${code}): ${message}`,
        { cause: error },
      );
    }
    if (!this.#raw.open) return this.#closed();
    return new AnalyticsError(
      CODES[operation],
      `SQLite ${operation} failed on ${this.target}${code === "" ? "" : ` (${code})`}: ${message}`,
      { cause: error, retryable: false },
    );
  }

  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#raw.open) this.#raw.close();
  }

  #prepared(sql: string): LibsqlStatement {
    let prepared = this.#statements.get(sql);
    if (prepared === undefined) {
      prepared = this.#raw.prepare(sql) as unknown as LibsqlStatement;
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        this.#statements.delete(this.#statements.keys().next().value as string);
      }
      this.#statements.set(sql, prepared);
    }
    return prepared;
  }

  #execute(statement: SqlStatement): SqlRow[] {
    const prepared = this.#prepared(statement.sql);
    if (prepared.reader) return prepared.all(statement.parameters) as SqlRow[];
    prepared.run(statement.parameters);
    return [];
  }

  #closed(): AnalyticsError {
    return new AnalyticsError("STORE_CLOSED", `The SQLite database ${this.target} is closed`, {
      retryable: false,
    });
  }
}

const CODES = { write: "WRITE_FAILED", read: "READ_FAILED", migrate: "MIGRATION_FAILED" } as const;
