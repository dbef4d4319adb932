import type { Candle, MarketTick } from "./candle.js";
import { RollingWindow } from "./rolling-window.js";

/** How much history the per-symbol statistics use, in ticks. */
const STATS_WINDOW = 60;
const ATR_PERIOD = 14;

/**
 * What the session knows about one symbol: last candle, volatility, trend and volume over the
 * last hour of ticks, and an average true range for stops.
 */
export class SymbolStats {
  readonly symbol: string;
  readonly returns = new RollingWindow(STATS_WINDOW);
  readonly quoteVolume = new RollingWindow(STATS_WINDOW);
  #last: Candle | undefined;
  #atr: number | undefined;

  constructor(symbol: string) {
    this.symbol = symbol;
  }

  push(candle: Candle): void {
    const previous = this.#last;
    if (previous !== undefined) this.returns.push(Math.log(candle.close / previous.close));
    const trueRange =
      previous === undefined
        ? candle.high - candle.low
        : Math.max(
            candle.high - candle.low,
            Math.abs(candle.high - previous.close),
            Math.abs(candle.low - previous.close),
          );
    this.#atr = this.#atr === undefined ? trueRange : this.#atr + (trueRange - this.#atr) / ATR_PERIOD;
    this.quoteVolume.push(candle.volume * candle.close);
    this.#last = candle;
  }

  get last(): Candle | undefined {
    return this.#last;
  }

  /** Average true range, in price units. */
  get atr(): number {
    return this.#atr ?? 0;
  }

  /** Standard deviation of log returns per tick. */
  get volatility(): number {
    return this.returns.std;
  }

  /** Net move over the window in units of its noise, squashed into [-1, 1]. */
  get trendStrength(): number {
    const std = this.returns.std;
    if (std === 0 || this.returns.size < 2) return 0;
    const tStat = this.returns.sum / (std * Math.sqrt(this.returns.size));
    return Math.tanh(tStat / 3);
  }
}

/**
 * The latest prices and statistics of every symbol, updated once per tick. It is also the
 * executor's price source: fills happen at the last close.
 *
 * @example
 * ```ts
 * const market = new MarketState(["BTCUSDT"]);
 * market.update(tick);
 * market.price("BTCUSDT");
 * ```
 */
export class MarketState {
  readonly #stats = new Map<string, SymbolStats>();
  #time: Date | undefined;

  constructor(symbols: readonly string[]) {
    for (const symbol of symbols) this.#stats.set(symbol, new SymbolStats(symbol));
  }

  update(tick: MarketTick): void {
    this.#time = tick.time;
    for (const candle of tick.candles) {
      let stats = this.#stats.get(candle.symbol);
      if (stats === undefined) {
        stats = new SymbolStats(candle.symbol);
        this.#stats.set(candle.symbol, stats);
      }
      stats.push(candle);
    }
  }

  /** Market time of the last tick. */
  get time(): Date | undefined {
    return this.#time;
  }

  /** The last close; NaN when the symbol has no candle yet (the executor refuses to fill at NaN). */
  price(symbol: string): number {
    return this.#stats.get(symbol)?.last?.close ?? Number.NaN;
  }

  stats(symbol: string): SymbolStats | undefined {
    return this.#stats.get(symbol);
  }

  get symbols(): string[] {
    return [...this.#stats.keys()];
  }

  /** Ranker input: the symbols with enough history, their volume, volatility and trend. */
  candidates(): { symbol: string; volume: number; volatility: number; trendStrength: number }[] {
    const result = [];
    for (const stats of this.#stats.values()) {
      if (stats.returns.size < 10) continue;
      result.push({
        symbol: stats.symbol,
        volume: stats.quoteVolume.sum,
        volatility: stats.volatility,
        trendStrength: stats.trendStrength,
      });
    }
    return result;
  }
}
