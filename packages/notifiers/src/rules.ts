import type { EventOf } from "@qt/eventbus";
import type { QtEventMap, QtEventType } from "@qt/events";
import type { Severity } from "./severity.js";
import type { StormKey } from "./storm-key.js";

/**
 * One kind of alert, as data: which event type it watches, when it fires, how loud it is and how
 * it is titled. Notifiers hold a list of rules; for each event the first rule of its type whose
 * `when` accepts it makes the alert (or none does, and nothing is sent).
 *
 * `when`, `title` and `summary` receive the previous event of the same type this notifier saw
 * (`undefined` for the first), so a rule can fire on a change (e.g. of risk mode) without keeping
 * state itself. Every function should be pure and quick: it runs inside the bus's delivery.
 *
 * @typeParam K - the event type watched; the event parameters are typed from it.
 *
 * @example
 * ```ts
 * const rule: AlertRule<"trade.executed"> = {
 *   name: "big-loss",
 *   type: "trade.executed",
 *   when: (e) => (e.payload.pnl ?? 0) <= -5_000,
 *   severity: "critical",
 *   title: (e) => `Loss of ${e.payload.pnl} on ${e.payload.symbol}`,
 * };
 * ```
 */
export interface AlertRule<K extends QtEventType = QtEventType> {
  /** For logs; defaults to the event type. */
  readonly name?: string;
  /** The event type watched. */
  readonly type: K;
  /** Fires only when this returns true; always fires when left out. */
  readonly when?: (event: EventOf<QtEventMap, K>, previous: EventOf<QtEventMap, K> | undefined) => boolean;
  /** A fixed severity, or one computed from the event. */
  readonly severity: Severity | ((event: EventOf<QtEventMap, K>) => Severity);
  /** The alert's title (email subject, embed title); defaults to the event type. */
  readonly title?:
    | string
    | ((event: EventOf<QtEventMap, K>, previous: EventOf<QtEventMap, K> | undefined) => string);
  /** One line under the title; defaults to none. */
  readonly summary?:
    | string
    | ((event: EventOf<QtEventMap, K>, previous: EventOf<QtEventMap, K> | undefined) => string);
  /** What counts as "the same alert" for storm suppression; defaults to {@link defaultStormKey}. */
  readonly stormKey?: (event: EventOf<QtEventMap, K>) => StormKey;
}

/**
 * A rule of any event type: what a list of rules holds. Each member keeps its own event typing.
 *
 * @example
 * ```ts
 * const rules: AnyAlertRule[] = [...defaultRules(), { type: "opportunities.updated", severity: "info" }];
 * ```
 */
export type AnyAlertRule = { [K in QtEventType]: AlertRule<K> }[QtEventType];

/**
 * Returns the rule as given, with its event parameters typed from `type`: a convenience for rules
 * declared apart from a list.
 *
 * @example
 * ```ts
 * const modelRollback = defineRule({
 *   type: "model.promoted",
 *   when: (e) => e.payload.old_version !== null && e.payload.new_version < e.payload.old_version,
 *   severity: "warning",
 * });
 * ```
 */
export function defineRule<K extends QtEventType>(rule: AlertRule<K>): AlertRule<K> {
  return rule;
}

/**
 * Options of {@link defaultRules}.
 *
 * @example
 * ```ts
 * const options: DefaultRulesOptions = { pnlThreshold: 2_500 };
 * ```
 */
export interface DefaultRulesOptions {
  /** A closing trade alerts when `|pnl|` is at least this. Default 1,000. */
  readonly pnlThreshold?: number;
}

