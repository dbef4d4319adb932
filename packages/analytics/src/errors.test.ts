import { describe, expect, it } from "vitest";
import { AnalyticsError, InvalidPolicyError, messageOf, redactConnectionString } from "./errors.js";

describe("AnalyticsError", () => {
  it("carries a code, retryable (true only for STORE_UNAVAILABLE by default) and the cause", () => {
    const cause = new Error("ECONNREFUSED");
    const unavailable = new AnalyticsError("STORE_UNAVAILABLE", "down", { cause });
    expect(unavailable).toMatchObject({
      name: "AnalyticsError",
      code: "STORE_UNAVAILABLE",
      retryable: true,
      cause,
    });
    expect(new AnalyticsError("WRITE_FAILED", "refused").retryable).toBe(false);
    expect(new AnalyticsError("WRITE_FAILED", "deadlock", { retryable: true }).retryable).toBe(true);
  });

  it("isInstance() recognises any copy by its marker, and nothing else", () => {
    expect(AnalyticsError.isInstance(new InvalidPolicyError([]))).toBe(true);
    expect(AnalyticsError.isInstance({ [Symbol.for("@qt/analytics.error")]: true })).toBe(true);
    expect(AnalyticsError.isInstance(new Error("x"))).toBe(false);
    expect(AnalyticsError.isInstance(null)).toBe(false);
  });

  it("InvalidPolicyError names each field", () => {
    const error = new InvalidPolicyError([{ path: "risk_mode", message: "expected one of A, B" }]);
    expect(error).toMatchObject({ code: "INVALID_POLICY", retryable: false, name: "InvalidPolicyError" });
    expect(error.message).toBe("Invalid policy: risk_mode: expected one of A, B");
  });
});

describe("redactConnectionString()", () => {
  it("hides the password of a URL or key=value connection string", () => {
    expect(redactConnectionString("postgres://qt:s3cret@db:5432/qt")).toBe("postgres://qt:***@db:5432/qt");
    expect(redactConnectionString("postgresql://qt:p%40ss@db/qt?sslmode=require")).toBe(
      "postgresql://qt:***@db/qt?sslmode=require",
    );
    expect(redactConnectionString("postgres://db/qt?user=qt&password=s3cret")).toBe(
      "postgres://db/qt?user=qt&password=***",
    );
    expect(redactConnectionString("host=db user=qt password=s3cret dbname=qt")).toBe(
      "host=db user=qt password=*** dbname=qt",
    );
    expect(redactConnectionString("postgres://qt@db/qt")).toBe("postgres://qt@db/qt");
  });
});

describe("messageOf()", () => {
  it("removes given secrets and reads AggregateErrors", () => {
    expect(messageOf(new Error("auth failed for s3cret"), ["s3cret"])).toBe("auth failed for ***");
    expect(messageOf(new AggregateError([new Error("a"), new Error("b")], ""))).toBe("a; b");
    expect(messageOf(Object.assign(new Error(""), { code: "ECONNREFUSED" }))).toBe("ECONNREFUSED");
    expect(messageOf("plain")).toBe("plain");
  });
});
