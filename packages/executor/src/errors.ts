import { hasBrand, InputError, type InputErrorInit } from "@qt/eventbus";

const MARKER = Symbol.for("@qt/executor.error");

/**
 * The stable codes of {@link ExecutorError}.
 *
 * - `INVALID_OPTIONS`: the constructor was given a bad collaborator or setting.
 * - `INVALID_ORDER`: a field of the order is missing or out of range.
 * - `INVALID_PRICE`: the price source returned something that is not a finite number > 0.
 * - `PRICE_UNAVAILABLE`: the price source threw or rejected (the original error is the `cause`).
 *
 * @example
 * ```ts
 * const retryable: ExecutorErrorCode[] = ["PRICE_UNAVAILABLE"];
 * ```
 */
export type ExecutorErrorCode = "INVALID_OPTIONS" | "INVALID_ORDER" | "INVALID_PRICE" | "PRICE_UNAVAILABLE";

/**
 * The one error class of `@qt/executor`. Nothing was filled, published or changed when it is thrown.
 * Callers branch on `code` and read `field`, never the message.
 *
 * `isInstance` works across duplicate installs (a `Symbol.for` marker, not the prototype chain).
 *
 * @example
 * ```ts
 * try { await executor.execute(order); }
 * catch (error) {
 *   if (ExecutorError.isInstance(error) && error.code === "INVALID_ORDER") reject(order, error.field);
 * }
 * ```
 */
export class ExecutorError extends InputError<ExecutorErrorCode> {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** The order's symbol, when the error is about an order. */
  readonly symbol: string | undefined;

  constructor(init: InputErrorInit<ExecutorErrorCode> & { symbol?: string | undefined }) {
    super(init);
    this.name = "ExecutorError";
    this.symbol = init.symbol;
  }

  /** True for any `ExecutorError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is ExecutorError {
    return hasBrand(value, MARKER);
  }
}
