import type { Candle } from "../market/candle.js";
import { normal, type Random } from "../market/random.js";
import { clampConfidence, type Direction, type Strategy, type StrategyDecision } from "./strategy.js";

/** Options of {@link TrendFollowStrategy}. */
export interface TrendFollowOptions {
  /** Seeded noise on the model's confidence. */
  readonly random: Random;
  readonly fast?: number;
  readonly slow?: number;
  /** Relative gap between the averages needed to enter, e.g. 0.003 = 0.3 %. */
  readonly band?: number;
  readonly id?: string;
}

interface Averages {
  fast: number;
  slow: number;
  seen: number;
}

/**
 * Trend following: long when a fast exponential moving average of closes is above a slow one by
 * more than a band, short when below; it exits when the averages cross back.
 *
 * @example
 * ```ts
 * const trend = new TrendFollowStrategy({ random: mulberry32(1) });
 * trend.decide(candle, 0); // { direction: 1, confidence: 0.74, reason: "..." }
 * ```
 */
export class TrendFollowStrategy implements Strategy {
  readonly id: string;
  readonly modelName = "ema-cross";
  readonly warmUp: number;
  readonly #random: Random;
  readonly #fastAlpha: number;
  readonly #slowAlpha: number;
  readonly #band: number;
  readonly #averages = new Map<string, Averages>();

  constructor(options: TrendFollowOptions) {
    this.id = options.id ?? "trend-follow";
    this.#random = options.random;
    const fast = options.fast ?? 12;
    const slow = options.slow ?? 36;
    this.warmUp = slow;
    this.#fastAlpha = 2 / (fast + 1);
    this.#slowAlpha = 2 / (slow + 1);
    this.#band = options.band ?? 0.003;
  }

  decide(candle: Candle, holding: Direction): StrategyDecision {
    let averages = this.#averages.get(candle.symbol);
    if (averages === undefined) {
      averages = { fast: candle.close, slow: candle.close, seen: 0 };
      this.#averages.set(candle.symbol, averages);
    }
    averages.fast += this.#fastAlpha * (candle.close - averages.fast);
    averages.slow += this.#slowAlpha * (candle.close - averages.slow);
    averages.seen++;
    // Drawn on every candle, so the noise stream does not depend on what the strategy holds.
    const noise = normal(this.#random) * 0.04;
    if (averages.seen < this.warmUp) return { direction: holding, confidence: 0.5, reason: "warming up" };
    const gap = (averages.fast - averages.slow) / averages.slow;
    const reason = `ema gap ${(gap * 100).toFixed(2)}%`;
    const confidence = clampConfidence(0.55 + 0.4 * Math.tanh(Math.abs(gap) / this.#band - 1) + noise);
    if (holding !== 0) {
      // Stay in until the averages cross back.
      return Math.sign(gap) === -holding
        ? { direction: 0, confidence, reason: `${reason}: trend over` }
        : { direction: holding, confidence, reason };
    }
    if (gap > this.#band) return { direction: 1, confidence, reason: `${reason}: uptrend` };
    if (gap < -this.#band) return { direction: -1, confidence, reason: `${reason}: downtrend` };
    return { direction: 0, confidence, reason };
  }
}
