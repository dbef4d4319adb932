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
export class ExecutorError extends Error {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: ExecutorErrorCode;
  /** The offending input, e.g. `order.size`, `options.feeRate` or `price`. */
  readonly field: string;
  /** What a valid value looks like, e.g. `a finite number > 0`. */
  readonly expected: string;
  /** A short description of what was received: a number or a type, never a string's content. */
  readonly received: string;
  /** The order's symbol, when the error is about an order. */
  readonly symbol: string | undefined;

  constructor(init: {
    code: ExecutorErrorCode;
    field: string;
    expected: string;
    received: unknown;
    symbol?: string | undefined;
    cause?: unknown;
  }) {
    const received = describe(init.received);
    super(
      `${init.field}: expected ${init.expected}, received ${received}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "ExecutorError";
    this.code = init.code;
    this.field = init.field;
    this.expected = init.expected;
    this.received = received;
    this.symbol = init.symbol;
  }

  /** True for any `ExecutorError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is ExecutorError {
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
  if (value instanceof Error) return `error (${value.name})`;
  return typeof value;
}
