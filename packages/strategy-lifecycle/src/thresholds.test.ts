import { describe, expect, it } from "vitest";
import {
  checkRequirements,
  defaultLifecycleThresholds,
  floorBreaches,
  type LifecycleThresholdsInput,
  resolveThresholds,
} from "./thresholds.js";

const metrics = { sharpe: 1.1, winRate: 0.45, maxDrawdownPct: 12, trades: 60 };

describe("resolveThresholds()", () => {
  it("merges each group over its defaults", () => {
    expect(resolveThresholds(undefined)).toEqual(defaultLifecycleThresholds);
    expect(resolveThresholds({ live: { minTrades: 100 } }).live).toEqual({
      minSharpe: 1.2,
      minWinRate: 0.5,
      maxDrawdownPct: 10,
      minTrades: 100,
    });
  });

  it.each([
    ["a fractional trade count", { shadow: { minTrades: 2.5 } }, "thresholds.shadow.minTrades"],
    ["a win rate above 1", { live: { minWinRate: 1.1 } }, "thresholds.live.minWinRate"],
    ["a negative drawdown", { live: { maxDrawdownPct: -1 } }, "thresholds.live.maxDrawdownPct"],
    ["a NaN sharpe", { shadow: { minSharpe: Number.NaN } }, "thresholds.shadow.minSharpe"],
    [
      "a floor sharpe above the live bar",
      { liveFloor: { minSharpe: 1.5 } },
      "thresholds.liveFloor.minSharpe",
    ],
    [
      "a floor drawdown below the live bar",
      { liveFloor: { maxDrawdownPct: 5 } },
      "thresholds.liveFloor.maxDrawdownPct",
    ],
    ["an unknown group", { paper: {} } as LifecycleThresholdsInput, "thresholds.paper"],
  ])("refuses %s with INVALID_OPTIONS", (_, input, field) => {
    expect(() => resolveThresholds(input as LifecycleThresholdsInput)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", field }),
    );
  });
});

describe("checkRequirements()", () => {
  it("checks each bound given, inclusive, in a fixed order", () => {
    expect(checkRequirements(defaultLifecycleThresholds.live, metrics)).toEqual([
      { passed: false, text: "sharpe 1.1 < 1.2" },
      { passed: false, text: "win_rate 0.45 < 0.5" },
      { passed: false, text: "max_drawdown_pct 12 > 10" },
      { passed: true, text: "trades 60 >= 50" },
    ]);
    expect(checkRequirements({ minSharpe: 1.1 }, metrics)).toEqual([
      { passed: true, text: "sharpe 1.1 >= 1.1" },
    ]);
  });
});

describe("floorBreaches()", () => {
  it("lists each bound breached, strictly", () => {
    expect(
      floorBreaches({ minSharpe: 0.5, maxDrawdownPct: 20 }, { ...metrics, sharpe: 0.5, maxDrawdownPct: 20 }),
    ).toEqual([]);
    expect(
      floorBreaches({ minSharpe: 0.5, maxDrawdownPct: 20 }, { ...metrics, sharpe: 0.2, maxDrawdownPct: 25 }),
    ).toEqual(["sharpe 0.2 < 0.5", "max_drawdown_pct 25 > 20"]);
  });
});
