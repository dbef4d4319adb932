import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "libsql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTrader, getJson, spawnTrader, type TraderProcess } from "./testing/trader-process.js";

interface Trade {
  sequence: number;
  orderId: string;
  eventId: string;
  symbol: string;
  side: string;
  size: number;
  price: number;
  pnl: number | null;
  strategyId: string;
}
interface Metrics {
  totalPnl: number;
  tradeCount: number;
  wins: number;
  losses: number;
}

beforeAll(buildTrader, 120_000);

describe("the trader process, end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "qt-e2e-"));
  const db = join(dir, "qt.db");
  let trader: TraderProcess;
  let url: string;
  let summary: {
    trades: number;
    realisedPnl: number;
    bus: { published: number };
    store: { events: number; trades: number };
  };

  beforeAll(async () => {
    trader = spawnTrader([
      "--seed",
      "42",
      "--until-trades",
      "30",
      "--port",
      "0",
      "--db",
      db,
      "--speed",
      "max",
      "--hold",
    ]);
    url = await trader.url();
    const line = await trader.waitFor(/^summary (\{.*\})$/);
    summary = JSON.parse(line[1] as string);
    await trader.waitFor(/^run finished: the dashboard and API stay up/);
  });

  afterAll(async () => {
    if (trader.child.exitCode === null) trader.child.kill("SIGKILL");
    await trader.exited;
  });

  it("runs the bounded session and says so", () => {
    expect(trader.stdout.join("\n")).toMatch(/discord alerts are off/);
    expect(summary.trades).toBe(30);
    expect(summary.store).toEqual({ events: summary.bus.published, trades: 30 });
  });

  it("serves trades, performance and events that agree with each other and with the SQLite store", async () => {
    const { trades } = await getJson<{ trades: Trade[] }>(`${url}/api/trades`);
    const performance = await getJson<{
      ready: boolean;
      fills: number;
      overall: Metrics;
      byStrategy: Record<string, Metrics>;
    }>(`${url}/api/performance`);
    const tradeEvents = await getJson<{
      events: { id: string; payload: { order_id: string; pnl: number | null } }[];
    }>(`${url}/api/events?type=trade.executed`);
    const allEvents = await getJson<{ count: number }>(`${url}/api/events?limit=10000`);
    const stats = await getJson<{ published: number; deadLettered: number; errors: number }>(`${url}/stats`);

    // Trades: the 30 of the run, ids from the seed, in order.
    expect(trades.map((t) => t.orderId)).toEqual(
      Array.from({ length: 30 }, (_, i) => `ord-42-${String(i + 1).padStart(6, "0")}`),
    );
    // Performance: computed from the same trades.
    const closed = trades.filter((t) => t.pnl !== null);
    const totalPnl = closed.reduce((sum, t) => sum + (t.pnl as number), 0);
    expect(performance.ready).toBe(true);
    expect(performance.fills).toBe(30);
    expect(performance.overall.tradeCount).toBe(closed.length);
    expect(performance.overall.totalPnl).toBeCloseTo(totalPnl, 6);
    expect(performance.overall.totalPnl).toBeCloseTo(summary.realisedPnl, 6);
    expect(performance.overall.wins + performance.overall.losses).toBeLessThanOrEqual(closed.length);
    const byStrategy = Object.values(performance.byStrategy).reduce((sum, m) => sum + m.tradeCount, 0);
    expect(byStrategy).toBe(closed.length);
    // Events: one trade.executed per trade, same ids and pnl; every published event stored.
    expect(tradeEvents.events.map((e) => e.id)).toEqual(trades.map((t) => t.eventId));
    expect(tradeEvents.events.map((e) => e.payload.pnl)).toEqual(trades.map((t) => t.pnl));
    expect(allEvents.count).toBe(stats.published);
    expect(stats).toMatchObject({ errors: 0, deadLettered: 0 });

    // And the database file says the same, read directly.
    const sqlite = new Database(db, { readonly: true });
    try {
      const rows = sqlite.prepare("select order_id, pnl from trades order by seq").all() as {
        order_id: string;
        pnl: string | null;
      }[];
      expect(rows.map((r) => r.order_id)).toEqual(trades.map((t) => t.orderId));
      expect(rows.map((r) => (r.pnl === null ? null : Number(r.pnl)))).toEqual(trades.map((t) => t.pnl));
      const events = sqlite.prepare("select count(*) as n from events").get() as { n: number };
      expect(Number(events.n)).toBe(stats.published);
      const policy = sqlite.prepare("select risk_mode from policy").get() as { risk_mode: string };
      expect(["AGGRESSIVE", "NORMAL", "DEFENSIVE"]).toContain(policy.risk_mode);
    } finally {
      sqlite.close();
    }
  });

  it("filters events by type pattern and time, and refuses bad parameters", async () => {
    const { events } = await getJson<{ events: { type: string; timestamp: string }[] }>(
      `${url}/api/events?type=policy.*,health.>&since=2025-01-01T01:00:00Z`,
    );
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.type.split(".")[0]))).toEqual(new Set(["policy", "health"]));
    expect(events.every((e) => e.timestamp >= "2025-01-01T01:00:00.000Z")).toBe(true);
    for (const query of ["limit=0", "since=yesterday", "type=trade..x", "after=-1"]) {
      const response = await fetch(`${url}/api/events?${query}`);
      expect(response.status, query).toBe(400);
    }
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/api/trades`, { method: "POST" })).status).toBe(405);
  });

  it("reports health, Prometheus metrics and the dashboard", async () => {
    const health = await fetch(`${url}/health`);
    // The run is over: live, not ready.
    expect(health.status).toBe(503);
    const body = (await health.json()) as {
      live: boolean;
      ready: boolean;
      components: Record<string, { state?: string }>;
    };
    expect(body).toMatchObject({ live: true, ready: false });
    expect(body.components.bus?.state).toBe("stopped");
    expect(body.components.store?.state).toBe("open");

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/^qt_bus_published_total \d+$/m);
    expect(text).toMatch(/^qt_bus_handler_latency_seconds\{quantile="0.99"\} /m);
    const trades = [...text.matchAll(/^qt_trades_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    expect(trades).toBe(30);
    expect(text).toMatch(/^qt_realised_pnl -?[\d.e+-]+$/m);
    expect(text).toMatch(/^qt_risk_mode\{mode="NORMAL"\} [01]$/m);

    const page = await fetch(`${url}/`);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain('<canvas id="equity-chart"');
  });

  it("exits 0 on SIGTERM after a held run", async () => {
    trader.child.kill("SIGTERM");
    expect(await trader.exited).toEqual({ code: 0, signal: null });
  });
});

describe("the trader process, refusing to start", () => {
  it("exits 2 naming each bad setting, and starts nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qt-bad-"));
    const db = join(dir, "qt.db");
    const trader = spawnTrader(["--port", "http", "--seed", "-3", "--db", db], { env: { QT_SPEED: "fast" } });
    expect(await trader.exited).toEqual({ code: 2, signal: null });
    const stderr = trader.stderr.join("\n");
    expect(stderr).toMatch(/^ {2}--port: expected an integer/m);
    expect(stderr).toMatch(/^ {2}--seed: expected an integer/m);
    expect(stderr).toMatch(/^ {2}QT_SPEED: expected ticks per second/m);
    expect(trader.stdout.join("")).toBe("");
    expect(existsSync(db)).toBe(false);
  });

  it("exits 2 with a clear message when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const db = join(mkdtempSync(join(tmpdir(), "qt-busy-")), "qt.db");
      const trader = spawnTrader(["--port", String(port), "--db", db]);
      expect(await trader.exited).toEqual({ code: 2, signal: null });
      expect(trader.stderr.join("\n")).toContain(
        `--port / QT_HTTP_PORT: port ${port} on 127.0.0.1 is already in use`,
      );
    } finally {
      blocker.close();
    }
  });

  it("logs a fatal error once, with its cause, and exits 1", async () => {
    const trader = spawnTrader(["--port", "0", "--db", "/dev/null/not-a-folder/qt.db"]);
    expect(await trader.exited).toEqual({ code: 1, signal: null });
    const stderr = trader.stderr.join("\n");
    expect(stderr.match(/^fatal: /gm)).toHaveLength(1);
    expect(stderr).toMatch(/^fatal: AnalyticsError \[STORE_UNAVAILABLE\]: .*\n {2}caused by: .*ENOTDIR/m);
    expect(stderr).not.toMatch(/unhandled/i);
  });

  it("prints its settings with --help and exits 0", async () => {
    const trader = spawnTrader(["--help"]);
    expect(await trader.exited).toEqual({ code: 0, signal: null });
    expect(trader.stdout.join("\n")).toMatch(/QT_DATABASE_URL/);
  });
});
