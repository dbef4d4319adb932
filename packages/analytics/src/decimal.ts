import { AnalyticsError } from "./errors.js";

/**
 * Turns a payload number into the decimal text stored for it: the shortest text that reads back
 * as the same double (`String(n)`), so that `fromDecimalText(toDecimalText(n)) === n` for every
 * finite `n` (`-0` reads back as `0`). SQLite keeps the text as is; PostgreSQL parses it into an
 * exact `NUMERIC`.
 *
 * @throws {@link AnalyticsError} `WRITE_FAILED` for `NaN` or `±Infinity`, which no column can hold exactly.
 *
 * @example
 * ```ts
 * toDecimalText(0.1 + 0.2); // "0.30000000000000004"
 * toDecimalText(1e-9);      // "1e-9"
 * ```
 */
export function toDecimalText(value: number): string {
  if (!Number.isFinite(value)) {
    throw new AnalyticsError("WRITE_FAILED", `Cannot store ${value}: not a finite number`, {
      retryable: false,
    });
  }
  return String(value);
}

/**
 * Reads a stored decimal (text from SQLite, `NUMERIC` text from PostgreSQL) back into the number
 * that was stored.
 *
 * @example
 * ```ts
 * fromDecimalText("0.000000001"); // 1e-9
 * ```
 */
export function fromDecimalText(text: string | number): number {
  return typeof text === "number" ? text : Number(text);
}

/**
 * An exact decimal: `units / 10^scale`. Used to add up pnl without the rounding of repeated
 * floating-point addition, so that `0.1 + 0.2` totals `0.3` and a rebuilt total equals the live one
 * whatever the order of the sums.
 */
export class Decimal {
  /** 0. */
  static get ZERO(): Decimal {
    return ZERO;
  }

  private constructor(
    readonly units: bigint,
    readonly scale: number,
  ) {}

  /**
   * The exact decimal a number prints as (its shortest round-trip text).
   *
   * @example
   * ```ts
   * Decimal.of(0.1).plus(Decimal.of(0.2)).toNumber(); // 0.3
   * ```
   */
  static of(value: number): Decimal {
    return Decimal.parse(toDecimalText(value));
  }

  /** Parses decimal text such as `-12.5`, `1e-9` or `1.5e+21`. */
  static parse(text: string): Decimal {
    const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
    if (match === null || (match[2] === "" && (match[3] ?? "") === "")) {
      throw new RangeError(`Not a decimal number: ${JSON.stringify(text)}`);
    }
    const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
    let units = BigInt(`${whole}${fraction}` || "0");
    let scale = fraction.length - Number(exponent);
    if (scale < 0) {
      units *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(sign === "-" ? -units : units, scale).#normalized();
  }

  plus(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.#at(scale) + other.#at(scale), scale).#normalized();
  }

  minus(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.#at(scale) - other.#at(scale), scale).#normalized();
  }

  /** -1, 0 or 1. */
  compare(other: Decimal): number {
    const scale = Math.max(this.scale, other.scale);
    const a = this.#at(scale);
    const b = other.#at(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  get sign(): number {
    return this.units < 0n ? -1 : this.units > 0n ? 1 : 0;
  }

  abs(): Decimal {
    return this.units < 0n ? new Decimal(-this.units, this.scale) : this;
  }

  /** Plain decimal text, no exponent: `-0.000000001`. */
  toString(): string {
    const negative = this.units < 0n;
    const digits = (negative ? -this.units : this.units).toString().padStart(this.scale + 1, "0");
    const whole = digits.slice(0, digits.length - this.scale);
    const fraction = digits.slice(digits.length - this.scale);
    return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
  }

  /** The nearest double. */
  toNumber(): number {
    return Number(this.toString());
  }

  #at(scale: number): bigint {
    return scale === this.scale ? this.units : this.units * 10n ** BigInt(scale - this.scale);
  }

  #normalized(): Decimal {
    let { units, scale } = this;
    if (units === 0n) return scale === 0 ? this : ZERO;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale--;
    }
    return scale === this.scale ? this : new Decimal(units, scale);
  }
}

// Not a static field: TypeScript's emit of a static field constructing its own class (with private
// methods) reads the class binding before it is assigned.
const ZERO = Reflect.construct(Decimal, [0n, 0]) as Decimal;
