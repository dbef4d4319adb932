import { createRecordingLogger } from "@qt/eventbus/testing";
import { describe, expect, it } from "vitest";
import { createRedactor, redactDeep, redactingLogger } from "./redact.js";

describe("createRedactor()", () => {
  it("replaces every occurrence of every secret, raw and URL-encoded", () => {
    const redact = createRedactor(["tok3n", "p@ss/word", undefined, ""]);
    expect(redact("a tok3n b tok3n")).toBe("a [REDACTED] b [REDACTED]");
    expect(redact("smtp://u:p%40ss%2Fword@host and p@ss/word")).toBe(
      "smtp://u:[REDACTED]@host and [REDACTED]",
    );
    expect(redact("nothing here")).toBe("nothing here");
  });

  it("removes a longer secret whole when it contains a shorter one", () => {
    const redact = createRedactor(["abc", "xxabcxx"]);
    expect(redact("xxabcxx abc")).toBe("[REDACTED] [REDACTED]");
  });

  it("returns text unchanged when there are no secrets", () => {
    expect(createRedactor([])("abc")).toBe("abc");
  });
});

describe("redactDeep()", () => {
  it("redacts strings at any depth and error messages, keeping other values", () => {
    const redact = createRedactor(["s3"]);
    const at = new Date(0);
    expect(redactDeep({ a: "x s3", b: [1, "s3"], c: { d: new Error("e s3") }, at, n: null }, redact)).toEqual(
      {
        a: "x [REDACTED]",
        b: [1, "[REDACTED]"],
        c: { d: "e [REDACTED]" },
        at,
        n: null,
      },
    );
  });
});

describe("redactingLogger()", () => {
  it("redacts the message and the fields before they reach the logger", () => {
    const inner = createRecordingLogger();
    const logger = redactingLogger(inner, createRedactor(["s3"]));
    logger.warn({ error: "s3" }, "w s3");
    logger.error({ nested: { url: "/x/s3" } }, "e");
    expect(inner.entries).toEqual([
      { level: "warn", message: "w [REDACTED]", fields: { error: "[REDACTED]" } },
      { level: "error", message: "e", fields: { nested: { url: "/x/[REDACTED]" } } },
    ]);
  });
});
