import { TradeExecutedEvent } from "@qt/events";

const STRATEGIES = ["trend", "mean_revert", "breakout", "carry"];
const MODELS = ["xgb-v3", "lstm-v2", null];
const SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"];

/**
 * `count` valid `trade.executed` events with unique ids and order ids, built (and validated)
 * before any clock starts; every other one closes a position with a pnl.
 *
 * @example
 * ```ts
 * const events = makeTradeEvents(100_000);
 * ```
 */
export function makeTradeEvents(count: number): TradeExecutedEvent[] {
  const events: TradeExecutedEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push(
      TradeExecutedEvent.create(
        {
          order_id: `bench-${i}`,
          symbol: SYMBOLS[i % SYMBOLS.length] as string,
          side: i % 2 === 0 ? "BUY" : "SELL",
          size: 0.001 * ((i % 97) + 1),
          price: 20_000 + (i % 1_000) * 0.37,
          strategy_id: STRATEGIES[i % STRATEGIES.length] as string,
          model: MODELS[i % MODELS.length] ?? null,
          pnl: i % 2 === 0 ? null : ((i % 13) - 6) * 1.37,
        },
        { source: "bench" },
      ),
    );
  }
  return events;
}
