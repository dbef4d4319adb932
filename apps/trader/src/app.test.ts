import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredEvent, StoredTrade } from "@qt/analytics";
import { describe, expect, it } from "vitest";
import { createTrader } from "./app.js";
import { parseConfig } from "./config.js";
import type { TraderSummary } from "./status/format-summary.js";

const sink = { write: () => true };

/** Runs a trader in-process to its bounded end and returns what it stored. */
async function runTrader(
  args: string[],
): Promise<{ trades: StoredTrade[]; events: StoredEvent[]; summary: TraderSummary }> {
  const db = join(mkdtempSync(join(tmpdir(), "qt-app-")), "qt.db");
  const parsed = parseConfig([...args, "--no-http", "--speed", "max", "--status", "off", "--db", db], {});
  if (!parsed.ok) throw parsed.error;
  const trader = createTrader(parsed.config, { stdout: sink, stderr: sink });
  await trader.start();
  const end = await trader.finished;
  const summary = await trader.halt(end);
  const store = trader.store;
  if (store === undefined) throw new Error("no store");
  const trades = await store.listTrades();
  const events = await store.findEvents();
  await trader.stop(end);
  return { trades, events, summary };
}

const tradeFields = (t: StoredTrade) => ({
  orderId: t.orderId,
  symbol: t.symbol,
  side: t.side,
  size: t.size,
  price: t.price,
  pnl: t.pnl,
  strategyId: t.strategyId,
  model: t.model,
  executedAt: t.executedAt,
});
const eventFields = (e: StoredEvent) => ({
  type: e.event.type,
  timestamp: e.event.timestamp,
  source: e.event.source,
  payload: e.event.payload,
});

describe("createTrader()", () => {
  it("gives the same trades, and the same events, for the same seed", async () => {
    const first = await runTrader(["--seed", "42", "--until-trades", "25"]);
    const second = await runTrader(["--seed", "42", "--until-trades", "25"]);
    expect(first.trades).toHaveLength(25);
    expect(first.trades[0]?.orderId).toBe("ord-42-000001");
    expect(second.trades.map(tradeFields)).toEqual(first.trades.map(tradeFields));
    expect(second.events.map(eventFields)).toEqual(first.events.map(eventFields));
    expect(second.summary.realisedPnl).toBe(first.summary.realisedPnl);

    const other = await runTrader(["--seed", "7", "--until-trades", "25"]);
    expect(other.trades.map(tradeFields)).not.toEqual(first.trades.map(tradeFields));
  });

  it("drives every flow: regime -> policy, rankings, promotions, trades, drawdown -> CRITICAL -> DEFENSIVE and flattening", async () => {
    const { events, trades, summary } = await runTrader(["--seed", "42", "--until-trades", "150"]);
    const types = new Set(events.map((e) => e.event.type));
    expect(types).toEqual(
      new Set([
        "policy.updated",
        "opportunities.updated",
        "strategy.promoted",
        "model.promoted",
        "trade.executed",
        "health.status_changed",
      ]),
    );
    // Every published event reached the event store.
    expect(events).toHaveLength(summary.bus.published);
    expect(summary.store).toEqual({ events: summary.bus.published, trades: 150 });

    const payloads = events.map((e) => e.event);
    const critical = payloads.find(
      (e) =>
        e.type === "health.status_changed" && (e.payload as { new_status: string }).new_status === "CRITICAL",
    );
    expect(critical).toBeDefined();
    // The MSC AI answered it with DEFENSIVE, in the same causal chain.
    const defensive = payloads.find((e) => e.type === "policy.updated" && e.causationId === critical?.id);
    expect(defensive?.payload).toMatchObject({ risk_mode: "DEFENSIVE", max_risk_per_trade: 0.01 });
    expect(defensive?.correlationId).toBe(critical?.correlationId);
    // The kill switch closed what was open, at the time of the alert.
    const flattened = trades.filter((t) => t.model === "DrawdownGuard");
    expect(flattened.length).toBeGreaterThan(0);
    expect(flattened.every((t) => t.pnl !== null)).toBe(true);
    // Strategies were promoted to LIVE before their first trade; models were promoted.
    const live = payloads.filter(
      (e) => e.type === "strategy.promoted" && (e.payload as { to_stage: string }).to_stage === "LIVE",
    );
    expect(live.length).toBeGreaterThan(0);
    expect((live[0]?.timestamp.getTime() ?? 0) <= (trades[0]?.executedAt.getTime() ?? 0)).toBe(true);
    expect(payloads.filter((e) => e.type === "model.promoted").length).toBeGreaterThan(2);
    const modes = new Set(
      payloads
        .filter((e) => e.type === "policy.updated")
        .map((e) => (e.payload as { risk_mode: string }).risk_mode),
    );
    expect(modes).toEqual(new Set(["NORMAL", "AGGRESSIVE", "DEFENSIVE"]));
  });
});
