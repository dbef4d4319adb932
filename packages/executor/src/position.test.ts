import { describe, expect, it } from "vitest";
import { applyFill } from "./position.js";

describe("applyFill()", () => {
  it("opens and increases a long at the size-weighted average price, pnl null", () => {
    const opened = applyFill("BTC", undefined, "BUY", 1, 100, 0.1);
    expect(opened).toEqual({
      position: { symbol: "BTC", quantity: 1, averageEntryPrice: 100 },
      closedQuantity: 0,
      pnl: null,
    });
    const increased = applyFill("BTC", opened.position, "BUY", 3, 120, 0.36);
    expect(increased.position).toEqual({ symbol: "BTC", quantity: 4, averageEntryPrice: 115 });
    expect(increased.pnl).toBeNull();
  });

  it("reduces a long: (exit - entry) * closed minus the fee, entry price unchanged", () => {
    const change = applyFill(
      "BTC",
      { symbol: "BTC", quantity: 4, averageEntryPrice: 115 },
      "SELL",
      1,
      125,
      0.5,
    );
    expect(change.position).toEqual({ symbol: "BTC", quantity: 3, averageEntryPrice: 115 });
    expect(change.closedQuantity).toBe(1);
    expect(change.pnl).toBeCloseTo(10 - 0.5, 12);
  });

  it("mirrors it for a short: (entry - exit) * closed minus the fee", () => {
    const change = applyFill(
      "ETH",
      { symbol: "ETH", quantity: -2, averageEntryPrice: 50 },
      "BUY",
      2,
      45,
      0.2,
    );
    expect(change.position).toBeUndefined();
    expect(change.pnl).toBeCloseTo(10 - 0.2, 12);
  });

  it("flips through zero: closes the long, opens the rest short at the fill price, fee split pro rata", () => {
    const change = applyFill(
      "BTC",
      { symbol: "BTC", quantity: 1, averageEntryPrice: 100 },
      "SELL",
      4,
      110,
      4,
    );
    expect(change.closedQuantity).toBe(1);
    expect(change.pnl).toBeCloseTo(10 - 1, 12); // the closed quarter carries a quarter of the fee
    expect(change.position).toEqual({ symbol: "BTC", quantity: -3, averageEntryPrice: 110 });
  });

  it("treats float noise as flat (0.1 + 0.2 closed by 0.3)", () => {
    const a = applyFill("X", undefined, "BUY", 0.1, 10, 0);
    const b = applyFill("X", a.position, "BUY", 0.2, 10, 0);
    const c = applyFill("X", b.position, "SELL", 0.3, 10, 0);
    expect(c.position).toBeUndefined();
    expect(c.pnl).toBeCloseTo(0, 12);
  });
});
