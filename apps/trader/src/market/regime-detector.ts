import type { MarketTick, Regime } from "./candle.js";
import { RollingWindow } from "./rolling-window.js";

/** Options of {@link RegimeDetector}. */
export interface RegimeDetectorOptions {
  /** Ticks of returns looked at. Default 30. */
  readonly window?: number;
  /** Ticks a new reading must hold before the regime changes. Default 20. */
  readonly dwell?: number;
  /** Volatility this many times its long-run level reads as volatile. Default 1.8. */
  readonly volatileRatio?: number;
  /** A net move of this many standard errors reads as trending. Default 2.5. */
  readonly trendTStat?: number;
}

/**
 * Tells the regime from prices, for data that does not come labelled (a CSV replay): volatile when
 * volatility is well above its long-run level, trending when the net move stands out from the
 * noise, ranging otherwise. A reading must hold for `dwell` ticks, so the regime does not flap.
 *
 * @example
 * ```ts
 * const detector = new RegimeDetector();
 * const regime = detector.update(tick); // undefined until it has seen enough data
 * ```
 */
export class RegimeDetector {
  readonly #returns: RollingWindow;
  readonly #dwell: number;
  readonly #volatileRatio: number;
  readonly #trendTStat: number;
  readonly #lastClose = new Map<string, number>();
  #longRunVol: number | undefined;
  #regime: Regime | undefined;
  #candidate: Regime | undefined;
  #candidateTicks = 0;

  constructor(options: RegimeDetectorOptions = {}) {
    this.#returns = new RollingWindow(options.window ?? 30);
    this.#dwell = options.dwell ?? 20;
    this.#volatileRatio = options.volatileRatio ?? 1.8;
    this.#trendTStat = options.trendTStat ?? 2.5;
  }

  /** The regime after this tick, or `undefined` while warming up. */
  update(tick: MarketTick): Regime | undefined {
    let sum = 0;
    let count = 0;
    for (const candle of tick.candles) {
      const previous = this.#lastClose.get(candle.symbol);
      this.#lastClose.set(candle.symbol, candle.close);
      if (previous === undefined) continue;
      sum += Math.log(candle.close / previous);
      count++;
    }
    if (count === 0) return this.#regime;
    this.#returns.push(sum / count);
    if (!this.#returns.full) return this.#regime;
    const vol = this.#returns.std;
    this.#longRunVol =
      this.#longRunVol === undefined ? vol : this.#longRunVol + (vol - this.#longRunVol) / 300;
    const tStat = vol === 0 ? 0 : Math.abs(this.#returns.sum) / (vol * Math.sqrt(this.#returns.size));
    const reading: Regime =
      vol > this.#longRunVol * this.#volatileRatio
        ? "volatile"
        : tStat >= this.#trendTStat
          ? "trending"
          : "ranging";
    if (this.#regime === undefined) {
      this.#regime = reading;
      return reading;
    }
    if (reading === this.#regime) {
      this.#candidate = undefined;
      return this.#regime;
    }
    if (reading !== this.#candidate) {
      this.#candidate = reading;
      this.#candidateTicks = 0;
    }
    this.#candidateTicks++;
    if (this.#candidateTicks >= this.#dwell) {
      this.#regime = reading;
      this.#candidate = undefined;
    }
    return this.#regime;
  }

  get regime(): Regime | undefined {
    return this.#regime;
  }
}
