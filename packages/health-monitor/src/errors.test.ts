import { describe, expect, it } from "vitest";
import { HealthMonitorError } from "./errors.js";

describe("HealthMonitorError", () => {
  it("carries code and fields, and describes a string by length only", () => {
    const error = new HealthMonitorError({
      code: "INVALID_METRICS",
      field: "metrics.errorRate",
      expected: "a number in [0, 1]",
      received: "secret",
    });
    expect(error).toMatchObject({
      name: "HealthMonitorError",
      code: "INVALID_METRICS",
      field: "metrics.errorRate",
    });
    expect(error.message).toBe("metrics.errorRate: expected a number in [0, 1], received string (6 chars)");
  });

  it("isInstance() recognises a copy from another install by its marker", () => {
    const foreign = Object.assign(new Error("x"), { [Symbol.for("@qt/health-monitor.error")]: true });
    expect(HealthMonitorError.isInstance(foreign)).toBe(true);
    expect(HealthMonitorError.isInstance(new Error("x"))).toBe(false);
  });
});
