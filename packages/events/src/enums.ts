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
  AGGRESSIVE: "AGGRESSIVE",
  NORMAL: "NORMAL",
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
  HEALTHY: "HEALTHY",
  DEGRADED: "DEGRADED",
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
  BACKTEST: "BACKTEST",
  SHADOW: "SHADOW",
  LIVE: "LIVE",
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
export const TradeSide = Object.freeze({ BUY: "BUY", SELL: "SELL" } as const);
/** The zod schema of {@link TradeSide}: `TradeSideSchema.parse("BUY")`. */
export const TradeSideSchema = z.enum(TradeSide);
/** One of `"BUY" | "SELL"`. */
export type TradeSide = z.infer<typeof TradeSideSchema>;
