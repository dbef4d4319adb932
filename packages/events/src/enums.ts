import { z } from "zod";

/**
 * How much risk the system takes, set by MSC AI and carried by `policy.updated`.
 *
 * @example
 * ```ts
 * if (event.payload.risk_mode === RiskMode.DEFENSIVE) reduceExposure();
 * ```
 */
export const RiskMode = Object.freeze({
  /** The most risk, e.g. in a trending market. */
  AGGRESSIVE: "AGGRESSIVE",
  /** The everyday mode, e.g. in a ranging market. */
  NORMAL: "NORMAL",
  /** The least risk: in a volatile market, and forced by MSC AI while any component is CRITICAL. */
  DEFENSIVE: "DEFENSIVE",
} as const);
/** The zod schema of {@link RiskMode}: `RiskModeSchema.parse("NORMAL")`. */
export const RiskModeSchema = z.enum(RiskMode);
/** One of `"AGGRESSIVE" | "NORMAL" | "DEFENSIVE"`. */
export type RiskMode = z.infer<typeof RiskModeSchema>;

/**
 * The health of a component, carried by `health.status_changed`.
 *
 * @example
 * ```ts
 * if (event.payload.new_status === HealthStatus.CRITICAL) await pageOnCall(event.payload);
 * ```
 */
export const HealthStatus = Object.freeze({
  /** Every reported metric below its degraded level. */
  HEALTHY: "HEALTHY",
  /** A metric at or above its degraded level: a warning; it neither halts nor resumes trading. */
  DEGRADED: "DEGRADED",
  /** A metric at or above its critical level: trading halts until this component reports HEALTHY. */
  CRITICAL: "CRITICAL",
} as const);
/** The zod schema of {@link HealthStatus}: `HealthStatusSchema.parse("HEALTHY")`. */
export const HealthStatusSchema = z.enum(HealthStatus);
/** One of `"HEALTHY" | "DEGRADED" | "CRITICAL"`. */
export type HealthStatus = z.infer<typeof HealthStatusSchema>;

/**
 * The stages a strategy moves through, carried by `strategy.promoted`.
 *
 * @example
 * ```ts
 * StrategyPromotedEvent.create({ strategy_id: "s-1", from_stage: StrategyLifecycle.SHADOW, to_stage: StrategyLifecycle.LIVE, reason: "beat baseline", metrics: {} });
 * ```
 */
export const StrategyLifecycle = Object.freeze({
  /** Evaluated on historical data only; where a new strategy starts. */
  BACKTEST: "BACKTEST",
  /** Follows the live market without trading; also where a LIVE strategy that breaches its floor goes. */
  SHADOW: "SHADOW",
  /** Trades: the only stage the orchestrator approves signals for. */
  LIVE: "LIVE",
  /** Withdrawn for good: a final stage. */
  RETIRED: "RETIRED",
} as const);
/** The zod schema of {@link StrategyLifecycle}: `StrategyLifecycleSchema.parse("LIVE")`. */
export const StrategyLifecycleSchema = z.enum(StrategyLifecycle);
/** One of `"BACKTEST" | "SHADOW" | "LIVE" | "RETIRED"`. */
export type StrategyLifecycle = z.infer<typeof StrategyLifecycleSchema>;

/**
 * The side of an executed order, carried by `trade.executed`.
 *
 * @example
 * ```ts
 * const signed = event.payload.side === TradeSide.BUY ? event.payload.size : -event.payload.size;
 * ```
 */
export const TradeSide = Object.freeze({
  /** Adds to the net position: opens or grows a long, reduces or flips a short. */
  BUY: "BUY",
  /** Subtracts from the net position: opens or grows a short, reduces or flips a long. */
  SELL: "SELL",
} as const);
/** The zod schema of {@link TradeSide}: `TradeSideSchema.parse("BUY")`. */
export const TradeSideSchema = z.enum(TradeSide);
/** One of `"BUY" | "SELL"`. */
export type TradeSide = z.infer<typeof TradeSideSchema>;
