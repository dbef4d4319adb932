import { OpportunityRankerError } from "./errors.js";

/**
 * A symbol to rank, with its recent market statistics. Other fields are allowed and ignored.
 *
 * @example
 * ```ts
 * const btc: Candidate = { symbol: "BTCUSDT", volume: 2.1e9, volatility: 0.031, trendStrength: 0.6 };
 * ```
 */
export interface Candidate {
  /** Non-empty and unique within one `rank()` call. */
  readonly symbol: string;
  /** Traded volume in quote currency over the lookback, finite and >= 0. */
  readonly volume: number;
  /** Volatility (e.g. stdev of returns), finite and >= 0. */
  readonly volatility: number;
  /** Trend strength, finite; its sign is the direction, only its magnitude scores. */
  readonly trendStrength: number;
}

/**
 * How much each normalised metric counts. Finite, >= 0, not all 0; they need not sum to 1
 * (scores are divided by their sum).
 *
 * @example
 * ```ts
 * const trendFollowing: ScoreWeights = { volume: 0.2, volatility: 0.2, trendStrength: 0.6 };
 * ```
 */
export interface ScoreWeights {
  /** Weight of normalised `log10(1 + volume)`. Default 0.4. */
  readonly volume: number;
  /** Weight of normalised `volatility` (higher scores higher: cap it with `maxVolatility`). Default 0.3. */
  readonly volatility: number;
  /** Weight of normalised `|trendStrength|` (direction ignored). Default 0.3. */
  readonly trendStrength: number;
}

/**
 * The default weights: volume 0.4, volatility 0.3, trend strength 0.3.
 *
 * @example
 * ```ts
 * new OpportunityRanker({ eventBus: bus, weights: { ...defaultScoreWeights, volume: 0.6 } });
 * ```
 */
export const defaultScoreWeights: ScoreWeights = Object.freeze({
  volume: 0.4,
  volatility: 0.3,
  trendStrength: 0.3,
});

const weightNames = ["volume", "volatility", "trendStrength"] as const;

/** Merges `input` over the defaults and validates it. */
export function resolveWeights(input: Partial<ScoreWeights> | undefined): ScoreWeights {
  for (const key of Object.keys(input ?? {})) {
    // A misspelt weight would otherwise be ignored and the default silently kept.
    if (!(weightNames as readonly string[]).includes(key)) {
      throw invalidOption(`options.weights.${key}`, `one of ${weightNames.join(", ")}`, key);
    }
  }
  const weights = { ...defaultScoreWeights, ...input };
  for (const name of weightNames) {
    const w = weights[name];
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      throw invalidOption(`options.weights.${name}`, "a finite number >= 0", w);
    }
  }
  if (weights.volume + weights.volatility + weights.trendStrength === 0) {
    throw invalidOption("options.weights", "at least one weight > 0", 0);
  }
  return Object.freeze(weights);
}

/**
 * Scores candidates in [0, 1], relative to each other (see the README's "Scoring"):
 * each metric is min-max normalised over the candidates (`log10(1 + volume)` for volume,
 * `|trendStrength|` for trend; all equal normalises to 1), then combined as a weighted mean and
 * rounded to 6 decimals.
 */
export function scoreCandidates(
  candidates: readonly Candidate[],
  weights: ScoreWeights,
): Map<string, number> {
  const features = candidates.map((c) => [Math.log10(1 + c.volume), c.volatility, Math.abs(c.trendStrength)]);
  const normalisers = weightNames.map((_, i) => {
    const values = features.map((f) => f[i] as number);
    // A loop, not Math.min(...values): spreading a large universe would overflow the stack.
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const x of values) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const span = max - min;
    return (x: number) => (span === 0 ? 1 : (x - min) / span);
  });
  const total = weights.volume + weights.volatility + weights.trendStrength;
  const scores = new Map<string, number>();
  candidates.forEach((candidate, index) => {
    const f = features[index] as number[];
    let sum = 0;
    weightNames.forEach((name, i) => {
      sum += weights[name] * (normalisers[i] as (x: number) => number)(f[i] as number);
    });
    scores.set(candidate.symbol, Math.round((sum / total) * 1e6) / 1e6);
  });
  return scores;
}

function invalidOption(field: string, expected: string, received: unknown): OpportunityRankerError {
  return new OpportunityRankerError({ code: "INVALID_OPTIONS", field, expected, received });
}
