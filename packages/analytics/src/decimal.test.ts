import { describe, expect, it } from "vitest";
import { Decimal, fromDecimalText, toDecimalText } from "./decimal.js";

describe("toDecimalText() / fromDecimalText()", () => {
  it("round-trips every finite double exactly", () => {
    const values = [
      0.1 + 0.2,
      1e-9,
      123456789.12345679,
      1e21,
      1.7976931348623157e308,
      5e-324,
      -42.125,
      2 ** 53 + 2,
    ];
    for (const value of values) expect(fromDecimalText(toDecimalText(value))).toBe(value);
    for (let i = 0; i < 2_000; i++) {
      const value = (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 40 - 20);
      expect(fromDecimalText(toDecimalText(value))).toBe(value);
    }
  });

  it("reads PostgreSQL's plain NUMERIC text of an exponent form back to the same double", () => {
    expect(fromDecimalText("0.000000001")).toBe(1e-9);
    expect(fromDecimalText("1000000000000000000000")).toBe(1e21);
    expect(fromDecimalText(Decimal.of(5e-324).toString())).toBe(5e-324);
  });

  it("refuses NaN and infinities with WRITE_FAILED", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => toDecimalText(value)).toThrow(expect.objectContaining({ code: "WRITE_FAILED" }));
    }
  });
});

describe("Decimal", () => {
  it("adds exactly where doubles round", () => {
    expect(Decimal.of(0.1).plus(Decimal.of(0.2)).toNumber()).toBe(0.3);
    let sum = Decimal.ZERO;
    for (let i = 0; i < 10; i++) sum = sum.plus(Decimal.of(0.1));
    expect(sum.toString()).toBe("1");
    expect(Decimal.of(1e21).plus(Decimal.of(1e-9)).toString()).toBe("1000000000000000000000.000000001");
  });

  it("parses exponents and signs, prints plain text, compares", () => {
    expect(Decimal.parse("-1.5e-3").toString()).toBe("-0.0015");
    expect(Decimal.parse("1.5e+3").toString()).toBe("1500");
    expect(Decimal.parse("+.5").toString()).toBe("0.5");
    expect(Decimal.parse("-0").toString()).toBe("0");
    expect(Decimal.of(-3).minus(Decimal.of(-5)).toNumber()).toBe(2);
    expect(Decimal.of(0.3).compare(Decimal.of(0.1).plus(Decimal.of(0.2)))).toBe(0);
    expect(Decimal.of(-1).compare(Decimal.of(1e-9))).toBe(-1);
    expect(Decimal.of(-2.5).abs().toNumber()).toBe(2.5);
    expect(Decimal.of(-2.5).sign).toBe(-1);
    expect(() => Decimal.parse("1.2.3")).toThrow(RangeError);
    expect(() => Decimal.parse("")).toThrow(RangeError);
  });
});
