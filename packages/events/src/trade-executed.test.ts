import type { EventEnvelope } from "@qt/eventbus";
import { validationIssues } from "@qt/eventbus/testing";
import { describe, expect, expectTypeOf, it } from "vitest";
import { TradeSide } from "./enums.js";
import { TradeExecutedEvent, type TradeExecutedPayload } from "./trade-executed.js";

type Input = Parameters<typeof TradeExecutedEvent.create>[0];

const valid: Input = {
  order_id: "o-42",
  symbol: "BTCUSDT",
  side: TradeSide.SELL,
  size: 0.25,
  price: 64_000,
  strategy_id: "trend-v3",
  model: "xgb-btc@1.5.0",
  pnl: -12.5,
};

describe("TradeExecutedEvent.create()", () => {
  it("creates a version 1 trade.executed envelope with exactly the payload", () => {
    const event = TradeExecutedEvent.create(valid, { source: "executor" });
    expect(event).toMatchObject({ type: "trade.executed", version: 1, source: "executor" });
    expect(event.payload).toEqual(valid);
  });

  it("defaults model and pnl to null (an opening fill without a model)", () => {
    const { model: _model, pnl: _pnl, ...opening } = valid;
    expect(TradeExecutedEvent.create(opening).payload).toEqual({ ...opening, model: null, pnl: null });
  });

  it.each([
    ["a negative size", { size: -1 }, "payload.size", "expected number > 0, received -1"],
    ["a zero price", { price: 0 }, "payload.price", "expected number > 0, received 0"],
    ["a NaN price", { price: Number.NaN }, "payload.price", "expected number, received NaN"],
    [
      "an infinite size",
      { size: Number.POSITIVE_INFINITY },
      "payload.size",
      "expected number, received Infinity",
    ],
    [
      "an infinite pnl",
      { pnl: Number.NEGATIVE_INFINITY },
      "payload.pnl",
      "expected number, received -Infinity",
    ],
    [
      "an empty order_id",
      { order_id: "" },
      "payload.order_id",
      "expected a non-empty string, received empty string",
    ],
    [
      "an empty symbol",
      { symbol: "" },
      "payload.symbol",
      "expected a non-empty string, received empty string",
    ],
    ["an empty model", { model: "" }, "payload.model", "expected a non-empty string, received empty string"],
    ["a lowercase side", { side: "buy" }, "payload.side", 'expected "BUY" | "SELL", received string'],
    ["a string size", { size: "1" }, "payload.size", "expected number, received string"],
    ["an unknown key", { fee: 0.1 }, "payload.fee", "unknown key"],
  ])("refuses %s", (_name, patch, path, message) => {
    expect(validationIssues(() => TradeExecutedEvent.create({ ...valid, ...patch } as Input))).toEqual([
      { path, message },
    ]);
  });

  it("reports every bad field at once", () => {
    const issues = validationIssues(() =>
      TradeExecutedEvent.create({ ...valid, size: -1, price: Number.NaN, order_id: "" }),
    );
    expect(issues.map((i) => i.path)).toEqual(["payload.order_id", "payload.size", "payload.price"]);
  });

  it("is typed: returns EventEnvelope<'trade.executed', TradeExecutedPayload>", () => {
    const event = TradeExecutedEvent.create(valid);
    expectTypeOf(event).toEqualTypeOf<EventEnvelope<"trade.executed", TradeExecutedPayload>>();
    expectTypeOf(event.payload.side).toEqualTypeOf<"BUY" | "SELL">();
    expectTypeOf(event.payload.pnl).toEqualTypeOf<number | null>();
    expectTypeOf(event.payload.model).toEqualTypeOf<string | null>();
  });
});
