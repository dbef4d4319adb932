import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeValue, toValidationIssues } from "./issues.js";

function issuesFor(schema: z.ZodType, input: unknown, prefix = "payload") {
  const result = schema.safeParse(input);
  if (result.success) throw new Error("expected a failure");
  return toValidationIssues(result.error.issues, input, prefix);
}

describe("toValidationIssues()", () => {
  it("prefixes dotted paths and says what was expected and received", () => {
    const schema = z.strictObject({ a: z.number().max(1), b: z.array(z.number().gt(0)) });
    expect(issuesFor(schema, { a: 1.5, b: [1, -2] })).toEqual([
      { path: "payload.a", message: "expected number <= 1, received 1.5" },
      { path: "payload.b.1", message: "expected number > 0, received -2" },
    ]);
  });

  it("uses the bare path when the prefix is empty, and an empty path for the root", () => {
    expect(issuesFor(z.strictObject({ a: z.string() }), { a: 1 }, "")).toEqual([
      { path: "a", message: "expected string, received 1" },
    ]);
    expect(issuesFor(z.strictObject({}), null, "")).toEqual([
      { path: "", message: "expected object, received null" },
    ]);
  });

  it("describes string and array lengths, not contents", () => {
    const schema = z.strictObject({ s: z.string().max(3), l: z.array(z.number()).min(2) });
    expect(issuesFor(schema, { s: "hunter2", l: [1] })).toEqual([
      { path: "payload.s", message: "expected string length <= 3, received length 7" },
      { path: "payload.l", message: "expected >= 2 items, received 1" },
    ]);
  });

  it("reports each unknown key at its own path", () => {
    expect(issuesFor(z.strictObject({}), { x: 1, y: 2 })).toEqual([
      { path: "payload.x", message: "unknown key" },
      { path: "payload.y", message: "unknown key" },
    ]);
  });

  it("follows the one union member that matched the type down to the bad field", () => {
    const schema = z.union([z.string(), z.strictObject({ n: z.number() })]);
    expect(issuesFor(schema, { n: "x" })).toEqual([
      { path: "payload.n", message: "expected number, received string" },
    ]);
    expect(issuesFor(schema, 5)).toEqual([
      { path: "payload", message: "expected string | object, received 5" },
    ]);
  });

  it("falls back to zod's message for custom refinements", () => {
    const schema = z.number().refine((n) => n % 2 === 0, "must be even");
    expect(issuesFor(schema, 3)).toEqual([{ path: "payload", message: "must be even" }]);
  });

  it("never quotes a string value, whatever the failure", () => {
    const secret = "sk-live-abcdef";
    const schema = z.strictObject({
      e: z.enum(["A"]),
      n: z.number(),
      f: z.email(),
      l: z.literal("x"),
      r: z.record(z.string().max(2), z.number()),
    });
    const issues = issuesFor(schema, { e: secret, n: secret, f: secret, l: secret, r: { [secret]: 1 } });
    expect(issues).toHaveLength(5);
    for (const issue of issues) expect(`${issue.path} ${issue.message}`).not.toContain(secret);
    expect(issues[4]).toEqual({
      path: "payload.r",
      message: "invalid key: expected string length <= 2, received length 14",
    });
  });
});

describe("describeValue()", () => {
  it.each([
    [null, "null"],
    [undefined, "undefined"],
    [[1], "array"],
    [new Date(0), "Date"],
    [new Date(Number.NaN), "Invalid Date"],
    [1.5, "1.5"],
    [Number.NaN, "NaN"],
    ["", "empty string"],
    ["secret", "string"],
    [true, "boolean"],
    [{}, "object"],
    [() => 1, "function"],
  ])("describes %o as %s", (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});
