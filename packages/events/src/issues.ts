import type { ValidationIssue } from "@qt/eventbus";
import type { z } from "zod";

type ZodIssue = z.core.$ZodIssue;

/**
 * Turns zod issues into `{ path, message }` issues whose paths start with `prefix` (e.g.
 * `payload.max_risk_per_trade`) and whose messages say what was expected and what was received.
 * Messages never quote a string value: payloads may carry secrets. Numbers, types and lengths
 * are shown. Only called on failure, so it may allocate freely.
 *
 * @param input - the value that was validated, to describe what was received at each path.
 */
export function toValidationIssues(
  issues: readonly ZodIssue[],
  input: unknown,
  prefix: string,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) collect(issue, [], input, prefix, out);
  return out;
}

function collect(
  issue: ZodIssue,
  base: readonly PropertyKey[],
  input: unknown,
  prefix: string,
  out: ValidationIssue[],
) {
  const path = [...base, ...issue.path];
  if (issue.code === "invalid_union") {
    // A union whose every member but one failed on the type alone (e.g. a JSON value that is an
    // object) failed inside that member: report its issues, which name the deepest field.
    const informative = issue.errors.filter((branch) => !isRootTypeMismatch(branch));
    if (informative.length === 1) {
      for (const inner of informative[0] ?? []) collect(inner, path, input, prefix, out);
      return;
    }
  }
  if (issue.code === "unrecognized_keys") {
    for (const key of issue.keys)
      out.push({ path: formatPath(prefix, [...path, key]), message: "unknown key" });
    return;
  }
  if (issue.code === "invalid_key") {
    // The path names the record, not the bad key: a key is data, and this one is malformed.
    out.push({ path: formatPath(prefix, path.slice(0, -1)), message: messageOf(issue, undefined) });
    return;
  }
  out.push({ path: formatPath(prefix, path), message: messageOf(issue, valueAt(input, path)) });
}

function isRootTypeMismatch(branch: readonly ZodIssue[]): boolean {
  return branch.length === 1 && branch[0]?.code === "invalid_type" && branch[0].path.length === 0;
}

function messageOf(issue: ZodIssue, value: unknown): string {
  const received = describeValue(value);
  switch (issue.code) {
    case "invalid_type":
      return `expected ${typeName(issue.expected)}, received ${received}`;
    case "too_big":
    case "too_small": {
      const big = issue.code === "too_big";
      const limit = big ? issue.maximum : issue.minimum;
      const op = big ? (issue.inclusive ? "<=" : "<") : issue.inclusive ? ">=" : ">";
      if (issue.origin === "string") {
        if (!big && limit === 1 && issue.inclusive)
          return `expected a non-empty string, received ${received}`;
        return `expected string length ${op} ${limit}, received length ${typeof value === "string" ? value.length : received}`;
      }
      if (issue.origin === "array") {
        return `expected ${op} ${limit} items, received ${Array.isArray(value) ? value.length : received}`;
      }
      return `expected ${typeName(issue.origin)} ${op} ${limit}, received ${received}`;
    }
    case "invalid_value":
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}, received ${received}`;
    case "invalid_union": {
      const expected = issue.errors.flatMap((branch) =>
        isRootTypeMismatch(branch) && branch[0]?.code === "invalid_type"
          ? [typeName(branch[0].expected)]
          : [],
      );
      return expected.length === issue.errors.length && expected.length > 0
        ? `expected ${expected.join(" | ")}, received ${received}`
        : `matched none of the allowed shapes, received ${received}`;
    }
    case "invalid_key": {
      const inner = issue.issues[0];
      return inner === undefined
        ? "invalid key"
        : `invalid key: ${messageOf(inner, issue.path[issue.path.length - 1])}`;
    }
    case "invalid_format":
      return `expected a ${issue.format} string, received ${received}`;
    case "not_multiple_of":
      return `expected a multiple of ${issue.divisor}, received ${received}`;
    default:
      // Custom refinements write their own messages; zod's built-in ones never quote the input.
      return issue.message;
  }
}

// zod's names for JSON's integer and object.
function typeName(name: string): string {
  return name === "int" ? "integer" : name === "record" ? "object" : name;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out = out === "" ? String(key) : `${out}.${String(key)}`;
  return out;
}

/** A short description of a value for error messages: a number or a type, never a string's content. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : "Date";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value === "" ? "empty string" : "string";
  return typeof value;
}
