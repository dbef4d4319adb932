import type { EventEnvelope } from "@qt/eventbus";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { RiskModeSchema } from "./enums.js";
import { nonEmptyString, unitInterval } from "./fields.js";

const schema = z.strictObject({
  /** The global risk mode; the limits below are that mode's. */
  risk_mode: RiskModeSchema,
  /** Ids of the strategies that may trade; empty means none may. The orchestrator also requires LIVE. */
  allowed_strategies: z.array(nonEmptyString),
  /** Lowest signal confidence that may trade, in [0, 1]; signals below it are rejected. */
  global_min_confidence: unitInterval,
  /** Largest loss at the stop allowed per trade, as a fraction of equity in [0, 1] (0.02 = 2%). */
  max_risk_per_trade: unitInterval,
  /** Most symbols with an open position at once, an integer >= 1; adding to an open one is always allowed. */
  max_positions: z.int().positive(),
  /** Who set the policy; the factory defaults it to `"MSC_AI"`. */
  updated_by: nonEmptyString,
});

/**
 * The payload of `policy.updated` (version 1), inferred from its schema.
 *
 * @example
 * ```ts
 * function applyPolicy(p: PolicyUpdatedPayload) { maxPositions = p.max_positions; }
 * ```
 */
export type PolicyUpdatedPayload = z.infer<typeof schema>;

/**
 * A `policy.updated` event: MSC AI changed the global trading policy. Subscribers (orchestrator,
 * risk guard, portfolio balancer) reload their limits from the payload.
 *
 * @example
 * ```ts
 * const handle = (event: PolicyUpdatedEvent) => log(event.id, event.payload);
 * ```
 */
export type PolicyUpdatedEvent = EventEnvelope<"policy.updated", PolicyUpdatedPayload>;

/**
 * Schema and factory of `policy.updated`. `updated_by` defaults to `"MSC_AI"`; confidence and risk
 * are fractions in [0, 1]; `max_positions` is an integer >= 1.
 *
 * @example
 * ```ts
 * await bus.publish(
 *   PolicyUpdatedEvent.create(
 *     { risk_mode: RiskMode.DEFENSIVE, allowed_strategies: ["trend"], global_min_confidence: 0.7, max_risk_per_trade: 0.01, max_positions: 3 },
 *     { source: "msc-ai" },
 *   ),
 * );
 * ```
 */
export const PolicyUpdatedEvent = defineEvent({
  type: "policy.updated",
  version: 1,
  schema,
  defaults: { updated_by: "MSC_AI" },
});
