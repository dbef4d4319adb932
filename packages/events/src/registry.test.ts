import { createEvent, type EventEnvelope, type EventValidationError } from "@qt/eventbus";
import { validationIssues } from "@qt/eventbus/testing";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { PolicyUpdatedEvent } from "./policy-updated.js";
import { qtEventRegistry } from "./qt-events.js";
import { createEventRegistry } from "./registry.js";
import { TradeExecutedEvent } from "./trade-executed.js";

const trade = TradeExecutedEvent.create({
  order_id: "o-1",
  symbol: "BTCUSDT",
  side: "BUY",
  size: 1,
  price: 100,
  strategy_id: "s-1",
});

describe("createEventRegistry()", () => {
  const v1 = z.strictObject({ id: z.string() });
  const v2 = z.strictObject({ id: z.string(), qty: z.number() });

  it("keeps several versions of a type and validates each event against its own version", () => {
    const registry = createEventRegistry([
      { type: "order.placed", version: 1, schema: v1 },
      defineEvent({ type: "order.placed", version: 2, schema: v2 }),
    ]);
    expect(() => registry.validate(createEvent("order.placed", { id: "a" }, { version: 1 }))).not.toThrow();
    expect(() =>
      registry.validate(createEvent("order.placed", { id: "a", qty: 1 }, { version: 2 })),
    ).not.toThrow();
    expect(
      validationIssues(() => registry.validate(createEvent("order.placed", { id: "a" }, { version: 2 }))),
    ).toEqual([{ path: "payload.qty", message: "expected number, received undefined" }]);
    expect(registry.schemaOf("order.placed")?.version).toBe(2);
    expect(registry.schemaOf("order.placed", 1)?.schema).toBe(v1);
    expect(registry.schemaOf("order.placed", 3)).toBeUndefined();
  });

  it("infers the event map from the definitions, several versions giving a union", () => {
    const registry = createEventRegistry([
      { type: "order.placed", version: 1, schema: v1 },
      { type: "order.placed", version: 2, schema: v2 },
      PolicyUpdatedEvent,
    ]);
    expectTypeOf(registry.types()).toEqualTypeOf<("order.placed" | "policy.updated")[]>();
    expectTypeOf(registry.schemaOf("order.placed")?.schema).toEqualTypeOf<
      z.ZodType<{ id: string } | { id: string; qty: number }> | undefined
    >();
  });

  it("refuses a type and version given twice, a bad version and a malformed type", () => {
    expect(() => createEventRegistry([PolicyUpdatedEvent, PolicyUpdatedEvent])).toThrow(/registered twice/);
    expect(() => createEventRegistry([{ type: "a.b", version: 0, schema: v1 }])).toThrow(TypeError);
    expect(() => createEventRegistry([{ type: "a.*", version: 1, schema: v1 }])).toThrow(
      /Invalid event type/,
    );
  });
});

describe("validate()", () => {
  it("accepts a valid event of every known type", () => {
    expect(() => qtEventRegistry.validate(trade)).not.toThrow();
    expect(() => qtEventRegistry.validate(JSON.parse(JSON.stringify(trade)))).not.toThrow();
  });

  it("refuses a bad payload with payload-prefixed paths", () => {
    const bad = { ...trade, payload: { ...trade.payload, size: -1, extra: true } };
    expect(validationIssues(() => qtEventRegistry.validate(bad))).toEqual([
      { path: "payload.size", message: "expected number > 0, received -1" },
      { path: "payload.extra", message: "unknown key" },
    ]);
  });

  it("refuses a payload missing a field its factory would have defaulted", () => {
    const { updated_by: _, ...rest } = PolicyUpdatedEvent.create({
      risk_mode: "NORMAL",
      allowed_strategies: [],
      global_min_confidence: 0.6,
      max_risk_per_trade: 0.02,
      max_positions: 5,
    }).payload;
    expect(validationIssues(() => qtEventRegistry.validate(createEvent("policy.updated", rest)))).toEqual([
      { path: "payload.updated_by", message: "expected string, received undefined" },
    ]);
  });

  it("refuses an unknown type with path 'type', listing the known ones", () => {
    const issues = validationIssues(() => qtEventRegistry.validate(createEvent("trade.cancelled", {})));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("type");
    expect(issues[0]?.message).toContain("unknown event type");
    expect(issues[0]?.message).toContain("trade.executed");
  });

  it("refuses an unknown version with path 'version'", () => {
    expect(validationIssues(() => qtEventRegistry.validate({ ...trade, version: 2 }))).toEqual([
      { path: "version", message: "unknown version 2; known versions: 1" },
    ]);
    const stringly = { ...trade, version: "1" } as unknown as EventEnvelope;
    expect(validationIssues(() => qtEventRegistry.validate(stringly))[0]?.path).toBe("version");
  });

  it("names the event type in the error", () => {
    try {
      qtEventRegistry.validate({ ...trade, payload: {} });
      expect.unreachable();
    } catch (error) {
      expect((error as EventValidationError).eventType).toBe("trade.executed");
    }
  });
});

describe("has() and types()", () => {
  it("lists the six Quantum Trader types in order and narrows a string", () => {
    expect(qtEventRegistry.types()).toEqual([
      "policy.updated",
      "strategy.promoted",
      "model.promoted",
      "health.status_changed",
      "opportunities.updated",
      "trade.executed",
    ]);
    expect(qtEventRegistry.has("trade.executed")).toBe(true);
    expect(qtEventRegistry.has("trade")).toBe(false);
    const name: string = "policy.updated";
    if (qtEventRegistry.has(name))
      expectTypeOf(name).toEqualTypeOf<
        | "policy.updated"
        | "strategy.promoted"
        | "model.promoted"
        | "health.status_changed"
        | "opportunities.updated"
        | "trade.executed"
      >();
  });

  it("returns a fresh array each time", () => {
    const types = qtEventRegistry.types();
    types.pop();
    expect(qtEventRegistry.types()).toHaveLength(6);
  });
});
