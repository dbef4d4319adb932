import { createTestBus, recordEvents } from "@qt/eventbus/testing";
import { type QtEventMap, qtEventRegistry } from "@qt/events";
import { describe, expect, it } from "vitest";
import { ExecutorError } from "./errors.js";
import { type Order, PaperExecutor, type PaperExecutorOptions, type PriceSource } from "./paper-executor.js";

const at = new Date("2025-01-02T03:04:05.000Z");

function setup(bus: PaperExecutorOptions["eventBus"], options: Partial<PaperExecutorOptions> = {}) {
  const quotes = new Map<string, number>([
    ["BTCUSDT", 100],
    ["ETHUSDT", 50],
  ]);
  const prices: PriceSource = { price: (symbol) => quotes.get(symbol) ?? Number.NaN };
  let n = 0;
  const executor = new PaperExecutor({
    eventBus: bus,
    prices,
    feeRate: 0,
    slippageBps: 0,
    clock: () => at,
    idGenerator: () => `o-${++n}`,
    ...options,
  });
  return { executor, quotes };
}

const buy = (size: number, symbol = "BTCUSDT"): Order => ({
  symbol,
  side: "BUY",
  size,
  strategy_id: "trend",
});
const sell = (size: number, symbol = "BTCUSDT"): Order => ({
  symbol,
  side: "SELL",
  size,
  strategy_id: "trend",
});

describe("new PaperExecutor()", () => {
  it.each([
    ["a negative feeRate", { feeRate: -0.1 }, "options.feeRate"],
    ["a feeRate of 1", { feeRate: 1 }, "options.feeRate"],
    ["a NaN slippage", { slippageBps: Number.NaN }, "options.slippageBps"],
    ["a missing price source", { prices: undefined as unknown as PriceSource }, "options.prices"],
  ])("refuses %s with INVALID_OPTIONS", async (_, options, field) => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    expect(() => setup(bus, options)).toThrow(expect.objectContaining({ code: "INVALID_OPTIONS", field }));
  });
});

