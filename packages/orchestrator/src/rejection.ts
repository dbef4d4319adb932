import type { StrategyLifecycle } from "@qt/events";
import type { Signal } from "./signal.js";

/**
 * Why a signal was rejected: a union discriminated by `code`, each with the data behind the
 * decision. `evaluateSignal` reports every reason that applies, in the order listed here.
 *
 * - `NO_POLICY`: no `policy.updated` yet (the orchestrator, risk guard or balancer has none); the
 *   checks that need a policy (confidence, allowed strategies, positions, risk) are not run.
 * - `TRADING_HALTED`: the safety governor has components in CRITICAL.
 * - `BELOW_MIN_CONFIDENCE`: `confidence < minimum` (the policy's `global_min_confidence`).
 * - `STRATEGY_NOT_ALLOWED`: the strategy is not in the policy's `allowed_strategies`.
 * - `STRATEGY_NOT_LIVE`: the strategy's last `strategy.promoted` stage is not LIVE (`lifecycle`
 *   is `null` when no `strategy.promoted` was ever seen for it).
 * - `SYMBOL_NOT_IN_TOP`: the symbol is not in the last `opportunities.updated` top list (empty
 *   before the first one).
 * - `MAX_POSITIONS_REACHED`: the signal would open a new position and `open >= maximum`.
 * - `RISK_TOO_HIGH`: `size` risks more than `maximum` of equity; `max_size` is the size that would pass.
 *
 * @example
 * ```ts
 * for (const reason of decision.reasons) {
 *   if (reason.code === "BELOW_MIN_CONFIDENCE") console.log(reason.confidence, "<", reason.minimum);
 * }
 * ```
 */
export type RejectionReason =
  | {
      /** No policy yet: the checks that need one were skipped. */
      readonly code: "NO_POLICY";
    }
  | {
      /** The safety governor halts trading. */
      readonly code: "TRADING_HALTED";
      /** The components currently CRITICAL, in the order they went CRITICAL. */
      readonly components: readonly string[];
    }
  | {
      /** The signal's confidence is under the policy's minimum. */
      readonly code: "BELOW_MIN_CONFIDENCE";
      /** The signal's confidence, in [0, 1]. */
      readonly confidence: number;
      /** The policy's `global_min_confidence`. */
      readonly minimum: number;
    }
  | {
      /** The policy does not allow the strategy. */
      readonly code: "STRATEGY_NOT_ALLOWED";
      /** The signal's strategy. */
      readonly strategy_id: string;
      /** The policy's `allowed_strategies`. */
      readonly allowed: readonly string[];
    }
  | {
      /** The strategy is not in the LIVE stage. */
      readonly code: "STRATEGY_NOT_LIVE";
      /** The signal's strategy. */
      readonly strategy_id: string;
      /** Its stage from its latest `strategy.promoted`; `null` when none was seen. */
      readonly lifecycle: StrategyLifecycle | null;
    }
  | {
      /** The symbol is not among the top opportunities. */
      readonly code: "SYMBOL_NOT_IN_TOP";
      /** The signal's symbol. */
      readonly symbol: string;
      /** The latest `opportunities.updated` top list; empty before the first. */
      readonly top_symbols: readonly string[];
    }
  | {
      /** Opening the symbol would exceed the policy's `max_positions`. */
      readonly code: "MAX_POSITIONS_REACHED";
      /** The signal's symbol, which has no open position. */
      readonly symbol: string;
      /** How many symbols have an open position now. */
      readonly open: number;
      /** The policy's `max_positions`. */
      readonly maximum: number;
    }
  | {
      /** The loss at the stop would exceed the policy's `max_risk_per_trade`. */
      readonly code: "RISK_TOO_HIGH";
      /** The signal's risk: `size * |entry_price - stop_price| / equity`. */
      readonly risk: number;
      /** The policy's `max_risk_per_trade`, a fraction of equity. */
      readonly maximum: number;
      /** The signal's size, in units of the instrument. */
      readonly size: number;
      /** The largest size within `maximum`: reduce to it instead of dropping the signal. */
      readonly max_size: number;
    };

/**
 * The code of a {@link RejectionReason}, e.g. `"RISK_TOO_HIGH"`.
 *
 * @example
 * ```ts
 * const codes: RejectionCode[] = decision.approved ? [] : decision.reasons.map((r) => r.code);
 * ```
 */
export type RejectionCode = RejectionReason["code"];

/**
 * The signal passed every check.
 *
 * @example
 * ```ts
 * if (decision.approved) await executor.submit(decision.signal);
 * ```
 */
export interface Approval {
  /** Always `true`: the discriminant of {@link SignalDecision}. */
  readonly approved: true;
  /** The validated signal (defaults filled in). */
  readonly signal: Signal;
}

/**
 * The signal failed at least one check; `reasons` lists every one that failed (never empty).
 *
 * @example
 * ```ts
 * if (!decision.approved) log.info({ codes: decision.reasons.map((r) => r.code) }, "signal rejected");
 * ```
 */
export interface Rejection {
  /** Always `false`: the discriminant of {@link SignalDecision}. */
  readonly approved: false;
  /** The validated signal (defaults filled in). */
  readonly signal: Signal;
  /** Every failed check, in the order of {@link RejectionReason}. */
  readonly reasons: readonly [RejectionReason, ...RejectionReason[]];
}

/**
 * What `Orchestrator.evaluateSignal` returns: discriminated by `approved`.
 *
 * @example
 * ```ts
 * const decision: SignalDecision = orchestrator.evaluateSignal(signal);
 * const why = decision.approved ? "ok" : decision.reasons.map(describeReason).join("; ");
 * ```
 */
export type SignalDecision = Approval | Rejection;

/**
 * A one-line, human-readable description of a reason, for logs and notifications.
 *
 * @example
 * ```ts
 * describeReason({ code: "BELOW_MIN_CONFIDENCE", confidence: 0.6, minimum: 0.8 });
 * // "confidence 0.6 is below the minimum 0.8"
 * ```
 */
export function describeReason(reason: RejectionReason): string {
  switch (reason.code) {
    case "NO_POLICY":
      return "no policy has been received yet";
    case "TRADING_HALTED":
      return `trading is halted: ${reason.components.join(", ")} CRITICAL`;
    case "BELOW_MIN_CONFIDENCE":
      return `confidence ${reason.confidence} is below the minimum ${reason.minimum}`;
    case "STRATEGY_NOT_ALLOWED":
      return `strategy ${reason.strategy_id} is not in the policy's allowed strategies`;
    case "STRATEGY_NOT_LIVE":
      return `strategy ${reason.strategy_id} is not LIVE (${reason.lifecycle ?? "lifecycle unknown"})`;
    case "SYMBOL_NOT_IN_TOP":
      return `symbol ${reason.symbol} is not among the top opportunities`;
    case "MAX_POSITIONS_REACHED":
      return `${reason.open} of ${reason.maximum} positions are open; ${reason.symbol} would open another`;
    case "RISK_TOO_HIGH":
      return `size ${reason.size} risks ${reason.risk} of equity, above ${reason.maximum} (max size ${reason.max_size})`;
  }
}
