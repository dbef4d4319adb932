import { describe, expect, it } from "vitest";
import { defaultScoreWeights, resolveWeights, scoreCandidates } from "./scoring.js";

describe("scoreCandidates()", () => {
  it("min-max normalises each metric and takes the weighted mean", () => {
    const scores = scoreCandidates(
      [
        { symbol: "A", volume: 999, volatility: 0.01, trendStrength: -0.9 }, // log10(1000) = 3
        { symbol: "B", volume: 9, volatility: 0.05, trendStrength: 0.1 }, // log10(10) = 1
        { symbol: "C", volume: 99, volatility: 0.03, trendStrength: 0.5 }, // log10(100) = 2
      ],
      defaultScoreWeights,
    );
    expect(Object.fromEntries(scores)).toEqual({
      A: 0.4 * 1 + 0.3 * 0 + 0.3 * 1,
      B: 0.4 * 0 + 0.3 * 1 + 0.3 * 0,
      C: 0.4 * 0.5 + 0.3 * 0.5 + 0.3 * 0.5,
    });
  });

  it("scores a metric on which all candidates are equal as 1 (a lone candidate scores 1)", () => {
    const scores = scoreCandidates(
      [{ symbol: "A", volume: 5, volatility: 0.2, trendStrength: 0 }],
      defaultScoreWeights,
    );
    expect(scores.get("A")).toBe(1);
  });

  it("divides by the weights' sum and rounds to 6 decimals", () => {
    const scores = scoreCandidates(
      [
        { symbol: "A", volume: 0, volatility: 0, trendStrength: 0 },
        { symbol: "B", volume: 0, volatility: 3, trendStrength: 1 },
        { symbol: "C", volume: 0, volatility: 1, trendStrength: 0 },
      ],
      { volume: 0, volatility: 2, trendStrength: 1 },
    );
    expect(scores.get("C")).toBe(0.222222); // (2 * 1/3 + 0) / 3
  });
});

describe("resolveWeights()", () => {
  it("keeps defaults for weights not given and refuses negatives or all zeros", () => {
    expect(resolveWeights({ volume: 1 })).toEqual({ volume: 1, volatility: 0.3, trendStrength: 0.3 });
    expect(() => resolveWeights({ volatility: -1 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", field: "options.weights.volatility" }),
    );
    expect(() => resolveWeights({ volume: 0, volatility: 0, trendStrength: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", field: "options.weights" }),
    );
  });

  it("refuses a misspelt weight instead of silently keeping the default", () => {
    expect(() => resolveWeights({ trend: 0.5 } as never)).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", field: "options.weights.trend" }),
    );
  });
});
