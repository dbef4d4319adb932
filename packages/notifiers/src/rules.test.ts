import type { QtEvent } from "@qt/events";
import { ModelPromotedEvent, StrategyPromotedEvent } from "@qt/events";
import { describe, expect, it } from "vitest";
import { createAlert, ruleName } from "./alert.js";
import { type AnyAlertRule, defaultRules, defineRule } from "./rules.js";
import { healthChanged, policy, trade } from "./testing/fixtures.js";

/** The first rule that fires, as the notifier picks it, and its alert. */
function fire(rules: readonly AnyAlertRule[], event: QtEvent, previous?: QtEvent) {
  const rule = rules.find((r) => {
    const when = (r as { when?: (e: QtEvent, p: QtEvent | undefined) => boolean }).when;
    return r.type === event.type && (when === undefined || when(event, previous));
  });
  if (rule === undefined) return undefined;
  const alert = createAlert(rule, event, previous, 0);
  return { rule: ruleName(rule), severity: alert.severity, title: alert.title, summary: alert.summary };
}

describe("defaultRules()", () => {
  const rules = defaultRules();

  it("alerts on health going CRITICAL, DEGRADED, and back to HEALTHY", () => {
    expect(fire(rules, healthChanged("CRITICAL"))).toEqual({
      rule: "health-critical",
      severity: "critical",
      title: "DrawdownGuard is CRITICAL",
      summary: "Daily drawdown exceeded",
    });
    expect(fire(rules, healthChanged("DEGRADED"))).toMatchObject({
      rule: "health-degraded",
      severity: "warning",
    });
    expect(fire(rules, healthChanged("HEALTHY", "Feed", "DEGRADED", "Lag back to normal"))).toEqual({
      rule: "health-recovered",
      severity: "recovery",
      title: "Feed recovered (HEALTHY)",
      summary: "Was DEGRADED: Lag back to normal",
    });
    expect(fire(rules, healthChanged("HEALTHY", "Feed", "HEALTHY"))).toBeUndefined();
  });

  it("alerts on a trade whose |pnl| reaches the threshold (default 1,000)", () => {
    expect(fire(rules, trade(999.99))).toBeUndefined();
    expect(fire(rules, trade(null))).toBeUndefined();
    expect(fire(rules, trade(1_000))).toMatchObject({
      rule: "large-pnl",
      severity: "info",
      title: "Large profit on BTCUSDT: 1,000.00",
      summary: "SELL 0.5 BTCUSDT at 64000 (strategy trend)",
    });
    expect(fire(rules, trade(-1_234.5))).toMatchObject({
      severity: "warning",
      title: "Large loss on BTCUSDT: -1,234.50",
    });
    const strict = defaultRules({ pnlThreshold: 5_000 });
    expect(fire(strict, trade(-4_999))).toBeUndefined();
    expect(fire(strict, trade(-5_000))).toMatchObject({ rule: "large-pnl" });
  });

  it("alerts on every strategy and model promotion", () => {
    const strategy = (to_stage: "LIVE" | "RETIRED") =>
      StrategyPromotedEvent.create({
        strategy_id: "trend",
        from_stage: "SHADOW",
        to_stage,
        reason: "Sharpe 1.8",
        metrics: {},
      });
    expect(fire(rules, strategy("LIVE"))).toEqual({
      rule: "strategy-promoted",
      severity: "info",
      title: "Strategy trend: SHADOW → LIVE",
      summary: "Sharpe 1.8",
    });
    expect(fire(rules, strategy("RETIRED"))?.severity).toBe("warning");
    const model = ModelPromotedEvent.create({
      model_name: "xgb",
      old_version: "v1",
      new_version: "v2",
      metrics: {},
    });
    expect(fire(rules, model)).toEqual({
      rule: "model-promoted",
      severity: "info",
      title: "Model xgb promoted to v2",
      summary: "Replaces v1",
    });
  });

  it("alerts on a risk-mode change from the previous policy, not on the first policy", () => {
    expect(fire(rules, policy("DEFENSIVE"))).toBeUndefined();
    expect(fire(rules, policy("NORMAL"), policy("NORMAL"))).toBeUndefined();
    expect(fire(rules, policy("DEFENSIVE"), policy("NORMAL"))).toEqual({
      rule: "risk-mode-changed",
      severity: "warning",
      title: "Risk mode NORMAL → DEFENSIVE",
      summary: "Updated by MSC_AI",
    });
    expect(fire(rules, policy("AGGRESSIVE"), policy("DEFENSIVE"))?.severity).toBe("info");
  });

  it("does not alert on opportunities.updated", () => {
    expect(rules.map((r) => r.type)).not.toContain("opportunities.updated");
  });

  it("refuses a threshold that is negative or not a finite number", () => {
    expect(() => defaultRules({ pnlThreshold: -1 })).toThrow(RangeError);
    expect(() => defaultRules({ pnlThreshold: Number.NaN })).toThrow(/finite number >= 0/);
  });
});

describe("defineRule()", () => {
  it("returns the rule as given, typed from its event type", () => {
    const rule = { type: "trade.executed", severity: "critical", when: () => true } as const;
    expect(defineRule(rule)).toBe(rule);
  });
});

describe("createAlert()", () => {
  it("uses the event type as title and the default storm key when the rule gives none", () => {
    const alert = createAlert(
      { type: "health.status_changed", severity: "info" },
      healthChanged("DEGRADED"),
      undefined,
      0,
    );
    expect(alert).toMatchObject({
      rule: "health.status_changed",
      title: "health.status_changed",
      summary: "",
      stormKey: { subject: "DrawdownGuard", status: "DEGRADED" },
    });
  });

  it("refuses a severity function that returns something else", () => {
    const rule = { type: "trade.executed", severity: () => "loud" } as unknown as AnyAlertRule;
    expect(() => createAlert(rule, trade(1), undefined, 0)).toThrow(/unknown severity/);
  });
});
