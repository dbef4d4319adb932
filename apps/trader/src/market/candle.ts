/**
 * One bar of market data for one symbol.
 *
 * @example
 * ```ts
 * const candle: Candle = { symbol: "BTCUSDT", timestamp: new Date(), open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 };
 * ```
 */
export interface Candle {
  readonly symbol: string;
  /** The bar's open time. */
  readonly timestamp: Date;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Traded quantity, in units of the instrument. */
  readonly volume: number;
}

/** The market regimes the simulator produces and the MSC AI maps to risk modes. */
export type Regime = "trending" | "ranging" | "volatile";

/**
 * One step of market time: a candle per symbol, and the regime when the source knows it (the
 * simulator does; a CSV file does not, so the session detects it).
 *
 * @example
 * ```ts
 * const tick: MarketTick = { index: 0, time: candle.timestamp, candles: [candle] };
 * ```
 */
export interface MarketTick {
  /** 0 for the first tick of the run. */
  readonly index: number;
  /** Market time of this tick: every market-driven event is stamped with it. */
  readonly time: Date;
  readonly candles: readonly Candle[];
  readonly regime?: Regime;
}

/**
 * Where ticks come from: the seeded simulator or a CSV replay.
 *
 * @example
 * ```ts
 * for (let tick = await feed.next(); tick !== undefined; tick = await feed.next()) console.log(tick.time);
 * ```
 */
export interface MarketFeed {
  /** The symbols every tick carries a candle for. */
  readonly symbols: readonly string[];
  /** The next tick, or `undefined` when the data has ended (a simulator never ends). */
  next(): Promise<MarketTick | undefined>;
  /** Releases files and the like. Idempotent. */
  close(): Promise<void>;
}
