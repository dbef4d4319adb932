import { type EventBus, type EventEnvelope, EventValidationError, InMemoryEventBus } from "@qt/eventbus";
import { describe, expect, expectTypeOf, it } from "vitest";
import { HealthStatusChangedEvent } from "./health-status-changed.js";
import { ModelPromotedEvent } from "./model-promoted.js";
import { OpportunitiesUpdatedEvent } from "./opportunities-updated.js";
import { PolicyUpdatedEvent, type PolicyUpdatedPayload } from "./policy-updated.js";
import {
  type QtEvent,
  type QtEventBus,
  type QtEventMap,
  type QtEventType,
  qtEventDefinitions,
  qtEventRegistry,
} from "./qt-events.js";
import type { EventMapOf } from "./registry.js";
import { StrategyPromotedEvent } from "./strategy-promoted.js";
import { TradeExecutedEvent, type TradeExecutedPayload } from "./trade-executed.js";

describe("qtEventDefinitions", () => {
  it("holds the six factories, each version 1", () => {
    expect(qtEventDefinitions).toEqual([
      PolicyUpdatedEvent,
      StrategyPromotedEvent,
      ModelPromotedEvent,
      HealthStatusChangedEvent,
      OpportunitiesUpdatedEvent,
      TradeExecutedEvent,
    ]);
    expect(qtEventDefinitions.map((d) => d.version)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Object.isFrozen(qtEventDefinitions)).toBe(true);
  });
});

describe("QtEventMap", () => {
  it("is exactly the map the definitions imply, so the two cannot drift", () => {
    expectTypeOf<QtEventMap>().toEqualTypeOf<EventMapOf<typeof qtEventDefinitions>>();
    expectTypeOf<QtEventType>().toEqualTypeOf<ReturnType<typeof qtEventRegistry.types>[number]>();
  });

  it("makes QtEvent a union discriminated by type", () => {
    expectTypeOf<Extract<QtEvent, { type: "trade.executed" }>>().toEqualTypeOf<
      EventEnvelope<"trade.executed", TradeExecutedPayload>
    >();
    const event = PolicyUpdatedEvent.create({
      risk_mode: "NORMAL",
      allowed_strategies: [],
      global_min_confidence: 0.6,
      max_risk_per_trade: 0.02,
      max_positions: 5,
    }) as QtEvent;
    if (event.type === "policy.updated") expectTypeOf(event.payload).toEqualTypeOf<PolicyUpdatedPayload>();
    expect(qtEventRegistry.has(event.type)).toBe(true);
  });

  it("types a QtEventBus's handlers and publish", () => {
    expectTypeOf<QtEventBus>().toEqualTypeOf<EventBus<QtEventMap>>();
    expectTypeOf<Parameters<QtEventBus["publish"]>[0]>().toEqualTypeOf<QtEvent>();
    // Compiled, not run: handlers get typed payloads and unknown types do not compile.
    const wire = (bus: QtEventBus) => {
      bus.subscribe("policy.updated", (e) => {
        expectTypeOf(e.payload).toEqualTypeOf<PolicyUpdatedPayload>();
      });
      bus.subscribe("trade.*", (e) => {
        expectTypeOf(e.payload).toEqualTypeOf<TradeExecutedPayload>();
      });
      // @ts-expect-error: not a Quantum Trader event type
      bus.subscribe("policy.update", () => {});
    };
    expect(wire).toBeTypeOf("function");
  });
});

describe("qtEventRegistry on an InMemoryEventBus", () => {
  it("delivers valid events with typed payloads and refuses invalid ones at publish", async () => {
    const bus: QtEventBus = new InMemoryEventBus<QtEventMap>({ registry: qtEventRegistry });
    const seen: number[] = [];
    bus.subscribe("policy.updated", (e) => {
      seen.push(e.payload.max_positions);
    });
    const running = bus.runForever();
    const valid = PolicyUpdatedEvent.create({
      risk_mode: "DEFENSIVE",
      allowed_strategies: ["trend"],
      global_min_confidence: 0.7,
      max_risk_per_trade: 0.01,
      max_positions: 3,
    });
    await bus.publish(valid);
    const tampered = { ...valid, payload: { ...valid.payload, max_risk_per_trade: 2 } };
    await expect(bus.publish(tampered)).rejects.toThrow(EventValidationError);
    await bus.idle();
    await bus.stop();
    await running;
    expect(seen).toEqual([3]);
  });
});
