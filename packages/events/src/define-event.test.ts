import { type EventEnvelope, EventValidationError, InvalidPatternError } from "@qt/eventbus";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineEvent } from "./define-event.js";

const schema = z.strictObject({ order_id: z.string().min(1), reason: z.string().min(1), retries: z.int() });
const OrderRejectedEvent = defineEvent({
  type: "order.rejected",
  version: 2,
  schema,
  defaults: { retries: 0 },
});

describe("defineEvent()", () => {
  it("returns a frozen definition exposing type, version and the schema itself", () => {
    expect(OrderRejectedEvent.type).toBe("order.rejected");
    expect(OrderRejectedEvent.version).toBe(2);
    expect(OrderRejectedEvent.schema).toBe(schema);
    expect(Object.isFrozen(OrderRejectedEvent)).toBe(true);
  });

  it("refuses a version that is not an integer >= 1, and a malformed type", () => {
    expect(() => defineEvent({ type: "a.b", version: 0, schema })).toThrow(TypeError);
    expect(() => defineEvent({ type: "a.b", version: 1.5, schema })).toThrow(TypeError);
    expect(() => defineEvent({ type: "a..b", version: 1, schema })).toThrow(InvalidPatternError);
  });
});

describe("create()", () => {
  it("fills in defaults, validates, and stamps the definition's type and version", () => {
    const event = OrderRejectedEvent.create({ order_id: "o-1", reason: "insufficient margin" });
    expect(event).toMatchObject({ type: "order.rejected", version: 2 });
    expect(event.payload).toEqual({ order_id: "o-1", reason: "insufficient margin", retries: 0 });
  });

  it("lets the caller override a default", () => {
    expect(OrderRejectedEvent.create({ order_id: "o-1", reason: "r", retries: 3 }).payload.retries).toBe(3);
  });

  it("throws EventValidationError carrying the event type and payload-prefixed paths", () => {
    try {
      OrderRejectedEvent.create({ order_id: "", reason: "r" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EventValidationError);
      const e = error as EventValidationError;
      expect(e.code).toBe("EVENT_VALIDATION");
      expect(e.eventType).toBe("order.rejected");
      expect(e.issues).toEqual([
        { path: "payload.order_id", message: "expected a non-empty string, received empty string" },
      ]);
      expect(e.message).toBe(
        'Invalid "order.rejected" event: payload.order_id: expected a non-empty string, received empty string',
      );
    }
  });

  it("refuses a payload that is not an object", () => {
    expect(() => OrderRejectedEvent.create(null as never)).toThrow(EventValidationError);
    expect(() => defineEvent({ type: "a.b", version: 1, schema }).create(42 as never)).toThrow(
      expect.objectContaining({ issues: [{ path: "payload", message: "expected object, received 42" }] }),
    );
  });

  it("types the payload from the schema and makes defaulted fields optional", () => {
    expectTypeOf(OrderRejectedEvent.create).parameter(0).toEqualTypeOf<{
      order_id: string;
      reason: string;
      retries?: number;
    }>();
    expectTypeOf(OrderRejectedEvent.create).returns.toEqualTypeOf<
      EventEnvelope<"order.rejected", { order_id: string; reason: string; retries: number }>
    >();
  });
});
