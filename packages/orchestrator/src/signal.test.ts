import { describe, expect, it } from "vitest";
import { SignalValidationError } from "./errors.js";
import { parseSignal, SignalSchema } from "./signal.js";

const valid = { symbol: "BTCUSDT", side: "BUY", confidence: 0.8, strategy_id: "trend", size: 0.5 } as const;

function issuesOf(input: unknown) {
  try {
    parseSignal(input);
  } catch (error) {
    if (error instanceof SignalValidationError) return error.issues;
    throw error;
  }
  throw new Error("expected a SignalValidationError");
}

describe("parseSignal()", () => {
  it("returns the signal with model defaulted to null", () => {
    expect(parseSignal(valid)).toEqual({ ...valid, model: null });
    expect(parseSignal({ ...valid, model: "xgb-v2" }).model).toBe("xgb-v2");
  });

  it("accepts confidence at both bounds and a complete risk input", () => {
    expect(parseSignal({ ...valid, confidence: 0 }).confidence).toBe(0);
    expect(parseSignal({ ...valid, confidence: 1 }).confidence).toBe(1);
    const risk = { equity: 10_000, entry_price: 100, stop_price: 95 };
    expect(parseSignal({ ...valid, risk }).risk).toEqual(risk);
  });

  it("names every bad field", () => {
    const issues = issuesOf({ symbol: "", side: "HOLD", confidence: Number.NaN, strategy_id: "", size: -1 });
    expect(issues.map((i) => i.path)).toEqual(["symbol", "side", "confidence", "strategy_id", "size"]);
  });

  it("refuses an incomplete risk input or a stop at the entry", () => {
    expect(issuesOf({ ...valid, risk: { equity: 10_000, entry_price: 100 } }).map((i) => i.path)).toEqual([
      "risk.stop_price",
    ]);
    expect(
      issuesOf({ ...valid, risk: { equity: 10_000, entry_price: 100, stop_price: 100 } }).map((i) => i.path),
    ).toEqual(["risk.stop_price"]);
  });

  it("refuses unknown keys and non-objects", () => {
    expect(issuesOf({ ...valid, confidance: 0.9 })).toEqual([{ path: "confidance", message: "unknown key" }]);
    expect(issuesOf(null)).toHaveLength(1);
  });

  it("does not echo string contents in messages", () => {
    const [issue] = issuesOf({ ...valid, side: "secret-side" });
    expect(issue?.message).not.toContain("secret-side");
  });
});

describe("SignalSchema", () => {
  it("is the zod schema behind parseSignal", () => {
    expect(SignalSchema.safeParse(valid).success).toBe(true);
    expect(SignalSchema.safeParse({ ...valid, size: 0 }).success).toBe(false);
  });
});
