import type { QtEvent } from "@qt/events";

/**
 * What makes two alerts "the same" for storm suppression: the thing they are about (`subject`,
 * e.g. a component, a symbol, a strategy) and its state (`status`, e.g. `CRITICAL`). Repeats of
 * one subject in one status within the storm window are suppressed; a change of status is
 * always sent.
 *
 * @example
 * ```ts
 * const key: StormKey = { subject: "DrawdownGuard", status: "CRITICAL" };
 * ```
 */
export interface StormKey {
  /** What the alert is about, e.g. a component name or `BTCUSDT/momentum`; scoped by event type. */
  readonly subject: string;
  /** The subject's state, e.g. `CRITICAL`; a different status than last time is always sent. */
  readonly status: string;
}

/**
 * The storm key of an event when its rule does not give one: `health.status_changed` by component
 * and new status, `trade.executed` by symbol and strategy and whether it won or lost,
 * `strategy.promoted` by strategy and stage, `model.promoted` by model and version,
 * `policy.updated` by risk mode, `opportunities.updated` as one subject.
 *
 * @example
 * ```ts
 * defaultStormKey(HealthStatusChangedEvent.create({ ...payload, component: "Feed", new_status: "DEGRADED" }));
 * // { subject: "Feed", status: "DEGRADED" }
 * ```
 */
export function defaultStormKey(event: QtEvent): StormKey {
  switch (event.type) {
    case "health.status_changed":
      return { subject: event.payload.component, status: event.payload.new_status };
    case "trade.executed": {
      const { symbol, strategy_id, pnl } = event.payload;
      return {
        subject: `${symbol}/${strategy_id}`,
        status: pnl === null ? "open" : pnl < 0 ? "loss" : "profit",
      };
    }
    case "strategy.promoted":
      return { subject: event.payload.strategy_id, status: event.payload.to_stage };
    case "model.promoted":
      return { subject: event.payload.model_name, status: event.payload.new_version };
    case "policy.updated":
      return { subject: "policy", status: event.payload.risk_mode };
    case "opportunities.updated":
      return { subject: "opportunities", status: "updated" };
  }
}
