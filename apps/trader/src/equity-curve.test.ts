import { describe, expect, it } from "vitest";
import { EquityCurve } from "./equity-curve.js";

describe("EquityCurve", () => {
  it("measures drawdown from the peak of the window, and the deepest fall from the all-time peak", () => {
    const curve = new EquityCurve({ window: 3 });
    expect(curve.push(1, 100).drawdownPct).toBe(0);
    expect(curve.push(2, 95).drawdownPct).toBe(5);
    expect(curve.push(3, 90).drawdownPct).toBe(10);
    // The 100 has left the window: the peak is now 95.
    expect(curve.push(4, 90).drawdownPct).toBeCloseTo(5.263158, 5);
    expect(curve.push(5, 90).drawdownPct).toBe(0);
    expect(curve.maxDrawdownPct).toBe(10);
    expect(curve.last).toEqual({ time: 5, equity: 90, drawdownPct: 0 });
  });

  it("keeps the last `capacity` points, filtered by time", () => {
    const curve = new EquityCurve({ window: 10, capacity: 3 });
    for (let t = 1; t <= 5; t++) curve.push(t, 100 + t);
    expect(curve.points().map((p) => p.time)).toEqual([3, 4, 5]);
    expect(curve.points(4).map((p) => p.time)).toEqual([5]);
  });
});
