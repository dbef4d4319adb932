import { consoleLogger, type Logger } from "@qt/eventbus";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { AnalyticsStore, StoreOptions } from "./analytics-store.js";
import { AnalyticsError, messageOf, redactConnectionString } from "./errors.js";
import type { AnalyticsTables } from "./schema.js";
import { checkStoreOptions, openSqlStore } from "./sql-analytics-store.js";
import type { SqlBackend, SqlOperation, SqlRow, SqlStatement, WriteProgram } from "./sql-backend.js";
import { runAll } from "./sql-backend.js";

/**
 * Options of {@link createPostgresStore}: give `connectionString` (the store creates, owns and
 * ends its pool) or `pool` (yours: the store never ends it).
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { connectionString: process.env.DATABASE_URL, schema: "qt" };
 * ```
 */
export interface PostgresStoreOptions extends StoreOptions {
  /** e.g. `postgres://qt:secret@db:5432/qt`. Never logged with its password. */
  connectionString?: string;
  /** An existing pool to use instead. */
  pool?: pg.Pool;
  /** The schema holding the tables; created if missing. Default `public`. */
  schema?: string;
  /** `application_name` of the store's connections (ignored with `pool`). Default `qt-analytics`. */
  applicationName?: string;
  /** Connections of the store's pool (ignored with `pool`). Default 4. */
  maxConnections?: number;
  /** How long to wait for a connection before failing with `STORE_UNAVAILABLE` (ignored with `pool`). Default 5,000 (ms). */
  connectionTimeoutMs?: number;
}

// First key of the advisory lock that serialises migrations; the second is the schema's hash.
const MIGRATION_LOCK_CLASS = 0x5154_414e; // "QTAN"

