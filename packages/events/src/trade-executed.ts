import type { EventEnvelope } from "@qt/eventbus";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { TradeSideSchema } from "./enums.js";
import { nonEmptyString } from "./fields.js";

const schema = z.strictObject({
  order_id: nonEmptyString,
  symbol: nonEmptyString,
  side: TradeSideSchema,
  size: z.number().positive(),
  price: z.number().positive(),
  strategy_id: nonEmptyString,
  model: nonEmptyString.nullable(),
  pnl: z.number().nullable(),
});

/**
 * The payload of `trade.executed` (version 1), inferred from its schema.
 *
 * @example
 * ```ts
 * function realised(p: TradeExecutedPayload) { return p.pnl ?? 0; }
 * ```
 */
export type TradeExecutedPayload = z.infer<typeof schema>;

/**
 * A `trade.executed` event: the executor filled an order. `pnl` is set only when the fill closes a position.
 *
 * @example
 * ```ts
 * const handle = (event: TradeExecutedEvent) => log(event.id, event.payload);
 * ```
 */
export type TradeExecutedEvent = EventEnvelope<"trade.executed", TradeExecutedPayload>;

/**
 * Schema and factory of `trade.executed`. `size` and `price` are finite and > 0; `model` and `pnl`
 * default to `null`.
 *
 * @example
 * ```ts
 * const event = TradeExecutedEvent.create(
 *   { order_id: order.id, symbol: "BTCUSDT", side: TradeSide.BUY, size: 0.25, price: 64_000, strategy_id: "trend-v3" },
 *   { source: "executor" },
 * );
 * ```
 */
export const TradeExecutedEvent = defineEvent({
  type: "trade.executed",
  version: 1,
  schema,
  defaults: { model: null, pnl: null },
});
