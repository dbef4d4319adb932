import { describe, expect, it } from "vitest";
import { StrategyLifecycleError } from "./errors.js";

describe("StrategyLifecycleError", () => {
  it("carries code, fields and the strategy id, and describes a string by length only", () => {
    const error = new StrategyLifecycleError({
      code: "INVALID_METRICS",
      field: "metrics.sharpe",
      expected: "a finite number",
      received: "high",
      strategyId: "trend-v3",
    });
    expect(error).toMatchObject({
      name: "StrategyLifecycleError",
      code: "INVALID_METRICS",
      strategyId: "trend-v3",
    });
    expect(error.message).toBe(
      'strategy "trend-v3": metrics.sharpe: expected a finite number, received string (4 chars)',
    );
  });

  it("isInstance() recognises a copy from another install by its marker", () => {
    const foreign = Object.assign(new Error("x"), { [Symbol.for("@qt/strategy-lifecycle.error")]: true });
    expect(StrategyLifecycleError.isInstance(foreign)).toBe(true);
    expect(StrategyLifecycleError.isInstance(new Error("x"))).toBe(false);
  });
});