/**
 * Opens the analytics store on PostgreSQL (several processes or machines can share it) and runs
 * the migrations, serialised across processes by an advisory lock.
 *
 * A write whose connection dies (a restarted server, a killed backend) rolls back whole and
 * rejects with `STORE_UNAVAILABLE`; the pool replaces the connection, so a retry succeeds once the
 * server is back. Idle connections that die are logged and replaced, never crash the process.
 *
 * @throws {@link AnalyticsError} `INVALID_CONFIG` for bad options, `STORE_UNAVAILABLE` when the
 *   server cannot be reached, `MIGRATION_FAILED` when the schema cannot be brought up to date.
 *
 * @example
 * ```ts
 * const store = await createPostgresStore({ connectionString: "postgres://qt@db:5432/qt", schema: "analytics" });
 * const tracker = new PerformanceTracker({ eventBus: bus, store });
 * await tracker.start();
 * ```
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<AnalyticsStore> {
  checkStoreOptions(options);
  const resolved = { ...options, logger: options.logger ?? consoleLogger() };
  return openSqlStore(new PostgresBackend(resolved), resolved);
}

class PostgresBackend implements SqlBackend {
  readonly dialect = "postgres";
  readonly decimalType = "numeric";
  readonly maxParameters = 65_535;
  readonly db: Kysely<AnalyticsTables>;
  readonly target: string;
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #schema: string;
  readonly #secrets: string[];
  readonly #logger: Logger;
  readonly #onPoolError = (error: Error) => {
    this.#logger.warn(
      { store: this.target, error: this.#message(error) },
      "idle PostgreSQL connection lost: the pool will replace it",
    );
  };
  readonly #onConnect = (client: pg.PoolClient) => {
    // pg emits 'error' on a checked-out client whose connection dies; unhandled, that would
    // crash the process. The query in flight rejects anyway, so the listener only needs to exist.
    client.on("error", ignore);
  };
  /** The connection each serialised writer (trades, events) keeps between batches. */
  readonly #lanes = new Map<string, pg.PoolClient>();
  #closed = false;

  constructor(options: PostgresStoreOptions & { logger: Logger }) {
    const { connectionString, pool } = options;
    if ((connectionString === undefined) === (pool === undefined)) {
      throw new AnalyticsError("INVALID_CONFIG", "Give exactly one of connectionString and pool");
    }
    const schema = options.schema ?? "public";
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new AnalyticsError(
        "INVALID_CONFIG",
        `schema must be a plain identifier (letters, digits, _; at most 63), got ${JSON.stringify(schema)}`,
      );
    }
    for (const [name, value] of [
      ["maxConnections", options.maxConnections],
      ["connectionTimeoutMs", options.connectionTimeoutMs],
    ] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new AnalyticsError("INVALID_CONFIG", `${name} must be an integer >= 1, got ${value}`);
      }
    }
    this.#schema = schema;
    this.#logger = options.logger;
    if (connectionString !== undefined) {
      if (typeof connectionString !== "string" || connectionString === "") {
        throw new AnalyticsError("INVALID_CONFIG", "connectionString must be a non-empty string");
      }
      this.#secrets = passwordsIn(connectionString);
      this.#pool = new pg.Pool({
        connectionString,
        application_name: options.applicationName ?? "qt-analytics",
        max: options.maxConnections ?? 4,
        connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      });
      this.#ownsPool = true;
      this.target = `${redactConnectionString(connectionString)} (schema ${schema})`;
    } else {
      this.#pool = pool as pg.Pool;
      this.#ownsPool = false;
      const o = this.#pool.options ?? {};
      const password = typeof o.password === "string" ? o.password : "";
      this.#secrets = [...(o.connectionString ? passwordsIn(o.connectionString) : []), password].filter(
        Boolean,
      );
      const where = o.connectionString
        ? redactConnectionString(o.connectionString)
        : `postgres://${o.user ?? ""}@${o.host ?? "localhost"}:${o.port ?? 5432}/${o.database ?? ""}`;
      this.target = `${where} (schema ${schema})`;
    }
    this.#pool.on("error", this.#onPoolError);
    this.#pool.on("connect", this.#onConnect);
    this.db = new Kysely<AnalyticsTables>({ dialect: new PostgresDialect({ pool: this.#pool }) }).withSchema(
      schema,
    );
  }

  migrationPreamble(): readonly SqlStatement[] {
    return [
      sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_CLASS}::int4, ${hash32(this.#schema)}::int4)`.compile(
        this.db,
      ),
      this.db.schema.createSchema(this.#schema).ifNotExists().compile(),
    ];
  }

  async transaction<T>(program: () => WriteProgram<T>, operation: SqlOperation): Promise<T> {
    const client = await this.#connect(operation);
    let broken = false;
    try {
      return await this.#inTransaction(client, program);
    } catch (error) {
      const failure = this.toError(error, operation);
      broken = failure.code === "STORE_UNAVAILABLE" || (await this.#rollbackFails(client));
      throw failure;
    } finally {
      this.#release(client, broken);
    }
  }

  writeAll(statements: readonly SqlStatement[], operation: SqlOperation, lane?: string): Promise<SqlRow[]> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const held = lane === undefined ? undefined : this.#lanes.get(lane);
    // With the lane's connection at hand, the batch goes out now, before the caller resumes the
    // previous batch's waiters: their work then overlaps the server's.
    if (held !== undefined) return this.#write(held, statements, operation, lane);
    return this.#connect(operation).then((client) => {
      if (lane !== undefined) this.#lanes.set(lane, client);
      return this.#write(client, statements, operation, lane);
    });
  }

  prepare(): void {
    // Statements are sent unnamed: nothing to keep.
  }

  releaseLane(lane: string): void {
    const client = this.#lanes.get(lane);
    if (client === undefined) return;
    this.#lanes.delete(lane);
    this.#release(client, false);
  }

  async #write(
    client: pg.PoolClient,
    statements: readonly SqlStatement[],
    operation: SqlOperation,
    lane: string | undefined,
  ): Promise<SqlRow[]> {
    let broken = false;
    try {
      if (statements.length === 1) {
        // One statement is its own transaction: no BEGIN/COMMIT round trips.
        const statement = statements[0] as SqlStatement;
        return (await client.query(statement.sql, statement.parameters as unknown[])).rows;
      }
      return await this.#inTransaction(client, () => runAll(statements));
    } catch (error) {
      const failure = this.toError(error, operation);
      broken =
        failure.code === "STORE_UNAVAILABLE" ||
        (statements.length > 1 && (await this.#rollbackFails(client)));
      throw failure;
    } finally {
      // A lane keeps its connection while it is healthy and nobody else waits for one.
      if (lane === undefined || broken || this.#closed || this.#pool.waitingCount > 0) {
        if (lane !== undefined) this.#lanes.delete(lane);
        this.#release(client, broken);
      }
    }
  }

  async #connect(operation: SqlOperation): Promise<pg.PoolClient> {
    if (this.#closed) throw this.#closedError();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.toError(error, operation);
    }
    client.on("error", ignore);
    return client;
  }

  #release(client: pg.PoolClient, broken: boolean): void {
    client.removeListener("error", ignore);
    // A connection that failed is dropped, so the pool's next one is fresh.
    client.release(broken);
  }

  async #inTransaction<T>(client: pg.PoolClient, program: () => WriteProgram<T>): Promise<T> {
    await client.query("BEGIN");
    const steps = program();
    let step = steps.next();
    while (step.done !== true) {
      const result = await client.query(step.value.sql, step.value.parameters as unknown[]);
      step = steps.next(result.rows);
    }
    await client.query("COMMIT");
    return step.value;
  }

  async #rollbackFails(client: pg.PoolClient): Promise<boolean> {
    try {
      await client.query("ROLLBACK");
      return false;
    } catch {
      return true;
    }
  }

  toError(error: unknown, operation: SqlOperation): AnalyticsError {
    if (AnalyticsError.isInstance(error)) return error;
    const code = String((error as { code?: unknown })?.code ?? "");
    const message = this.#message(error);
    if (isUnavailable(code, message)) {
      return new AnalyticsError(
        "STORE_UNAVAILABLE",
        `PostgreSQL at ${this.target} is unavailable${code === "" ? "" : ` (${code})`}: ${message}`,
        { cause: error },
      );
    }
    return new AnalyticsError(
      CODES[operation],
      `PostgreSQL ${operation} failed on ${this.target}${code === "" ? "" : ` (${code})`}: ${message}`,
      // Serialisation failures and deadlocks succeed when simply run again.
      { cause: error, retryable: code === "40001" || code === "40P01" },
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const client of this.#lanes.values()) this.#release(client, false);
    this.#lanes.clear();
    if (this.#ownsPool) {
      await this.#pool.end();
    }
    this.#pool.removeListener("error", this.#onPoolError);
    this.#pool.removeListener("connect", this.#onConnect);
  }

  #message(error: unknown): string {
    return messageOf(error, this.#secrets);
  }

  #closedError(): AnalyticsError {
    return new AnalyticsError("STORE_CLOSED", `The PostgreSQL store ${this.target} is closed`, {
      retryable: false,
    });
  }
}

