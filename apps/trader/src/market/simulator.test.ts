import { describe, expect, it } from "vitest";
import type { MarketTick, Regime } from "./candle.js";
import { deriveSeed, mulberry32 } from "./random.js";
import { MarketSimulator } from "./simulator.js";

const symbols = ["BTCUSDT", "ETHUSDT", "NEWCOIN"];
const run = (seed: number, ticks: number): MarketTick[] => {
  const market = new MarketSimulator({ seed, symbols });
  return Array.from({ length: ticks }, () => market.step());
};

describe("MarketSimulator", () => {
  it("gives the same market for the same seed, and another for another seed", () => {
    expect(run(42, 500)).toEqual(run(42, 500));
    expect(run(43, 50)[49]?.candles).not.toEqual(run(42, 50)[49]?.candles);
  });

  it("emits one consistent candle per symbol per tick, a minute apart", () => {
    const ticks = run(7, 2_000);
    for (const tick of ticks) {
      expect(tick.candles.map((c) => c.symbol)).toEqual(symbols);
      for (const c of tick.candles) {
        expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
        expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
        expect(c.low).toBeGreaterThan(0);
        expect(c.volume).toBeGreaterThan(0);
        expect(c.timestamp).toEqual(tick.time);
      }
    }
    expect(ticks[1]?.time.getTime()).toBe((ticks[0]?.time.getTime() ?? 0) + 60_000);
    // Each candle opens at the previous close.
    expect(ticks[1]?.candles[0]?.open).toBe(ticks[0]?.candles[0]?.close);
  });

  it("goes through every regime, and volatile ones draw the market down", () => {
    const ticks = run(42, 5_000);
    const seen = new Set<Regime>(ticks.map((t) => t.regime as Regime));
    expect(seen).toEqual(new Set(["trending", "ranging", "volatile"]));
    const moves: Record<Regime, number[]> = { trending: [], ranging: [], volatile: [] };
    for (let i = 1; i < ticks.length; i++) {
      const tick = ticks[i] as MarketTick;
      const previous = ticks[i - 1] as MarketTick;
      moves[tick.regime as Regime].push(
        Math.log((tick.candles[0]?.close ?? 1) / (previous.candles[0]?.close ?? 1)),
      );
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    expect(mean(moves.volatile)).toBeLessThan(0);
    expect(std(moves.volatile)).toBeGreaterThan(2 * std(moves.ranging));
  });
});

describe("mulberry32() and deriveSeed()", () => {
  it("are reproducible and independent per label", () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(deriveSeed(42, "market")).toBe(deriveSeed(42, "market"));
    expect(deriveSeed(42, "market")).not.toBe(deriveSeed(42, "models"));
    const random = mulberry32(deriveSeed(9, "x"));
    for (let i = 0; i < 1_000; i++) {
      const value = random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});
