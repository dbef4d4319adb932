/**
 * `@qt/opportunity-ranker`: scores symbols and publishes the top N as `opportunities.updated`.
 *
 * @packageDocumentation
 * @module @qt/opportunity-ranker
 */
export { OpportunityRankerError, type OpportunityRankerErrorCode } from "./errors.js";
export {
  OpportunityRanker,
  type OpportunityRankerOptions,
  type RankingCriteria,
} from "./opportunity-ranker.js";
export { type Candidate, defaultScoreWeights, type ScoreWeights } from "./scoring.js";
