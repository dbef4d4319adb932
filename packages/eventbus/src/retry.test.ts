import { describe, expect, it } from "vitest";
import { backoffDelay, defaultRetryPolicy, resolveRetryPolicy } from "./retry.js";

describe("backoffDelay()", () => {
  const policy = resolveRetryPolicy(defaultRetryPolicy, {
    initialDelayMs: 100,
    maxDelayMs: 1000,
    jitter: "none",
  });

  it("grows exponentially and stops at maxDelayMs", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400, 800, 1000]);
  });

  it("full jitter spreads delays over [0, d]", () => {
    const full = { ...policy, jitter: "full" as const };
    expect(backoffDelay(full, 3, () => 0)).toBe(0);
    expect(backoffDelay(full, 3, () => 0.5)).toBe(200);
    expect(backoffDelay(full, 3, () => 0.999999)).toBe(400);
  });

  it("equal jitter keeps at least half the delay", () => {
    const equal = { ...policy, jitter: "equal" as const };
    expect(backoffDelay(equal, 2, () => 0)).toBe(100);
    expect(backoffDelay(equal, 2, () => 0.999999)).toBe(200);
  });
});

describe("resolveRetryPolicy()", () => {
  it("refuses nonsense with a RangeError naming the field", () => {
    expect(() => resolveRetryPolicy(defaultRetryPolicy, { maxAttempts: 0 })).toThrow(/retry\.maxAttempts/);
    expect(() => resolveRetryPolicy(defaultRetryPolicy, { initialDelayMs: -1 })).toThrow(
      /retry\.initialDelayMs/,
    );
    expect(() => resolveRetryPolicy(defaultRetryPolicy, { factor: 0.5 })).toThrow(/retry\.factor/);
    expect(() => resolveRetryPolicy(defaultRetryPolicy, { jitter: "x" as never })).toThrow(/retry\.jitter/);
  });
});
