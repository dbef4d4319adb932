import type { EventEnvelope } from "@qt/eventbus";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { nonEmptyString, numberRecord } from "./fields.js";

const schema = z.strictObject({
  /** The model, e.g. `xgb-btc`. */
  model_name: nonEmptyString,
  /** The version active before; `null` (the factory's default) for the model's first promotion. */
  old_version: nonEmptyString.nullable(),
  /** The version active from now on; may be older than `old_version` (a rollback). */
  new_version: nonEmptyString,
  /** The new version's offline metrics, recorded when it was registered, e.g. `{ auc: 0.71 }`. */
  metrics: numberRecord,
  /** The new version's shadow-trading results, e.g. `{ pnl: 1250.5 }`; `null` (the default) if none. */
  shadow_performance: numberRecord.nullable(),
});

/**
 * The payload of `model.promoted` (version 1), inferred from its schema.
 *
 * @example
 * ```ts
 * function onModel(p: ModelPromotedPayload) { ensemble.swap(p.model_name, p.new_version); }
 * ```
 */
export type ModelPromotedPayload = z.infer<typeof schema>;

/**
 * A `model.promoted` event: CLM promoted a new version of a model (`old_version` is `null` for the first).
 *
 * @example
 * ```ts
 * const handle = (event: ModelPromotedEvent) => log(event.id, event.payload);
 * ```
 */
export type ModelPromotedEvent = EventEnvelope<"model.promoted", ModelPromotedPayload>;

/**
 * Schema and factory of `model.promoted`. `old_version` and `shadow_performance` default to
 * `null`; metrics hold finite numbers only.
 *
 * @example
 * ```ts
 * const event = ModelPromotedEvent.create({
 *   model_name: "xgb-btc",
 *   old_version: "1.4.0",
 *   new_version: "1.5.0",
 *   metrics: { auc: 0.71 },
 *   shadow_performance: { pnl: 1250.5 },
 * });
 * ```
 */
export const ModelPromotedEvent = defineEvent({
  type: "model.promoted",
  version: 1,
  schema,
  defaults: { old_version: null, shadow_performance: null },
});
