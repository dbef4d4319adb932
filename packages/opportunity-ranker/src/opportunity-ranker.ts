import { SerialQueue } from "@qt/eventbus";
import { OpportunitiesUpdatedEvent, type OpportunitiesUpdatedPayload, type QtEventBus } from "@qt/events";
import { OpportunityRankerError } from "./errors.js";
import { type Candidate, resolveWeights, type ScoreWeights, scoreCandidates } from "./scoring.js";

/**
 * Filters a candidate must pass to be ranked; each is optional. Those that fail are counted in
 * `excluded_count`.
 *
 * @example
 * ```ts
 * const criteria: RankingCriteria = { minVolume: 1e6, maxVolatility: 0.1 };
 * ```
 */
export interface RankingCriteria {
  /** Minimum `volume` (inclusive). */
  readonly minVolume?: number;
  /** Maximum `volatility` (inclusive). */
  readonly maxVolatility?: number;
  /** Minimum `|trendStrength|` (inclusive). */
  readonly minTrendStrength?: number;
}

/**
 * Options of {@link OpportunityRanker}.
 *
 * @example
 * ```ts
 * const options: OpportunityRankerOptions = { eventBus: bus, topN: 10, criteria: { minVolume: 1e6 } };
 * ```
 */
export interface OpportunityRankerOptions {
  /** Where `opportunities.updated` is published. */
  readonly eventBus: QtEventBus;
  /** How many symbols to publish: an integer >= 1. Default 5. */
  readonly topN?: number;
  /** Overrides of {@link defaultScoreWeights}. */
  readonly weights?: Partial<ScoreWeights>;
  /** Filters applied before scoring. Default none. */
  readonly criteria?: RankingCriteria;
  /** The events' `source`. Default `"opportunity-ranker"`. */
  readonly source?: string;
  /** The events' timestamp. Default `() => new Date()`. */
  readonly clock?: () => Date;
}

const criteriaWireNames = {
  minVolume: "min_volume",
  maxVolatility: "max_volatility",
  minTrendStrength: "min_trend_strength",
} as const;

/**
 * Ranks symbols by a weighted score and publishes the top N as `opportunities.updated`, only
 * when the ranking changed since the last publish.
 *
 * @example
 * ```ts
 * const ranker = new OpportunityRanker({ eventBus: bus, topN: 2, criteria: { minVolume: 1e6 } });
 * const ranking = await ranker.rank([
 *   { symbol: "BTCUSDT", volume: 2e9, volatility: 0.03, trendStrength: 0.6 },
 *   { symbol: "ETHUSDT", volume: 9e8, volatility: 0.04, trendStrength: 0.4 },
 * ]);
 * ranking.top_symbols; // ["BTCUSDT", "ETHUSDT"]
 * ```
 */
export class OpportunityRanker {
  readonly #bus: QtEventBus;
  readonly #topN: number;
  readonly #weights: ScoreWeights;
  readonly #criteria: RankingCriteria;
  readonly #criteriaPayload: Record<string, number>;
  readonly #source: string;
  readonly #clock: () => Date;
  readonly #queue = new SerialQueue();
  #lastPublished: OpportunitiesUpdatedPayload | null = null;

