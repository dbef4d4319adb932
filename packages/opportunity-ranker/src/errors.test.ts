import { describe, expect, it } from "vitest";
import { OpportunityRankerError } from "./errors.js";

describe("OpportunityRankerError", () => {
  it("carries code and fields, and describes a string by length only", () => {
    const error = new OpportunityRankerError({
      code: "INVALID_CANDIDATE",
      field: "candidates[0].symbol",
      expected: "a non-empty string",
      received: "secret",
    });
    expect(error).toMatchObject({
      name: "OpportunityRankerError",
      code: "INVALID_CANDIDATE",
      field: "candidates[0].symbol",
    });
    expect(error.message).toBe(
      "candidates[0].symbol: expected a non-empty string, received string (6 chars)",
    );
  });

  it("isInstance() recognises a copy from another install by its marker", () => {
    const foreign = Object.assign(new Error("x"), { [Symbol.for("@qt/opportunity-ranker.error")]: true });
    expect(OpportunityRankerError.isInstance(foreign)).toBe(true);
    expect(OpportunityRankerError.isInstance(new Error("x"))).toBe(false);
  });
});
