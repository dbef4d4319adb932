import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "libsql";
import { beforeAll, describe, expect, it } from "vitest";
import { buildTrader, readSse, spawnTrader } from "./testing/trader-process.js";

beforeAll(buildTrader, 120_000);

describe("SIGTERM", () => {
  it("stops intake, drains the bus into the event store, and exits 0", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "qt-sigterm-")), "qt.db");
    const trader = spawnTrader(["--seed", "7", "--port", "0", "--db", db, "--speed", "400"]);
    try {
      const url = await trader.url();
      // Mid-run: trades are flowing.
      const trades = await readSse(
        `${url}/events?type=trade.executed`,
        (events) => events.length >= 3,
        45_000,
      );
      expect(trades.length).toBeGreaterThanOrEqual(3);
      trader.child.kill("SIGTERM");
      const started = performance.now();
      expect(await trader.exited).toEqual({ code: 0, signal: null });
      expect(performance.now() - started).toBeLessThan(12_000);
    } finally {
      if (trader.child.exitCode === null) trader.child.kill("SIGKILL");
    }
    expect(trader.stderr.join("\n")).toMatch(/^SIGTERM: shutting down/m);
    const line = trader.stdout.map((l) => /^summary (\{.*\})$/.exec(l)).find((m) => m !== null);
    expect(line, trader.output()).toBeDefined();
    const summary = JSON.parse(line?.[1] as string) as {
      reason: string;
      trades: number;
      bus: { published: number; deadLettered: number };
      store: { events: number; trades: number };
    };
    expect(summary.reason).toBe("SIGTERM");
    expect(summary.trades).toBeGreaterThanOrEqual(3);
    expect(summary.bus.deadLettered).toBe(0);
    expect(summary.store.events).toBe(summary.bus.published);

    // Every event the bus accepted is in the event store, once; every trade in the trade log.
    const sqlite = new Database(db, { readonly: true });
    try {
      const events = sqlite.prepare("select count(*) as n, count(distinct id) as ids from events").get() as {
        n: number;
        ids: number;
      };
      expect(Number(events.n)).toBe(summary.bus.published);
      expect(Number(events.ids)).toBe(summary.bus.published);
      const trades = sqlite.prepare("select count(*) as n from trades").get() as { n: number };
      expect(Number(trades.n)).toBe(summary.trades);
      const tradeEvents = sqlite
        .prepare("select count(*) as n from events where type = 'trade.executed'")
        .get() as { n: number };
      expect(Number(tradeEvents.n)).toBe(summary.trades);
    } finally {
      sqlite.close();
    }
  });
});
