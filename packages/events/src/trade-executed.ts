import type { EventEnvelope } from "@qt/eventbus";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { TradeSideSchema } from "./enums.js";
import { nonEmptyString } from "./fields.js";

const schema = z.strictObject({
  /** Unique id of the filled order, made by the executor (one event per order). */
  order_id: nonEmptyString,
  /** The instrument, e.g. `BTCUSDT`. */
  symbol: nonEmptyString,
  /** `BUY` adds to the net position, `SELL` subtracts from it. */
  side: TradeSideSchema,
  /** Quantity filled, in base units; always > 0 (the direction is `side`). */
  size: z.number().positive(),
  /** Fill price per unit in quote currency, slippage included; > 0. */
  price: z.number().positive(),
  /** The strategy that asked for the order. */
  strategy_id: nonEmptyString,
  /** The model behind the signal, or `null` (the factory's default) when there was none. */
  model: nonEmptyString.nullable(),
  /**
   * Realised pnl in quote currency, net of the fee's share, when the fill reduced or closed a
   * position; `null` (the factory's default) when it only opened or added.
   */
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
