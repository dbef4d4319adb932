import type { Candle } from "../market/candle.js";
import { normal, type Random } from "../market/random.js";
import { RollingWindow } from "../market/rolling-window.js";
import { clampConfidence, type Direction, type Strategy, type StrategyDecision } from "./strategy.js";

/** Options of {@link MeanRevertStrategy}. */
export interface MeanRevertOptions {
  /** Seeded noise on the model's confidence. */
  readonly random: Random;
  /** Closes in the moving average. Default 20. */
  readonly window?: number;
  /** Distance from the average, in standard deviations, to enter. Default 2. */
  readonly entryZ?: number;
  /** Distance back inside which it exits. Default 0.25. */
  readonly exitZ?: number;
  readonly id?: string;
}

/**
 * Mean reversion: buys a close far below its moving average (in standard deviations), sells one
 * far above, and exits when the price has come back to the average.
 *
 * @example
 * ```ts
 * const revert = new MeanRevertStrategy({ random: mulberry32(2) });
 * revert.decide(candle, 0); // { direction: -1, confidence: 0.7, reason: "z 2.31: stretched up" }
 * ```
 */
export class MeanRevertStrategy implements Strategy {
  readonly id: string;
  readonly modelName = "zscore-revert";
  readonly warmUp: number;
  readonly #random: Random;
  readonly #entryZ: number;
  readonly #exitZ: number;
  readonly #windows = new Map<string, RollingWindow>();

  constructor(options: MeanRevertOptions) {
    this.id = options.id ?? "mean-revert";
    this.#random = options.random;
    this.warmUp = options.window ?? 20;
    this.#entryZ = options.entryZ ?? 2;
    this.#exitZ = options.exitZ ?? 0.25;
  }

  decide(candle: Candle, holding: Direction): StrategyDecision {
    let window = this.#windows.get(candle.symbol);
    if (window === undefined) {
      window = new RollingWindow(this.warmUp);
      this.#windows.set(candle.symbol, window);
    }
    window.push(candle.close);
    const noise = normal(this.#random) * 0.04;
    if (!window.full || window.std === 0) {
      return { direction: holding, confidence: 0.5, reason: "warming up" };
    }
    const z = (candle.close - window.mean) / window.std;
    const reason = `z ${z.toFixed(2)}`;
    const confidence = clampConfidence(0.6 + 0.35 * Math.tanh(Math.abs(z) - this.#entryZ) + noise);
    if (holding === 1) {
      return z > -this.#exitZ
        ? { direction: 0, confidence, reason: `${reason}: back to the mean` }
        : { direction: 1, confidence, reason };
    }
    if (holding === -1) {
      return z < this.#exitZ
        ? { direction: 0, confidence, reason: `${reason}: back to the mean` }
        : { direction: -1, confidence, reason };
    }
    if (z <= -this.#entryZ) return { direction: 1, confidence, reason: `${reason}: stretched down` };
    if (z >= this.#entryZ) return { direction: -1, confidence, reason: `${reason}: stretched up` };
    return { direction: 0, confidence, reason };
  }
}
