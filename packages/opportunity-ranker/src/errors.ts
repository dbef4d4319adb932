const MARKER = Symbol.for("@qt/opportunity-ranker.error");

/**
 * The stable codes of {@link OpportunityRankerError}.
 *
 * - `INVALID_OPTIONS`: a bad `topN`, weight, criterion or collaborator.
 * - `INVALID_CANDIDATE`: a candidate's symbol or metric is missing, not finite, or out of range.
 * - `DUPLICATE_SYMBOL`: two candidates have the same symbol.
 *
 * @example
 * ```ts
 * const dataProblems: OpportunityRankerErrorCode[] = ["INVALID_CANDIDATE", "DUPLICATE_SYMBOL"];
 * ```
 */
export type OpportunityRankerErrorCode = "INVALID_OPTIONS" | "INVALID_CANDIDATE" | "DUPLICATE_SYMBOL";

/**
 * The one error class of `@qt/opportunity-ranker`. When it is thrown nothing was published and
 * the last ranking is unchanged. Branch on `code`, read `field`; `isInstance` works across
 * duplicate installs.
 *
 * @example
 * ```ts
 * try { await ranker.rank(candidates); }
 * catch (error) {
 *   if (OpportunityRankerError.isInstance(error)) log.warn({ field: error.field, symbol: error.symbol }, error.message);
 * }
 * ```
 */
export class OpportunityRankerError extends Error {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: OpportunityRankerErrorCode;
  /** The offending input, e.g. `candidates[2].volume` or `options.topN`. */
  readonly field: string;
  /** What a valid value looks like. */
  readonly expected: string;
  /** A short description of what was received: a number or a type, never a string's content. */
  readonly received: string;
  /** The candidate's symbol, when the error is about a candidate that has one. */
  readonly symbol: string | undefined;

  constructor(init: {
    code: OpportunityRankerErrorCode;
    field: string;
    expected: string;
    received: unknown;
    symbol?: string | undefined;
  }) {
    const received = describe(init.received);
    super(`${init.field}: expected ${init.expected}, received ${received}`);
    this.name = "OpportunityRankerError";
    this.code = init.code;
    this.field = init.field;
    this.expected = init.expected;
    this.received = received;
    this.symbol = init.symbol;
  }

  /** True for any `OpportunityRankerError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is OpportunityRankerError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Describes a value for an error message without its content (strings may hold secrets). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return value === "" ? "empty string" : `string (${value.length} chars)`;
  return typeof value;
}
