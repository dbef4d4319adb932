import { describe, expect, it } from "vitest";
import { describeInput, hasBrand, InputError } from "./input-error.js";

describe("InputError", () => {
  it("names the field, what was expected and what came, never a string's content", () => {
    const error = new InputError({
      code: "INVALID",
      field: "options.token",
      expected: "a token",
      received: "s3cret",
    });
    expect(error.message).toBe("options.token: expected a token, received string (6 chars)");
    expect(error).toMatchObject({ code: "INVALID", field: "options.token", received: "string (6 chars)" });
    expect(error.message).not.toContain("s3cret");
  });

  it("puts the subject first and keeps the cause", () => {
    const cause = new Error("down");
    const error = new InputError({
      code: "X",
      field: "price",
      expected: "> 0",
      received: -1,
      subject: 'order "o-1"',
      cause,
    });
    expect(error.message).toBe('order "o-1": price: expected > 0, received -1');
    expect(error.cause).toBe(cause);
  });
});

describe("describeInput()", () => {
  it("describes values by number or type", () => {
    expect([null, undefined, [], Number.NaN, 3, "", "ab", new TypeError("x"), {}].map(describeInput)).toEqual(
      [
        "null",
        "undefined",
        "array",
        "NaN",
        "3",
        "empty string",
        "string (2 chars)",
        "error (TypeError)",
        "object",
      ],
    );
  });
});

describe("hasBrand()", () => {
  it("recognises a Symbol.for brand set to true", () => {
    const brand = Symbol.for("@qt/test.error");
    expect(hasBrand({ [brand]: true }, brand)).toBe(true);
    expect(hasBrand({ [brand]: 1 }, brand)).toBe(false);
    expect(hasBrand(null, brand)).toBe(false);
  });
});
