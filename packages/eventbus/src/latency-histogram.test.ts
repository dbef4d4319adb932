import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./latency-histogram.js";

describe("LatencyHistogram", () => {
  it("summary() of an empty histogram is all zeros", () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });

  it("percentile() stays within 7% of the exact value across magnitudes", () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const ms = i * 0.37; // 0.37 ms .. 3.7 s
      values.push(ms);
      h.record(ms);
    }
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1] as number;
      expect(Math.abs(h.percentile(q) - exact) / exact).toBeLessThan(0.07);
    }
    expect(h.summary().max).toBeCloseTo(3700, 3);
  });

  it("reports positive percentiles for the longest durations (no 32-bit overflow)", () => {
    const h = new LatencyHistogram();
    h.record(210_000); // 210 s
    h.record(250_000);
    expect(h.percentile(0.5)).toBeGreaterThan(200_000);
    expect(h.percentile(0.99)).toBeGreaterThan(200_000);
  });

  it("record() clamps negative and huge durations instead of failing", () => {
    const h = new LatencyHistogram();
    h.record(-5);
    h.record(1e12);
    expect(h.summary().count).toBe(2);
    expect(h.percentile(0.5)).toBe(0);
    expect(h.percentile(1)).toBeGreaterThan(200_000);
  });
});