const money = (value: number) =>
  value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * The alerts the seed documents ask for, in this order:
 *
 * | name | event | fires when | severity |
 * |---|---|---|---|
 * | `health-critical` | `health.status_changed` | `new_status` is CRITICAL | critical |
 * | `health-degraded` | `health.status_changed` | `new_status` is DEGRADED | warning |
 * | `health-recovered` | `health.status_changed` | back to HEALTHY from another status | recovery |
 * | `large-pnl` | `trade.executed` | `pnl` is set and `\|pnl\| >= pnlThreshold` | warning for a loss, info for a profit |
 * | `strategy-promoted` | `strategy.promoted` | always | warning when RETIRED, else info |
 * | `model-promoted` | `model.promoted` | always | info |
 * | `risk-mode-changed` | `policy.updated` | `risk_mode` differs from the previous policy seen | warning into DEFENSIVE, else info |
 *
 * The first policy a notifier sees is not a change and does not alert.
 *
 * @throws RangeError when `pnlThreshold` is not a finite number >= 0.
 *
 * @example
 * ```ts
 * new DiscordNotifier({ eventBus, webhookUrl, rules: defaultRules({ pnlThreshold: 2_500 }) });
 * ```
 */
export function defaultRules(options: DefaultRulesOptions = {}): AnyAlertRule[] {
  const threshold = options.pnlThreshold ?? 1_000;
  if (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold < 0) {
    throw new RangeError(`pnlThreshold must be a finite number >= 0, got ${String(threshold)}`);
  }
  return [
    defineRule({
      name: "health-critical",
      type: "health.status_changed",
      when: (e) => e.payload.new_status === "CRITICAL",
      severity: "critical",
      title: (e) => `${e.payload.component} is CRITICAL`,
      summary: (e) => e.payload.reason,
    }),
    defineRule({
      name: "health-degraded",
      type: "health.status_changed",
      when: (e) => e.payload.new_status === "DEGRADED",
      severity: "warning",
      title: (e) => `${e.payload.component} is DEGRADED`,
      summary: (e) => e.payload.reason,
    }),
    defineRule({
      name: "health-recovered",
      type: "health.status_changed",
      when: (e) => e.payload.new_status === "HEALTHY" && e.payload.old_status !== "HEALTHY",
      severity: "recovery",
      title: (e) => `${e.payload.component} recovered (HEALTHY)`,
      summary: (e) => `Was ${e.payload.old_status}: ${e.payload.reason}`,
    }),
    defineRule({
      name: "large-pnl",
      type: "trade.executed",
      when: (e) => e.payload.pnl !== null && Math.abs(e.payload.pnl) >= threshold,
      severity: (e) => ((e.payload.pnl ?? 0) < 0 ? "warning" : "info"),
      title: (e) => {
        const pnl = e.payload.pnl ?? 0;
        return `${pnl < 0 ? "Large loss" : "Large profit"} on ${e.payload.symbol}: ${money(pnl)}`;
      },
      summary: (e) =>
        `${e.payload.side} ${e.payload.size} ${e.payload.symbol} at ${e.payload.price} (strategy ${e.payload.strategy_id})`,
    }),
    defineRule({
      name: "strategy-promoted",
      type: "strategy.promoted",
      severity: (e) => (e.payload.to_stage === "RETIRED" ? "warning" : "info"),
      title: (e) => `Strategy ${e.payload.strategy_id}: ${e.payload.from_stage} → ${e.payload.to_stage}`,
      summary: (e) => e.payload.reason,
    }),
    defineRule({
      name: "model-promoted",
      type: "model.promoted",
      severity: "info",
      title: (e) => `Model ${e.payload.model_name} promoted to ${e.payload.new_version}`,
      summary: (e) =>
        e.payload.old_version === null ? "First version" : `Replaces ${e.payload.old_version}`,
    }),
    defineRule({
      name: "risk-mode-changed",
      type: "policy.updated",
      when: (e, previous) => previous !== undefined && previous.payload.risk_mode !== e.payload.risk_mode,
      severity: (e) => (e.payload.risk_mode === "DEFENSIVE" ? "warning" : "info"),
      title: (e, previous) => `Risk mode ${previous?.payload.risk_mode ?? "?"} → ${e.payload.risk_mode}`,
      summary: (e) => `Updated by ${e.payload.updated_by}`,
    }),
  ];
}