const CODES = { write: "WRITE_FAILED", read: "READ_FAILED", migrate: "MIGRATION_FAILED" } as const;

const UNAVAILABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/** Connection trouble, server shutting down or out of resources: worth retrying later. */
function isUnavailable(code: string, message: string): boolean {
  if (UNAVAILABLE_ERRNO.has(code)) return true;
  // SQLSTATE 08 connection exception, 57P01-57P03 shutdown, 53 insufficient resources.
  if (/^(08|53)/.test(code) || /^57P0[1-3]$/.test(code)) return true;
  if (code !== "") return false;
  return /connection terminated|timeout exceeded when trying to connect|connection ended|not queryable|Client has encountered a connection error|Connection terminated/i.test(
    message,
  );
}

function passwordsIn(connectionString: string): string[] {
  const found: string[] = [];
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:([^@/?#]*)@/i.exec(connectionString);
  if (url?.[1]) {
    found.push(url[1]);
    try {
      found.push(decodeURIComponent(url[1]));
    } catch {
      // not percent-encoded
    }
  }
  for (const m of connectionString.matchAll(/(?:^|[?&;\s])(?:password|pass|pwd)=([^&;\s]*)/gi)) {
    if (m[1]) found.push(m[1]);
  }
  return found;
}

/** A stable 32-bit signed hash (FNV-1a) of the schema name: the advisory lock's second key. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

function ignore(): void {}
