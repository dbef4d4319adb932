import { describe, expect, it } from "vitest";
import { InvalidPatternError } from "./errors.js";
import { assertEventType, compilePattern } from "./pattern.js";

describe("compilePattern()", () => {
  const cases: [string, string, boolean][] = [
    ["trade.executed", "trade.executed", true],
    ["trade.executed", "trade.executedx", false],
    ["trade.*", "trade.executed", true],
    ["trade.*", "trade", false],
    ["trade.*", "trade.a.b", false],
    ["*.executed", "trade.executed", true],
    ["trade.>", "trade.a.b", true],
    ["trade.>", "trade", false],
    [">", "anything.at.all", true],
    ["*", "single", true],
    ["*", "two.segments", false],
  ];
  it.each(cases)("%s matches %s: %s", (pattern, type, expected) => {
    expect(compilePattern(pattern).matches(type)).toBe(expected);
  });

  it("marks wildcards", () => {
    expect(compilePattern("a.b").isWildcard).toBe(false);
    expect(compilePattern("a.*").isWildcard).toBe(true);
  });
});

describe("assertEventType()", () => {
  it("accepts dot-separated names and refuses wildcards and empty segments", () => {
    expect(() => assertEventType("health.status_changed")).not.toThrow();
    for (const bad of ["", "a..b", "a.*", ">", "a b", ".a"])
      expect(() => assertEventType(bad)).toThrow(InvalidPatternError);
  });
});
