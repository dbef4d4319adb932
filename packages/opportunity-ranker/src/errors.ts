import { hasBrand, InputError, type InputErrorInit } from "@qt/eventbus";

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
export class OpportunityRankerError extends InputError<OpportunityRankerErrorCode> {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** The candidate's symbol, when the error is about a candidate that has one. */
  readonly symbol: string | undefined;

  constructor(init: InputErrorInit<OpportunityRankerErrorCode> & { symbol?: string | undefined }) {
    super(init);
    this.name = "OpportunityRankerError";
    this.symbol = init.symbol;
  }

  /** True for any `OpportunityRankerError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is OpportunityRankerError {
    return hasBrand(value, MARKER);
  }
}
