import { TradeSideSchema, toValidationIssues } from "@qt/events";
import { z } from "zod";
import { SignalValidationError } from "./errors.js";
import { RiskInputSchema } from "./risk-guard.js";

/**
 * The zod schema of a trading signal, the single source of truth of {@link Signal}. Strict: an
 * unknown key (a typo such as `confidance`) is refused. Field names follow the events' snake_case,
 * so a signal maps onto `trade.executed` without renaming.
 *
 * @example
 * ```ts
 * SignalSchema.safeParse({ symbol: "BTCUSDT", side: "BUY", confidence: 0.8, strategy_id: "trend", size: 0.5 }).success; // true
 * ```
 */
export const SignalSchema = z.strictObject({
  /** The instrument, e.g. `BTCUSDT`. */
  symbol: z.string().min(1),
  /** `BUY` or `SELL`. */
  side: TradeSideSchema,
  /** The model's confidence, in [0, 1] (NaN and ±Infinity are refused). */
  confidence: z.number().min(0).max(1),
  /** The strategy that produced the signal. */
  strategy_id: z.string().min(1),
  /** The model behind it; defaults to `null`. */
  model: z.string().min(1).nullable().default(null),
  /** The proposed size, in units of the instrument (> 0). */
  size: z.number().positive(),
  /** Equity and prices for the risk guard; without them the risk check is not run. */
  risk: RiskInputSchema.optional(),
});

/**
 * A validated signal, as the orchestrator evaluates it (`model` filled in).
 *
 * @example
 * ```ts
 * const signal: Signal = parseSignal({ symbol: "ETHUSDT", side: "SELL", confidence: 0.7, strategy_id: "mean-rev", size: 2 });
 * signal.model; // null
 * ```
 */
export type Signal = z.output<typeof SignalSchema>;

/**
 * What callers pass: a {@link Signal} whose `model` may be left out.
 *
 * @example
 * ```ts
 * const input: SignalInput = {
 *   symbol: "BTCUSDT", side: "BUY", confidence: 0.82, strategy_id: "trend", size: 0.5,
 *   risk: { equity: 50_000, entry_price: 64_000, stop_price: 62_500 },
 * };
 * ```
 */
export type SignalInput = z.input<typeof SignalSchema>;

/**
 * Validates a signal and fills in its defaults. Does not look at any policy: that is
 * `Orchestrator.evaluateSignal`'s job.
 *
 * @throws {@link SignalValidationError} naming every bad field (`confidence`, `risk.stop_price`...).
 *
 * @example
 * ```ts
 * parseSignal({ symbol: "", side: "HOLD", confidence: Number.NaN, strategy_id: "s", size: 0 });
 * // throws SignalValidationError with issues at symbol, side, confidence and size
 * ```
 */
export function parseSignal(input: unknown): Signal {
  const result = SignalSchema.safeParse(input);
  if (!result.success) throw new SignalValidationError(toValidationIssues(result.error.issues, input, ""));
  return result.data;
}
