import { createEvent } from "@qt/eventbus";
import { describe, expect, it } from "vitest";
import { DeadLetterHeaders, decodeDeadLetter, encodeDeadLetter, type NatsDeadLetter } from "./dead-letter.js";

const entry: NatsDeadLetter = {
  id: "qt_analytics_trade_x:42",
  event: createEvent("trade.executed", { at: new Date("2026-01-01T00:00:00.001Z"), n: [1, { deep: true }] }),
  handler: { subscriptionId: "sub-1", pattern: "trade.*", handlerName: "ledger", group: "analytics" },
  reason: "handler-failed",
  error: { name: "TypeError", message: "boom\nsecond line", code: "E_X", stack: "TypeError: boom\n  at x" },
  attempts: 3,
  deadLetteredAt: new Date("2026-01-02T00:00:00.000Z"),
  source: { subject: "qt.trade.executed", sequence: 42, consumer: "qt_analytics_trade_x" },
  raw: undefined,
  issues: [],
};

describe("encodeDeadLetter() / decodeDeadLetter()", () => {
  it("round-trips a dead letter, the event's dates included", () => {
    const { data } = encodeDeadLetter(entry);
    expect(decodeDeadLetter(data)).toEqual(entry);
  });

  it("names the reason, handler, group, attempts and error in headers, one line each", () => {
    const { headers } = encodeDeadLetter(entry);
    expect(headers.get(DeadLetterHeaders.Reason)).toBe("handler-failed");
    expect(headers.get(DeadLetterHeaders.Handler)).toBe("ledger");
    expect(headers.get(DeadLetterHeaders.Group)).toBe("analytics");
    expect(headers.get(DeadLetterHeaders.Attempts)).toBe("3");
    expect(headers.get(DeadLetterHeaders.Error)).toBe("boom");
    expect(headers.get(DeadLetterHeaders.EventType)).toBe("trade.executed");
    expect(headers.get(DeadLetterHeaders.SourceSequence)).toBe("42");
  });

  it("keeps the raw bytes and issues of an invalid message", () => {
    const invalid: NatsDeadLetter = {
      ...entry,
      id: "invalid:qt:7",
      event: undefined,
      handler: undefined,
      reason: "invalid-message",
      raw: new Uint8Array([123, 0, 255]),
      issues: [{ path: "", message: "not valid JSON" }],
    };
    expect(decodeDeadLetter(encodeDeadLetter(invalid).data)).toEqual(invalid);
  });

  it("refuses what it did not write", () => {
    expect(() => decodeDeadLetter('"just a string"')).toThrow(TypeError);
    expect(() => decodeDeadLetter("{not json")).toThrow(/not JSON/);
    expect(() => decodeDeadLetter(JSON.stringify({ id: "x", reason: "handler-failed" }))).toThrow(
      /attempts, deadLetteredAt, source/,
    );
  });
});
