import { InvalidPatternError } from "./errors.js";

/**
 * Event types are dot-separated segments (`trade.executed`). A subscription names a type or a
 * pattern: `*` matches exactly one segment (`trade.*`), and `>` as the last segment matches one or
 * more (`trade.>`; `>` alone matches every event). These are NATS's subject rules, so patterns map
 * one to one onto broker subscriptions.
 */
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Throws {@link InvalidPatternError} unless `type` is a concrete event type: one or more non-empty
 * segments of letters, digits, `_` or `-`, separated by dots (no wildcards).
 */
export function assertEventType(type: string): void {
  if (typeof type !== "string" || type === "")
    throw new InvalidPatternError(String(type), "must be a non-empty string");
  for (const segment of type.split(".")) {
    if (!SEGMENT.test(segment)) {
      throw new InvalidPatternError(
        type,
        `segment "${segment}" must be non-empty letters, digits, "_" or "-"`,
      );
    }
  }
}

/** A compiled pattern: tests event types quickly and says whether it is a wildcard. */
export interface CompiledPattern {
  /** The pattern as given, e.g. `trade.*`. */
  readonly pattern: string;
  /** True when it contains `*` or `>`; false for an exact type, which matches only itself. */
  readonly isWildcard: boolean;
  /** Whether the concrete event `type` matches. `type` is not validated: pass a checked type. */
  matches(type: string): boolean;
}

/**
 * Validates and compiles a type or pattern.
 *
 * @throws {@link InvalidPatternError} when a segment is empty or `>` is not the last segment.
 */
export function compilePattern(pattern: string): CompiledPattern {
  if (typeof pattern !== "string" || pattern === "") {
    throw new InvalidPatternError(String(pattern), "must be a non-empty string");
  }
  const segments = pattern.split(".");
  segments.forEach((segment, index) => {
    if (segment === ">") {
      if (index !== segments.length - 1)
        throw new InvalidPatternError(pattern, '">" must be the last segment');
    } else if (segment !== "*" && !SEGMENT.test(segment)) {
      throw new InvalidPatternError(
        pattern,
        `segment "${segment}" must be "*", ">" or non-empty letters, digits, "_" or "-"`,
      );
    }
  });
  const isWildcard = segments.some((s) => s === "*" || s === ">");
  if (!isWildcard) return { pattern, isWildcard, matches: (type) => type === pattern };
  const tail = segments[segments.length - 1] === ">";
  const fixed = tail ? segments.slice(0, -1) : segments;
  return {
    pattern,
    isWildcard,
    matches(type) {
      const parts = type.split(".");
      if (tail ? parts.length <= fixed.length : parts.length !== fixed.length) return false;
      for (let i = 0; i < fixed.length; i++) {
        if (fixed[i] !== "*" && fixed[i] !== parts[i]) return false;
      }
      return true;
    },
  };
}
