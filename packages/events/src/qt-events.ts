import type { AnyEventOf, EventBus } from "@qt/eventbus";
import { HealthStatusChangedEvent, type HealthStatusChangedPayload } from "./health-status-changed.js";
import { ModelPromotedEvent, type ModelPromotedPayload } from "./model-promoted.js";
import { OpportunitiesUpdatedEvent, type OpportunitiesUpdatedPayload } from "./opportunities-updated.js";
import { PolicyUpdatedEvent, type PolicyUpdatedPayload } from "./policy-updated.js";
import { createEventRegistry, type EventRegistry } from "./registry.js";
import { StrategyPromotedEvent, type StrategyPromotedPayload } from "./strategy-promoted.js";
import { TradeExecutedEvent, type TradeExecutedPayload } from "./trade-executed.js";

/**
 * Every Quantum Trader event type and its payload: type a bus with it to get typed handlers.
 *
 * @example
 * ```ts
 * const bus: EventBus<QtEventMap> = new InMemoryEventBus({ registry: qtEventRegistry });
 * bus.subscribe("trade.executed", (e) => record(e.payload.pnl)); // pnl: number | null
 * ```
 */
export type QtEventMap = {
  /** MSC AI changed the global trading policy (risk mode and its limits). */
  "policy.updated": PolicyUpdatedPayload;
  /** A strategy moved to another lifecycle stage, up or down. */
  "strategy.promoted": StrategyPromotedPayload;
  /** Another version of a model became the active one. */
  "model.promoted": ModelPromotedPayload;
  /** A component's health status changed. */
  "health.status_changed": HealthStatusChangedPayload;
  /** The ranking of the symbols worth trading changed. */
  "opportunities.updated": OpportunitiesUpdatedPayload;
  /** The executor filled an order. */
  "trade.executed": TradeExecutedPayload;
};

/**
 * The name of a Quantum Trader event type, e.g. `"policy.updated"`.
 *
 * @example
 * ```ts
 * const watched: QtEventType[] = ["policy.updated", "health.status_changed"];
 * ```
 */
export type QtEventType = keyof QtEventMap;

/**
 * Any Quantum Trader event: a union discriminated by `type`.
 *
 * @example
 * ```ts
 * function summary(e: QtEvent): string {
 *   return e.type === "trade.executed" ? `${e.payload.side} ${e.payload.symbol}` : e.type;
 * }
 * ```
 */
export type QtEvent = AnyEventOf<QtEventMap>;

/**
 * A bus carrying the Quantum Trader events: what components take in their constructor.
 *
 * @example
 * ```ts
 * class Orchestrator {
 *   constructor(bus: QtEventBus) {
 *     bus.subscribe("policy.updated", (e) => this.applyPolicy(e.payload));
 *   }
 * }
 * ```
 */
export type QtEventBus = EventBus<QtEventMap>;

/**
 * The six event definitions, to build a registry that adds your own.
 *
 * @example
 * ```ts
 * const registry = createEventRegistry([...qtEventDefinitions, OrderRejectedEvent]);
 * ```
 */
export const qtEventDefinitions = Object.freeze([
  PolicyUpdatedEvent,
  StrategyPromotedEvent,
  ModelPromotedEvent,
  HealthStatusChangedEvent,
  OpportunitiesUpdatedEvent,
  TradeExecutedEvent,
] as const);

/**
 * The registry of the six events (version 1 each): give it to a bus to validate every publish.
 *
 * @example
 * ```ts
 * const bus: QtEventBus = new InMemoryEventBus({ registry: qtEventRegistry });
 * ```
 */
export const qtEventRegistry: EventRegistry<QtEventMap> = createEventRegistry(qtEventDefinitions);
