import type { EventEnvelope } from "@qt/eventbus";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { StrategyLifecycleSchema } from "./enums.js";
import { nonEmptyString, numberRecord } from "./fields.js";

const schema = z.strictObject({
  /** The strategy, e.g. `trend-v3`. */
  strategy_id: nonEmptyString,
  /** The stage it left. Despite the event's name, the move may be a demotion (LIVE to SHADOW). */
  from_stage: StrategyLifecycleSchema,
  /** The stage it is in now; only LIVE strategies may trade. */
  to_stage: StrategyLifecycleSchema,
  /** Why, for humans, e.g. `passed SHADOW thresholds: sharpe 1.4 >= 1, trades 120 >= 30`. */
  reason: nonEmptyString,
  /** The metrics the decision was made on, e.g. `{ sharpe: 1.8, win_rate: 0.56 }`; may be `{}`. */
  metrics: numberRecord,
});

/**
 * The payload of `strategy.promoted` (version 1), inferred from its schema.
 *
 * @example
 * ```ts
 * function onPromotion(p: StrategyPromotedPayload) { if (p.to_stage === "LIVE") start(p.strategy_id); }
 * ```
 */
export type StrategyPromotedPayload = z.infer<typeof schema>;

/**
 * A `strategy.promoted` event: SG AI moved a strategy to another lifecycle stage (up or down).
 *
 * @example
 * ```ts
 * const handle = (event: StrategyPromotedEvent) => log(event.id, event.payload);
 * ```
 */
export type StrategyPromotedEvent = EventEnvelope<"strategy.promoted", StrategyPromotedPayload>;

/**
 * Schema and factory of `strategy.promoted`. `metrics` holds finite numbers only.
 *
 * @example
 * ```ts
 * const event = StrategyPromotedEvent.create({
 *   strategy_id: "trend-v3",
 *   from_stage: StrategyLifecycle.SHADOW,
 *   to_stage: StrategyLifecycle.LIVE,
 *   reason: "30 days above baseline",
 *   metrics: { sharpe: 1.8, win_rate: 0.56 },
 * });
 * ```
 */
export const StrategyPromotedEvent = defineEvent({ type: "strategy.promoted", version: 1, schema });
