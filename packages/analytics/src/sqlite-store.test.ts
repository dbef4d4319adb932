import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRecordingLogger } from "@qt/eventbus/testing";
import { Kysely, SqliteDialect } from "kysely";
import Database from "libsql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AnalyticsStore } from "./analytics-store.js";
import { describeAnalyticsStore, type StoreTarget, tradeEvent } from "./analytics-store.test-suite.js";
import { tradeFromEvent } from "./index.js";
import { MIGRATIONS } from "./migrations.js";
import type { AnalyticsTables } from "./schema.js";
import { createSqliteStore } from "./sqlite-store.js";

async function sqliteTarget(): Promise<StoreTarget> {
  const dir = await mkdtemp(join(tmpdir(), "qt-analytics-"));
  const path = join(dir, "qt.db");
  const stores: AnalyticsStore[] = [];
  const raw = <T>(work: (db: Database.Database) => T): T => {
    const db = new Database(path);
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    async open(options = {}) {
      const store = await createSqliteStore({ path, ...options });
      stores.push(store);
      return store;
    },
    async migrationVersions() {
      return raw((db) =>
        (
          db.prepare("select version from schema_migrations order by version").all() as { version: number }[]
        ).map((r) => r.version),
      );
    },
    async refuseSymbol(symbol) {
      raw((db) =>
        db.exec(
          `create trigger refuse_${symbol} before insert on trades when new.symbol = '${symbol}'
           begin select raise(abort, 'refused by the test'); end`,
        ),
      );
    },
    async dispose() {
      await Promise.all(stores.map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describeAnalyticsStore("SQLite", sqliteTarget);

describe("createSqliteStore()", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "qt-analytics-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the file and its directory, in WAL mode", async () => {
    const path = join(dir, "nested", "deeper", "qt.db");
    const store = await createSqliteStore({ path });
    try {
      expect(existsSync(path)).toBe(true);
      expect(store.dialect).toBe("sqlite");
      expect(store.target).toBe(path);
      const db = new Database(path);
      expect(db.pragma("journal_mode")).toEqual([{ journal_mode: "wal" }]);
      db.close();
    } finally {
      await store.close();
    }
  });

  it("refuses bad options with INVALID_CONFIG", async () => {
    await expect(createSqliteStore({ path: "" })).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(createSqliteStore({ path: join(dir, "a.db"), busyTimeoutMs: -1 })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
    });
    await expect(createSqliteStore({ path: join(dir, "b.db"), maxBatchSize: 0 })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
    });
  });

  it("fails with STORE_UNAVAILABLE when the file cannot be opened", async () => {
    const file = join(dir, "file");
    await createSqliteStore({ path: file }).then((s) => s.close());
    // A path below a regular file can never be created.
    await expect(createSqliteStore({ path: join(file, "qt.db") })).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
      retryable: true,
    });
  });

  it("fails a write with STORE_UNAVAILABLE while another process holds the lock, then recovers", async () => {
    const path = join(dir, "qt.db");
    const logger = createRecordingLogger();
    const store = await createSqliteStore({ path, busyTimeoutMs: 20, logger });
    const other = new Database(path);
    try {
      other.exec("BEGIN IMMEDIATE");
      const trade = tradeFromEvent(tradeEvent());
      await expect(store.appendTrade(trade)).rejects.toMatchObject({
        code: "STORE_UNAVAILABLE",
        retryable: true,
      });
      expect(logger.entries[0]).toMatchObject({ level: "error", message: "analytics write failed" });
      other.exec("ROLLBACK");
      await store.appendTrade(trade);
      expect(await store.listTrades()).toHaveLength(1);
    } finally {
      other.close();
      await store.close();
    }
  });

  it("waits for a migration running in another process, then finds nothing to do", async () => {
    const path = join(dir, "qt.db");
    // The other process applies the real version-1 statements inside BEGIN IMMEDIATE and holds the
    // lock a moment before committing, as a slow migrator would.
    const compiler = new Kysely<AnalyticsTables>({ dialect: new SqliteDialect({ database: {} as never }) });
    const statements = [
      "create table if not exists schema_migrations (version integer primary key, name text not null, applied_at bigint not null)",
      ...(MIGRATIONS[0]?.statements(compiler, { dialect: "sqlite", decimalType: "text" } as never) ?? []).map(
        (s) => s.sql,
      ),
      "insert into schema_migrations (version, name, applied_at) values (1, 'other process', 0)",
    ];
    const script = `
      import { Kysely, SqliteDialect } from "kysely";
import Database from "libsql";
      const db = new Database(process.argv[1]);
      db.pragma("journal_mode = WAL");
      db.exec("BEGIN IMMEDIATE");
      for (const sql of JSON.parse(process.argv[2])) db.exec(sql);
      process.stdout.write("locked\\n");
      setTimeout(() => { db.exec("COMMIT"); db.close(); }, 300);
    `;
    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", script, path, JSON.stringify(statements)],
      {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const exited = once(child, "exit");
    await once(child.stdout, "data");
    const store = await createSqliteStore({ path, busyTimeoutMs: 10_000 });
    try {
      expect(await exited).toEqual([0, null]);
      expect(await store.migrate()).toEqual({ applied: [], version: 1 });
      const db = new Database(path);
      expect(db.prepare("select version, name from schema_migrations").all()).toEqual([
        { version: 1, name: "other process" },
      ]);
      db.close();
      await store.appendTrade(tradeFromEvent(tradeEvent()));
      expect(await store.listTrades()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it("refuses a database whose schema is newer than this package", async () => {
    const path = join(dir, "qt.db");
    await createSqliteStore({ path }).then((s) => s.close());
    const db = new Database(path);
    db.exec("insert into schema_migrations (version, name, applied_at) values (99, 'future', 0)");
    db.close();
    await expect(createSqliteStore({ path })).rejects.toMatchObject({
      code: "MIGRATION_FAILED",
      message: expect.stringContaining("version 99"),
    });
  });
});
