import type { EventEnvelope } from "@qt/eventbus";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { StrategyLifecycleSchema } from "./enums.js";
import { nonEmptyString, numberRecord } from "./fields.js";

const schema = z.strictObject({
  strategy_id: nonEmptyString,
  from_stage: StrategyLifecycleSchema,
  to_stage: StrategyLifecycleSchema,
  reason: nonEmptyString,
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
