import { describe, expect, it } from "vitest";
import { createEvent } from "./envelope.js";
import { InvalidEventError, SerializationError } from "./errors.js";
import { deserializeEvent, serializeEvent } from "./serialization.js";

describe("serializeEvent() / deserializeEvent()", () => {
  it("round-trips an envelope exactly, dates and nested payloads included", () => {
    const event = createEvent(
      "trade.executed",
      {
        symbol: "BTCUSDT",
        filledAt: new Date("2026-11-29T10:11:12.345Z"),
        legs: [{ at: new Date(0), price: 1.5 }, null, "x", true],
        nested: { deeper: { when: new Date("2020-02-29T00:00:00.000Z"), list: [[1, 2], []] } },
        tricky: { $date: "not a date tag" },
        escaped: { $escape: { a: 1 } },
      },
      { source: "executor", causationId: "c-1", correlationId: "k-1", version: 3 },
    );
    const text = serializeEvent(event);
    expect(typeof text).toBe("string");
    const back = deserializeEvent(text);
    expect(back).toEqual(event);
    expect(back.timestamp).toBeInstanceOf(Date);
    expect((back.payload as { filledAt: Date }).filledAt.getTime()).toBe(event.payload.filledAt.getTime());
    expect(deserializeEvent(new TextEncoder().encode(text))).toEqual(event);
  });

  it("refuses values JSON cannot carry exactly, naming their path", () => {
    const cases: [unknown, string][] = [
      [{ pnl: Number.NaN }, "payload.pnl"],
      [{ a: { b: Number.POSITIVE_INFINITY } }, "payload.a.b"],
      [{ big: 1n }, "payload.big"],
      [{ list: [1, undefined] }, "payload.list[1]"],
      [{ m: new Map() }, "payload.m"],
      [{ f: () => 1 }, "payload.f"],
      [{ d: new Date("nope") }, "payload.d"],
      [undefined, "payload"],
    ];
    for (const [payload, path] of cases) {
      const error = (() => {
        try {
          serializeEvent(createEvent("x", payload));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as SerializationError).path).toBe(path);
    }
  });

  it("refuses text that is not an event with InvalidEventError naming the fields", () => {
    expect(() => deserializeEvent("{not json")).toThrow(InvalidEventError);
    expect(() => deserializeEvent("[1]")).toThrow(/expected a JSON object/);
    const error = (() => {
      try {
        deserializeEvent(
          JSON.stringify({ id: "1", type: "x", timestamp: "yesterday", source: "s", version: 0 }),
        );
      } catch (e) {
        return e as InvalidEventError;
      }
    })();
    expect(error?.issues.map((i) => i.path)).toEqual(["correlationId", "timestamp", "version", "payload"]);
  });
});
