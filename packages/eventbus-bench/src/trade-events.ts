import { TradeExecutedEvent, TradeSide } from "@qt/events";

/** The event every scenario publishes. */
export type TradeEvent = ReturnType<typeof TradeExecutedEvent.create>;

/** Its type, the name every emitter uses. */
export const TRADE_EXECUTED = "trade.executed";

const SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"] as const;

/**
 * Returns `count` valid `trade.executed` events, pre-created with the real factory (so each has a
 * UUID id, a Date and a validated payload): `distinct` different events, repeated in order.
 * Repeating a pool keeps creation (~10 µs an event here, mostly the factory's GC) out of the
 * run time of each of the ~150 worker processes; every library gets the same array.
 *
 * @example
 * ```ts
 * const events = makeTradeEvents(200_000, 20_000); // events[i] === events[i + 20_000]
 * ```
 */
export function makeTradeEvents(count: number, distinct = count): TradeEvent[] {
  const pool: TradeEvent[] = [];
  for (let i = 0; i < Math.min(count, distinct); i++) {
    pool.push(
      TradeExecutedEvent.create(
        {
          order_id: `o-${i}`,
          symbol: SYMBOLS[i % SYMBOLS.length] as string,
          side: i % 2 === 0 ? TradeSide.BUY : TradeSide.SELL,
          size: 0.01 + (i % 100) / 100,
          price: 60_000 + (i % 1000),
          strategy_id: "trend-v3",
        },
        { source: "bench" },
      ),
    );
  }
  return Array.from({ length: count }, (_, i) => pool[i % pool.length] as TradeEvent);
}