  /** @throws {@link OpportunityRankerError} `INVALID_OPTIONS`, naming the option. */
  constructor(options: OpportunityRankerOptions) {
    const invalid = (field: string, expected: string, received: unknown) =>
      new OpportunityRankerError({ code: "INVALID_OPTIONS", field: `options.${field}`, expected, received });
    if (typeof options?.eventBus?.publish !== "function")
      throw invalid("eventBus", "an EventBus", options?.eventBus);
    const topN = options.topN ?? 5;
    if (!Number.isInteger(topN) || topN < 1) throw invalid("topN", "an integer >= 1", topN);
    const source = options.source ?? "opportunity-ranker";
    if (typeof source !== "string" || source === "") throw invalid("source", "a non-empty string", source);
    const criteria = options.criteria ?? {};
    if (typeof criteria !== "object" || criteria === null) throw invalid("criteria", "an object", criteria);
    const criteriaPayload: Record<string, number> = {};
    for (const [key, value] of Object.entries(criteria)) {
      if (!(key in criteriaWireNames)) {
        throw invalid(`criteria.${key}`, `one of ${Object.keys(criteriaWireNames).join(", ")}`, key);
      }
      if (value === undefined) continue;
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw invalid(`criteria.${key}`, "a finite number >= 0", value);
      }
      criteriaPayload[criteriaWireNames[key as keyof RankingCriteria]] = value;
    }
    this.#weights = resolveWeights(options.weights);
    this.#bus = options.eventBus;
    this.#topN = topN;
    this.#criteria = { ...criteria };
    this.#criteriaPayload = criteriaPayload;
    this.#source = source;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Excludes the candidates that fail the criteria, scores the rest, and takes the top N by score
   * (descending; equal scores by symbol, ascending). Publishes `opportunities.updated` when
   * `top_symbols` or their scores differ from the last published ranking (the first call always
   * publishes); a change of `excluded_count` alone is not a new ranking. Returns the ranking,
   * published or not. Calls are applied one at a time in call order.
   *
   * @throws {@link OpportunityRankerError} `INVALID_CANDIDATE` (naming e.g. `candidates[2].volume`)
   *   or `DUPLICATE_SYMBOL`; or the bus's error if it refuses the event. Either way nothing changed.
   *
   * @example
   * ```ts
   * const { top_symbols, scores, excluded_count } = await ranker.rank(await market.snapshot());
   * ```
   */
  rank(candidates: readonly Candidate[]): Promise<OpportunitiesUpdatedPayload> {
    let ranking: OpportunitiesUpdatedPayload;
    try {
      validateCandidates(candidates);
      ranking = this.#rankNow(candidates);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.run(async () => {
      if (this.#lastPublished !== null && sameRanking(this.#lastPublished, ranking)) return ranking;
      await this.#bus.publish(
        OpportunitiesUpdatedEvent.create(ranking, { source: this.#source, timestamp: this.#clock() }),
      );
      // A copy: a caller that changes the ranking it got back must not change what the next
      // call compares against.
      this.#lastPublished = deepFreeze(structuredClone(ranking));
      return ranking;
    });
  }

  /**
   * The last ranking published, or `null` before the first.
   *
   * @example
   * ```ts
   * const universe = ranker.lastPublished?.top_symbols ?? [];
   * ```
   */
  get lastPublished(): OpportunitiesUpdatedPayload | null {
    return this.#lastPublished;
  }

  #rankNow(candidates: readonly Candidate[]): OpportunitiesUpdatedPayload {
    const { minVolume, maxVolatility, minTrendStrength } = this.#criteria;
    const eligible = candidates.filter(
      (c) =>
        (minVolume === undefined || c.volume >= minVolume) &&
        (maxVolatility === undefined || c.volatility <= maxVolatility) &&
        (minTrendStrength === undefined || Math.abs(c.trendStrength) >= minTrendStrength),
    );
    const scores = scoreCandidates(eligible, this.#weights);
    const top = [...scores]
      .sort(([a, sa], [b, sb]) => sb - sa || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, this.#topN);
    return {
      top_symbols: top.map(([symbol]) => symbol),
      scores: Object.fromEntries(top),
      criteria: { ...this.#criteriaPayload },
      excluded_count: candidates.length - eligible.length,
    };
  }
}

function sameRanking(a: OpportunitiesUpdatedPayload, b: OpportunitiesUpdatedPayload): boolean {
  return (
    a.top_symbols.length === b.top_symbols.length &&
    a.top_symbols.every((symbol, i) => symbol === b.top_symbols[i] && a.scores[symbol] === b.scores[symbol])
  );
}

function validateCandidates(candidates: readonly Candidate[]): void {
  if (!Array.isArray(candidates)) {
    throw new OpportunityRankerError({
      code: "INVALID_CANDIDATE",
      field: "candidates",
      expected: "an array",
      received: candidates,
    });
  }
  const seen = new Set<string>();
  candidates.forEach((candidate: Candidate | null | undefined, i) => {
    const symbol = typeof candidate?.symbol === "string" ? candidate.symbol : undefined;
    const bad = (field: string, expected: string, received: unknown) =>
      new OpportunityRankerError({
        code: "INVALID_CANDIDATE",
        field: `candidates[${i}]${field}`,
        expected,
        received,
        symbol,
      });
    if (typeof candidate !== "object" || candidate === null) throw bad("", "an object", candidate);
    if (symbol === undefined || symbol.trim() === "")
      throw bad(".symbol", "a non-empty string", candidate.symbol);
    if (seen.has(symbol)) {
      throw new OpportunityRankerError({
        code: "DUPLICATE_SYMBOL",
        field: `candidates[${i}].symbol`,
        expected: "a symbol not already in the list",
        received: symbol,
        symbol,
      });
    }
    seen.add(symbol);
    for (const metric of ["volume", "volatility", "trendStrength"] as const) {
      const value = candidate[metric];
      const nonNegative = metric !== "trendStrength";
      if (typeof value !== "number" || !Number.isFinite(value) || (nonNegative && value < 0)) {
        throw bad(`.${metric}`, nonNegative ? "a finite number >= 0" : "a finite number", value);
      }
    }
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
