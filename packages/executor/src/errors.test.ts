import { describe, expect, it } from "vitest";
import { ExecutorError } from "./errors.js";

describe("ExecutorError", () => {
  it("carries code and fields, and describes a string by length only", () => {
    const error = new ExecutorError({
      code: "INVALID_ORDER",
      field: "order.symbol",
      expected: "a non-empty string",
      received: "secret",
    });
    expect(error).toMatchObject({ name: "ExecutorError", code: "INVALID_ORDER", field: "order.symbol" });
    expect(error.message).toBe("order.symbol: expected a non-empty string, received string (6 chars)");
  });

  it("isInstance() recognises a copy from another install by its marker", () => {
    const foreign = Object.assign(new Error("x"), { [Symbol.for("@qt/executor.error")]: true });
    expect(ExecutorError.isInstance(foreign)).toBe(true);
    expect(ExecutorError.isInstance(new Error("x"))).toBe(false);
  });
});
