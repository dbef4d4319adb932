import { describe, expect, it } from "vitest";
import { NoPolicyError, OrchestratorError, RiskInputError, SignalValidationError } from "./errors.js";

describe("OrchestratorError", () => {
  it("is the base of every error, with a name and a code", () => {
    const errors = [
      new SignalValidationError([{ path: "confidence", message: "too big" }]),
      new RiskInputError([{ path: "stop_price", message: "equal to entry" }]),
      new NoPolicyError("RiskGuard"),
    ];
    expect(errors.map((e) => [e.name, e.code, e instanceof OrchestratorError])).toEqual([
      ["SignalValidationError", "SIGNAL_VALIDATION", true],
      ["RiskInputError", "RISK_INPUT_VALIDATION", true],
      ["NoPolicyError", "NO_POLICY", true],
    ]);
  });

  it("isInstance() recognises errors by marker, not by prototype", () => {
    const error = new NoPolicyError("PortfolioBalancer");
    expect(OrchestratorError.isInstance(error)).toBe(true);
    expect(OrchestratorError.isInstance({ ...error, [Symbol.for("@qt/orchestrator.error")]: true })).toBe(
      true,
    );
    expect(OrchestratorError.isInstance(new Error("x"))).toBe(false);
    expect(OrchestratorError.isInstance(null)).toBe(false);
  });

  it("keeps its cause", () => {
    const cause = new Error("root");
    expect(new OrchestratorError("NO_POLICY", "x", { cause }).cause).toBe(cause);
  });
});

describe("SignalValidationError", () => {
  it("lists each issue in its message", () => {
    const error = new SignalValidationError([
      { path: "confidence", message: "expected <= 1" },
      { path: "size", message: "expected > 0" },
    ]);
    expect(error.message).toBe("Invalid signal: confidence: expected <= 1; size: expected > 0");
  });
});