describe("PaperExecutor.execute()", () => {
  it("fills a BUY paying slippage up, charges the fee, publishes trade.executed with pnl null", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const trades = recordEvents(bus, "trade.executed");
    const { executor } = setup(bus, { feeRate: 0.001, slippageBps: 5 });

    const fill = await executor.execute({ ...buy(2), model: "xgb@1.5" });
    await bus.idle();

    expect(fill).toMatchObject({ market_price: 100, executed_at: at });
    expect(fill.price).toBeCloseTo(100.05, 10);
    expect(fill.fee).toBeCloseTo(100.05 * 2 * 0.001, 10);
    expect(trades.events).toHaveLength(1);
    expect(trades.events[0]).toMatchObject({ source: "executor", timestamp: at });
    expect(trades.payloads()).toEqual([
      {
        order_id: "o-1",
        symbol: "BTCUSDT",
        side: "BUY",
        size: 2,
        price: fill.price,
        strategy_id: "trend",
        model: "xgb@1.5",
        pnl: null,
      },
    ]);
    expect(executor.position("BTCUSDT")).toEqual({
      symbol: "BTCUSDT",
      quantity: 2,
      averageEntryPrice: fill.price,
    });
  });

  it("fills a SELL receiving less, and realises (exit - entry) * qty minus the closing fee", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const trades = recordEvents(bus, "trade.executed");
    const { executor, quotes } = setup(bus, { feeRate: 0.001, slippageBps: 10 });
    const open = await executor.execute(buy(1));
    quotes.set("BTCUSDT", 110);
    const close = await executor.execute(sell(1));
    await bus.idle();

    expect(close.price).toBeCloseTo(110 * 0.999, 10);
    const expected = (close.price - open.price) * 1 - close.price * 0.001;
    expect(close.pnl).toBeCloseTo(expected, 10);
    expect(trades.payloads().map((p) => p.pnl)).toEqual([null, close.pnl]);
    expect(executor.position("BTCUSDT")).toBeUndefined();
    expect(executor.realisedPnl).toBeCloseTo(expected, 10);
    expect(executor.totalFees).toBeCloseTo(open.fee + close.fee, 10);
  });

  it("mirrors pnl for a short: (entry - exit) * qty", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { executor, quotes } = setup(bus);
    await executor.execute(sell(3, "ETHUSDT"));
    quotes.set("ETHUSDT", 40);
    const cover = await executor.execute(buy(1, "ETHUSDT"));
    expect(cover.pnl).toBe(10);
    expect(executor.position("ETHUSDT")).toEqual({ symbol: "ETHUSDT", quantity: -2, averageEntryPrice: 50 });
  });

  it("averages the entry price when increasing, with pnl null", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { executor, quotes } = setup(bus);
    await executor.execute(buy(1));
    quotes.set("BTCUSDT", 130);
    const more = await executor.execute(buy(2));
    expect(more.pnl).toBeNull();
    expect(executor.position("BTCUSDT")).toEqual({ symbol: "BTCUSDT", quantity: 3, averageEntryPrice: 120 });
  });

  it("flips through zero in one fill: pnl for the closed part, the rest opened at the fill price", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const trades = recordEvents(bus, "trade.executed");
    const { executor, quotes } = setup(bus, { feeRate: 0.01 });
    await executor.execute(buy(1));
    quotes.set("BTCUSDT", 120);
    const flip = await executor.execute(sell(3));
    await bus.idle();

    // Closed 1 of 3: gross (120 - 100) * 1, minus a third of the fill's fee (120 * 3 * 0.01).
    expect(flip.pnl).toBeCloseTo(20 - 1.2, 10);
    expect(trades.events).toHaveLength(2);
    expect(trades.events[1]?.payload).toMatchObject({ side: "SELL", size: 3, pnl: flip.pnl });
    expect(executor.position("BTCUSDT")).toEqual({ symbol: "BTCUSDT", quantity: -2, averageEntryPrice: 120 });
  });

  it("applies concurrent calls one at a time in call order", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    let release = (_: number) => {};
    const slow = new Promise<number>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const { executor } = setup(bus, { prices: { price: () => (++calls === 1 ? slow : 100) } });
    const first = executor.execute(buy(1));
    const second = executor.execute(sell(1));
    release(90);
    expect((await first).price).toBe(90);
    expect((await second).pnl).toBe(10);
    expect(executor.positions()).toEqual([]);
  });

  it.each([
    ["size <= 0", { ...buy(1), size: 0 }, "order.size"],
    ["a NaN size", { ...buy(1), size: Number.NaN }, "order.size"],
    ["an unknown side", { ...buy(1), side: "HOLD" as "BUY" }, "order.side"],
    ["an empty symbol", { ...buy(1), symbol: "" }, "order.symbol"],
    ["an empty strategy_id", { ...buy(1), strategy_id: "" }, "order.strategy_id"],
    ["an empty model", { ...buy(1), model: "" }, "order.model"],
  ])("refuses %s with INVALID_ORDER: no event, no state change", async (_, order, field) => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const trades = recordEvents(bus, "trade.executed");
    const { executor } = setup(bus);
    await executor.execute(buy(1));
    const error = await executor.execute(order).catch((e: unknown) => e);
    await bus.idle();

    expect(ExecutorError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ name: "ExecutorError", code: "INVALID_ORDER", field });
    expect(trades.events).toHaveLength(1);
    expect(executor.positions()).toEqual([{ symbol: "BTCUSDT", quantity: 1, averageEntryPrice: 100 }]);
  });

  it.each([
    ["a missing price", () => undefined, "INVALID_PRICE"],
    ["a NaN price", () => Number.NaN, "INVALID_PRICE"],
    ["a zero price", () => 0, "INVALID_PRICE"],
    ["a failing source", () => Promise.reject(new Error("feed down")), "PRICE_UNAVAILABLE"],
  ])("refuses %s from the source: no event, no state change", async (_, price, code) => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const trades = recordEvents(bus, "trade.executed");
    const { executor } = setup(bus, { prices: { price: price as PriceSource["price"] } });
    const error = await executor.execute(buy(1)).catch((e: unknown) => e);
    await bus.idle();

    expect(error).toBeInstanceOf(ExecutorError);
    expect(error).toMatchObject({ code, field: "price", symbol: "BTCUSDT" });
    expect(trades.events).toEqual([]);
    expect(executor.positions()).toEqual([]);
    expect(executor.realisedPnl).toBe(0);
  });

  it("changes nothing when the bus refuses the event", async () => {
    const bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { executor } = setup(bus);
    await bus.stop();
    await expect(executor.execute(buy(1))).rejects.toMatchObject({ code: "BUS_STOPPED" });
    expect(executor.positions()).toEqual([]);
    expect(executor.totalFees).toBe(0);
  });
});

describe("PaperExecutor.positions()", () => {
  it("lists open positions only, in the order the symbols were opened", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { executor } = setup(bus);
    await executor.execute(buy(1, "ETHUSDT"));
    await executor.execute(sell(2, "BTCUSDT"));
    await executor.execute(sell(1, "ETHUSDT"));
    expect(executor.positions()).toEqual([{ symbol: "BTCUSDT", quantity: -2, averageEntryPrice: 100 }]);
  });
});
