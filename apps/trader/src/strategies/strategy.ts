import type { Candle } from "../market/candle.js";

/** Short, flat or long. */
export type Direction = -1 | 0 | 1;

/**
 * What a strategy wants after a candle: the direction it wants to hold in that symbol, how sure
 * its model is, and why (for logs).
 *
 * @example
 * ```ts
 * const decision: StrategyDecision = { direction: 1, confidence: 0.8, reason: "ema 12 above ema 36 by 0.4%" };
 * ```
 */
export interface StrategyDecision {
  readonly direction: Direction;
  /** In [0, 1]. */
  readonly confidence: number;
  readonly reason: string;
}

/**
 * A trading strategy: reads candles, one symbol at a time, and says which direction it wants to
 * hold. It knows nothing of sizes, risk or the bus; the session turns decisions into signals.
 *
 * @example
 * ```ts
 * const decision = strategy.decide(candle, 0); // flat now: does it want in?
 * ```
 */
export interface Strategy {
  /** The `strategy_id` of its signals and trades. */
  readonly id: string;
  /** The model-registry name of the model behind its confidence. */
  readonly modelName: string;
  /** Candles it needs before it decides anything. */
  readonly warmUp: number;
  /** Reads the symbol's next candle; `holding` is the direction it holds now. */
  decide(candle: Candle, holding: Direction): StrategyDecision;
}

/** Keeps a confidence in [0.5, 0.99]: a strategy that speaks is at least a coin flip sure. */
export function clampConfidence(value: number): number {
  return Math.round(Math.min(0.99, Math.max(0.5, value)) * 1000) / 1000;
}
