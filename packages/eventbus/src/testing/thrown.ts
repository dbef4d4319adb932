import { EventValidationError, type ValidationIssue } from "../errors.js";

/**
 * Calls `fn` and returns what it threw; fails (throws) if it returned normally. For asserting on
 * an error's fields rather than its message.
 *
 * @example
 * ```ts
 * expect(thrown(() => deserializeEvent("{"))).toMatchObject({ code: "INVALID_EVENT" });
 * ```
 */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the function to throw, but it returned");
}

/**
 * Calls `fn` and returns the issues of the {@link "@qt/eventbus"!EventValidationError} it threw; fails if it
 * threw anything else or nothing.
 *
 * @example
 * ```ts
 * expect(validationIssues(() => PolicyUpdatedEvent.create(bad))[0]?.path).toBe("payload.max_positions");
 * ```
 */
export function validationIssues(fn: () => unknown): readonly ValidationIssue[] {
  const error = thrown(fn);
  if (error instanceof EventValidationError) return error.issues;
  throw new Error(`expected an EventValidationError, got ${String(error)}`);
}
