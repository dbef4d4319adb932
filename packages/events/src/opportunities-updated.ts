import type { EventEnvelope } from "@qt/eventbus";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { jsonRecord, nonEmptyString, numberRecord } from "./fields.js";

const schema = z.strictObject({
  /** The symbols worth trading, best first; the orchestrator rejects signals on any other symbol. */
  top_symbols: z.array(nonEmptyString),
  /** Score per top symbol, e.g. `{ BTCUSDT: 0.92 }`; OppRank's are in [0, 1], relative to the universe. */
  scores: numberRecord,
  /** The filters applied before ranking, e.g. `{ min_volume: 1000000 }`; `{}` when none. */
  criteria: jsonRecord,
  /** How many candidates the criteria filtered out, an integer >= 0. */
  excluded_count: z.int().nonnegative(),
});

/**
 * The payload of `opportunities.updated` (version 1), inferred from its schema.
 *
 * @example
 * ```ts
 * function universe(p: OpportunitiesUpdatedPayload) { return p.top_symbols.slice(0, 5); }
 * ```
 */
export type OpportunitiesUpdatedPayload = z.infer<typeof schema>;

/**
 * An `opportunities.updated` event: OppRank refreshed its symbol ranking.
 *
 * @example
 * ```ts
 * const handle = (event: OpportunitiesUpdatedEvent) => log(event.id, event.payload);
 * ```
 */
export type OpportunitiesUpdatedEvent = EventEnvelope<"opportunities.updated", OpportunitiesUpdatedPayload>;

/**
 * Schema and factory of `opportunities.updated`. `scores` maps symbols to finite numbers;
 * `criteria` is free-form JSON (finite numbers only); `excluded_count` is an integer >= 0.
 *
 * @example
 * ```ts
 * const event = OpportunitiesUpdatedEvent.create({
 *   top_symbols: ["BTCUSDT", "ETHUSDT"],
 *   scores: { BTCUSDT: 0.92, ETHUSDT: 0.87 },
 *   criteria: { min_volume: 1e6, exclude_stablecoins: true },
 *   excluded_count: 41,
 * });
 * ```
 */
export const OpportunitiesUpdatedEvent = defineEvent({ type: "opportunities.updated", version: 1, schema });
