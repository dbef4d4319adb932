import { describe, expect, it } from "vitest";
import { ModelRegistryError } from "./errors.js";

describe("ModelRegistryError", () => {
  it("carries code, fields, model and version, and describes a string by length only", () => {
    const error = new ModelRegistryError({
      code: "INVALID_METRICS",
      field: "metrics.auc",
      expected: "a finite number",
      received: "high",
      modelName: "xgb",
      version: "1.0",
    });
    expect(error).toMatchObject({
      name: "ModelRegistryError",
      code: "INVALID_METRICS",
      modelName: "xgb",
      version: "1.0",
    });
    expect(error.message).toBe(
      'model "xgb"@1.0: metrics.auc: expected a finite number, received string (4 chars)',
    );
  });

  it("isInstance() recognises a copy from another install by its marker", () => {
    const foreign = Object.assign(new Error("x"), { [Symbol.for("@qt/model-registry.error")]: true });
    expect(ModelRegistryError.isInstance(foreign)).toBe(true);
    expect(ModelRegistryError.isInstance(new Error("x"))).toBe(false);
  });
});
