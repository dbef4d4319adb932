import { describe, expect, it } from "vitest";
import { defaultHealthThresholds, resolveThresholds } from "./thresholds.js";

describe("resolveThresholds()", () => {
  it("keeps the defaults for what is not given", () => {
    expect(resolveThresholds(undefined)).toEqual(defaultHealthThresholds);
    expect(resolveThresholds({ latencyMs: { critical: 5000 } })).toEqual({
      ...defaultHealthThresholds,
      latencyMs: { degraded: 500, critical: 5000 },
    });
  });

  it("accepts critical equal to degraded (no DEGRADED band)", () => {
    expect(resolveThresholds({ drawdownPct: { degraded: 4, critical: 4 } }).drawdownPct).toEqual({
      degraded: 4,
      critical: 4,
    });
  });

  it.each([
    [
      "critical below degraded",
      { drawdownPct: { degraded: 5, critical: 3 } },
      "thresholds.drawdownPct.critical",
    ],
    ["a negative level", { latencyMs: { degraded: -1 } }, "thresholds.latencyMs.degraded"],
    ["an error rate above 1", { errorRate: { critical: 1.5 } }, "thresholds.errorRate.critical"],
    ["a NaN level", { errorRate: { degraded: Number.NaN } }, "thresholds.errorRate.degraded"],
    ["an unknown metric", { cpu: { degraded: 1 } } as never, "thresholds.cpu"],
  ])("refuses %s with INVALID_THRESHOLDS naming the field", (_, input, field) => {
    expect(() => resolveThresholds(input)).toThrow(
      expect.objectContaining({ name: "HealthMonitorError", code: "INVALID_THRESHOLDS", field }),
    );
  });
});
