import { randomUUID } from "node:crypto";
import { createRecordingLogger, createTestBus } from "@qt/eventbus/testing";
import type { QtEventMap } from "@qt/events";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnalyticsStore, tradeFromEvent } from "./analytics-store.js";
import { describeAnalyticsStore, type StoreTarget, tradeEvent } from "./analytics-store.test-suite.js";
import { PerformanceTracker } from "./performance-tracker.js";
import { createPostgresStore } from "./postgres-store.js";
import { TradeLogger } from "./trade-logger.js";

const URL = process.env.QT_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let admin: pg.Pool;
beforeAll(() => {
  admin = new pg.Pool({ connectionString: URL, max: 2, application_name: "qt-analytics-test-admin" });
});
afterAll(async () => {
  await admin.end();
});

/** A schema no other test file or run uses. */
function uniqueSchema(): string {
  return `qt_analytics_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

async function postgresTarget(): Promise<StoreTarget> {
  const schema = uniqueSchema();
  const stores: AnalyticsStore[] = [];
  return {
    async open(options = {}) {
      const store = await createPostgresStore({ connectionString: URL, schema, ...options });
      stores.push(store);
      return store;
    },
    async migrationVersions() {
      const { rows } = await admin.query(`select version from ${schema}.schema_migrations order by version`);
      return rows.map((r) => Number(r.version));
    },
    async refuseSymbol(symbol) {
      await admin.query(
        `alter table ${schema}.trades add constraint refuse_${symbol} check (symbol <> '${symbol}')`,
      );
    },
    async dispose() {
      await Promise.all(stores.map((s) => s.close()));
      await admin.query(`drop schema if exists ${schema} cascade`);
    },
  };
}

describeAnalyticsStore("PostgreSQL", postgresTarget);

describe("createPostgresStore()", () => {
  it("stores numbers as NUMERIC and times as epoch milliseconds", async () => {
    const schema = uniqueSchema();
    const store = await createPostgresStore({ connectionString: URL, schema });
    try {
      const { rows } = await admin.query(
        "select column_name, data_type from information_schema.columns where table_schema = $1 and table_name = 'trades' and column_name in ('size', 'price', 'pnl', 'executed_at') order by column_name",
        [schema],
      );
      expect(rows).toEqual([
        { column_name: "executed_at", data_type: "bigint" },
        { column_name: "pnl", data_type: "numeric" },
        { column_name: "price", data_type: "numeric" },
        { column_name: "size", data_type: "numeric" },
      ]);
    } finally {
      await store.close();
      await admin.query(`drop schema if exists ${schema} cascade`);
    }
  });

  it("migrates from separate pools at once: no error, one row per version", async () => {
    const schema = uniqueSchema();
    const stores = await Promise.all(
      [1, 2, 3].map((i) =>
        createPostgresStore({ connectionString: URL, schema, applicationName: `qt-migrate-${i}` }),
      ),
    );
    try {
      const { rows } = await admin.query(`select version from ${schema}.schema_migrations`);
      expect(rows).toEqual([{ version: 1 }]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await admin.query(`drop schema if exists ${schema} cascade`);
    }
  });

  it("fails with STORE_UNAVAILABLE when the server is unreachable, without the password", async () => {
    const attempt = createPostgresStore({
      connectionString: "postgres://qt:hunter2-secret@127.0.0.1:1/test",
      connectionTimeoutMs: 2_000,
    });
    await expect(attempt).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("postgres://qt:***@127.0.0.1:1/test");
    expect(error.message).not.toContain("hunter2");
  });

  it("refuses bad options with INVALID_CONFIG", async () => {
    await expect(createPostgresStore({})).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(
      createPostgresStore({ connectionString: URL, schema: 'x"; drop table y; --' }),
    ).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  });

  it("uses a pool it is given, even of one connection, and leaves it open on close()", async () => {
    const pool = new pg.Pool({ connectionString: URL, max: 1 });
    const schema = uniqueSchema();
    try {
      const store = await createPostgresStore({ pool, schema, logger: createRecordingLogger() });
      expect(store.target).toContain(`schema ${schema}`);
      const event = tradeEvent({ pnl: 1.5 });
      await Promise.all([store.appendTrade(tradeFromEvent(event)), store.appendEvent(event)]);
      expect(await store.listTrades()).toHaveLength(1);
      expect(await store.findEvents()).toHaveLength(1);
      await store.close();
      expect((await pool.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    }
  });

  it("survives its connection being killed mid-batch: the bus retries and each trade is stored once", async () => {
    const schema = uniqueSchema();
    const applicationName = `qt-kill-${schema}`;
    const storeLogger = createRecordingLogger();
    const store = await createPostgresStore({
      connectionString: URL,
      schema,
      applicationName,
      logger: storeLogger,
    });
    const bus = createTestBus<QtEventMap>({ retry: { maxAttempts: 5 } });
    const locker = await admin.connect();
    try {
      const tracker = new PerformanceTracker({ eventBus: bus, store });
      new TradeLogger({ eventBus: bus, store });
      await tracker.start();

      // Hold the table so the batch's INSERT waits inside its transaction, then kill that connection.
      await locker.query("begin");
      await locker.query(`lock table ${schema}.trades in access exclusive mode`);
      const events = Array.from({ length: 40 }, (_, i) => tradeEvent({ pnl: i % 3 === 0 ? -1.5 : 2.25 }));
      for (const event of events) await bus.publish(event);
      await waitFor(async () => {
        const { rows } = await admin.query(
          "select count(*)::int as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'",
          [applicationName],
        );
        return rows[0].n > 0;
      });
      const { rows: killed } = await admin.query(
        "select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1",
        [applicationName],
      );
      expect(killed.length).toBeGreaterThan(0);
      await waitFor(() => bus.handlerErrors.length > 0);
      await locker.query("rollback");
      await bus.idle();

      expect(bus.handlerErrors[0]?.cause).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
      expect(bus.deadLetters.list()).toEqual([]);
      const { rows } = await admin.query(`select event_id from ${schema}.trades order by seq`);
      expect(rows.map((r) => r.event_id).sort()).toEqual(events.map((e) => e.id).sort());
      expect(tracker.snapshot.fills).toBe(40);
      expect(tracker.snapshot.overall.totalPnl).toBe(14 * -1.5 + 26 * 2.25);
      expect(storeLogger.entries.some((e) => e.fields.code === "STORE_UNAVAILABLE")).toBe(true);
    } finally {
      locker.release();
      await bus.stop();
      await store.close();
      await admin.query(`drop schema if exists ${schema} cascade`);
    }
  });

  it("dead-letters with the reason while the server is down, and counts nothing", async () => {
    const logger = createRecordingLogger();
    const down = await createPostgresStore({
      connectionString: "postgres://postgres:pw-secret@127.0.0.1:1/test",
      migrate: false,
      connectionTimeoutMs: 1_000,
      logger,
    });
    const bus = createTestBus<QtEventMap>();
    try {
      const tracker = new PerformanceTracker({ eventBus: bus, store: down });
      await expect(tracker.start()).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
      await bus.publish(tradeEvent({ pnl: 10 }));
      await bus.idle();
      expect(tracker.snapshot.overall.tradeCount).toBe(0);
      expect(tracker.snapshot.fills).toBe(0);
      const [deadLetter, ...rest] = bus.deadLetters.list();
      expect(rest).toEqual([]);
      expect(deadLetter).toMatchObject({
        reason: "handler-failed",
        attempts: 3,
        error: { code: "STORE_UNAVAILABLE" },
      });
      expect(deadLetter?.error?.message).toContain("ECONNREFUSED");
      expect(deadLetter?.error?.message).not.toContain("pw-secret");
      expect(logger.entries).toContainEqual(
        expect.objectContaining({
          message: "analytics write failed",
          fields: expect.objectContaining({ rows: 1 }),
        }),
      );
      expect(JSON.stringify(logger.entries)).not.toContain("pw-secret");
    } finally {
      await bus.stop();
      await down.close();
    }
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
