import { describe, expect, it } from "vitest";
import {
  ControllerClosedError,
  InvalidConfigError,
  InvalidRiskModeError,
  MscAiError,
  UnknownRegimeError,
} from "./errors.js";

describe("MscAiError.isInstance()", () => {
  it("recognises every error of the package by its marker, not its prototype", () => {
    const errors = [
      new InvalidConfigError("INVALID_OPTIONS", [{ path: "recovery.delayMs", message: "too big" }]),
      new InvalidRiskModeError("YOLO"),
      new UnknownRegimeError("sideways", ["trending"]),
      new ControllerClosedError("updateRiskMode"),
    ];
    for (const error of errors) {
      expect(MscAiError.isInstance(error)).toBe(true);
      expect(error).toBeInstanceOf(MscAiError);
    }
    // A copy from another install: same marker, different class.
    const foreign = Object.assign(new Error("x"), { [Symbol.for("@qt/msc-ai.error")]: true });
    expect(MscAiError.isInstance(foreign)).toBe(true);
    expect(MscAiError.isInstance(new Error("x"))).toBe(false);
    expect(MscAiError.isInstance(null)).toBe(false);
  });

  it("carries the code, a name and structured fields", () => {
    const error = new InvalidRiskModeError(42);
    expect(error).toMatchObject({
      name: "InvalidRiskModeError",
      code: "INVALID_RISK_MODE",
      received: "number",
    });
    expect(
      new InvalidConfigError("INVALID_MODE_TABLE", [{ path: "modes.NORMAL", message: "bad" }]).message,
    ).toBe("Invalid mode table: modes.NORMAL: bad");
  });
});
