/**
 * Describes a value for an error message without its content: a number or a type, never what a
 * string says (strings may hold secrets).
 *
 * @example
 * ```ts
 * describeInput("hunter2"); // "string (7 chars)"
 * describeInput(Number.NaN); // "NaN"
 * ```
 */
export function describeInput(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return value === "" ? "empty string" : `string (${value.length} chars)`;
  if (value instanceof Error) return `error (${value.name})`;
  return typeof value;
}

/**
 * True when `value` carries `brand` (a `Symbol.for` key set to `true`): how an error class's
 * `isInstance` recognises its errors across duplicate installs of a package.
 *
 * @example
 * ```ts
 * static isInstance(value: unknown): value is MyError { return hasBrand(value, MARKER); }
 * ```
 */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** What an {@link InputError} is built from. */
export interface InputErrorInit<C extends string> {
  /** A stable, machine-readable code. */
  code: C;
  /** The offending input, e.g. `order.size` or `options.weights.volume`. */
  field: string;
  /** What a valid value looks like, e.g. `a finite number > 0`. */
  expected: string;
  /** The value received; only its description (see {@link describeInput}) is kept. */
  received: unknown;
  /** What the input was about, put before the field in the message, e.g. `strategy "trend"`. */
  subject?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * A component refused one input: the base of the components' error classes (each adds its brand,
 * its codes and its own fields). The message reads `subject: field: expected X, received Y`, and
 * never holds a string's content.
 *
 * @example
 * ```ts
 * class ExecutorError extends InputError<"INVALID_ORDER"> {}
 * throw new ExecutorError({ code: "INVALID_ORDER", field: "order.size", expected: "a finite number > 0", received: -1 });
 * ```
 */
export class InputError<C extends string = string> extends Error {
  /** A stable, machine-readable code. */
  readonly code: C;
  /** The offending input, e.g. `order.size`. */
  readonly field: string;
  /** What a valid value looks like. */
  readonly expected: string;
  /** A short description of what was received: a number or a type, never a string's content. */
  readonly received: string;

  constructor(init: InputErrorInit<C>) {
    const received = describeInput(init.received);
    const subject = init.subject === undefined ? "" : `${init.subject}: `;
    super(
      `${subject}${init.field}: expected ${init.expected}, received ${received}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "InputError";
    this.code = init.code;
    this.field = init.field;
    this.expected = init.expected;
    this.received = received;
  }
}
