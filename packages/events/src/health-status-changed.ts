import type { EventEnvelope } from "@qt/eventbus";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { HealthStatusSchema } from "./enums.js";
import { nonEmptyString, numberRecord } from "./fields.js";

const schema = z.strictObject({
  /** The component's status before this change. */
  old_status: HealthStatusSchema,
  /** Its status now. CRITICAL halts trading until the same component reports HEALTHY. */
  new_status: HealthStatusSchema,
  /** The component concerned, e.g. `DrawdownGuard`; consumers track status per component. */
  component: nonEmptyString,
  /** Why, for humans, e.g. `error_rate 0.5 >= critical 0.2`. */
  reason: nonEmptyString,
  /** The measurements behind the status, e.g. `{ drawdown_pct: 5.2 }`. */
  metrics: numberRecord,
});

/**
 * The payload of `health.status_changed` (version 1), inferred from its schema.
 *
 * @example
 * ```ts
 * function isAlarm(p: HealthStatusChangedPayload) { return p.new_status === "CRITICAL"; }
 * ```
 */
export type HealthStatusChangedPayload = z.infer<typeof schema>;

/**
 * A `health.status_changed` event: the health monitor saw a component change status.
 *
 * @example
 * ```ts
 * const handle = (event: HealthStatusChangedEvent) => log(event.id, event.payload);
 * ```
 */
export type HealthStatusChangedEvent = EventEnvelope<"health.status_changed", HealthStatusChangedPayload>;

/**
 * Schema and factory of `health.status_changed`. `metrics` holds finite numbers only.
 *
 * @example
 * ```ts
 * const event = HealthStatusChangedEvent.create({
 *   old_status: HealthStatus.HEALTHY,
 *   new_status: HealthStatus.CRITICAL,
 *   component: "DrawdownGuard",
 *   reason: "Daily drawdown exceeded",
 *   metrics: { dd: -5.2 },
 * });
 * ```
 */
export const HealthStatusChangedEvent = defineEvent({ type: "health.status_changed", version: 1, schema });
