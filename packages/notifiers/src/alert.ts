import type { QtEvent } from "@qt/events";
import type { AnyAlertRule } from "./rules.js";
import { SEVERITIES, type Severity } from "./severity.js";
import { defaultStormKey, type StormKey } from "./storm-key.js";

/**
 * One name/value line of an alert: a payload field, its value as text.
 *
 * @example
 * ```ts
 * const field: AlertField = { name: "metrics", value: "dd: -5.2" };
 * ```
 */
export interface AlertField {
  /** The payload key, e.g. `component`; `payload` when the payload is not an object. */
  readonly name: string;
  /** The value as text: `none` for null, undefined or an empty array or object, `(empty)` for an empty string, nested objects as `key: value` lines. */
  readonly value: string;
}

/**
 * What a rule made of an event: channel-neutral, formatted by each channel (a Discord embed, an
 * email). Plain data.
 *
 * @example
 * ```ts
 * const alert: Alert = createAlert(rule, event, undefined, 0);
 * console.log(`[${alert.severity}] ${alert.title}`);
 * ```
 */
export interface Alert {
  /** The rule that fired. */
  readonly rule: string;
  /** How loud it is, from the rule (one of {@link SEVERITIES}); sets the colour and subject tag. */
  readonly severity: Severity;
  /** The headline, from the rule; the event's `type` when the rule gives none. Untruncated. */
  readonly title: string;
  /** One line under the title; may be empty. */
  readonly summary: string;
  /** The event's payload, field by field, values as text (untruncated: each channel applies its limits). */
  readonly fields: readonly AlertField[];
  /** The event that fired the rule. */
  readonly event: QtEvent;
  /** What makes alerts "the same" for storm suppression. */
  readonly stormKey: StormKey;
  /** How many similar alerts were suppressed since the last one of this subject was sent. */
  readonly suppressed: number;
}

type ErasedFn<R> = (event: QtEvent, previous: QtEvent | undefined) => R;

/** @internal A rule with its event typing erased: rules are matched to events by `type` at run time. */
export interface ErasedRule {
  readonly name?: string;
  readonly type: string;
  readonly when?: ErasedFn<boolean>;
  readonly severity: Severity | ErasedFn<Severity>;
  readonly title?: string | ErasedFn<string>;
  readonly summary?: string | ErasedFn<string>;
  readonly stormKey?: ErasedFn<StormKey>;
}

/** @internal The name a rule is known by in logs. */
export function ruleName(rule: AnyAlertRule | ErasedRule): string {
  return rule.name ?? rule.type;
}

/**
 * Makes the alert of `rule` for `event`: runs the rule's severity, title, summary and storm key
 * functions (they may throw: the caller guards), and lists the payload's fields.
 *
 * @example
 * ```ts
 * const [critical] = defaultRules();
 * createAlert(critical, healthEvent, undefined, 0).title; // "DrawdownGuard is CRITICAL"
 * ```
 */
export function createAlert(
  rule: AnyAlertRule,
  event: QtEvent,
  previous: QtEvent | undefined,
  suppressed: number,
): Alert {
  const r = rule as unknown as ErasedRule;
  const text = (value: string | ErasedFn<string> | undefined, fallback: string) =>
    value === undefined ? fallback : String(typeof value === "function" ? value(event, previous) : value);
  const severity = typeof r.severity === "function" ? r.severity(event, previous) : r.severity;
  if (!(SEVERITIES as readonly string[]).includes(severity)) {
    throw new TypeError(`rule "${ruleName(r)}" gave an unknown severity (${typeof severity})`);
  }
  return {
    rule: ruleName(r),
    severity,
    title: text(r.title, event.type),
    summary: text(r.summary, ""),
    fields: payloadFields(event.payload),
    event,
    stormKey: r.stormKey === undefined ? defaultStormKey(event) : r.stormKey(event, previous),
    suppressed,
  };
}

/**
 * Lists a payload's top-level fields as text: numbers and strings as they are, `null` as `none`,
 * arrays comma-separated, nested objects as `key: value` lines, dates in ISO 8601.
 *
 * @example
 * ```ts
 * payloadFields({ component: "Feed", metrics: { lag_ms: 900 }, tags: [] });
 * // [{ name: "component", value: "Feed" }, { name: "metrics", value: "lag_ms: 900" }, { name: "tags", value: "none" }]
 * ```
 */
export function payloadFields(payload: unknown): AlertField[] {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return [{ name: "payload", value: formatValue(payload) }];
  }
  return Object.entries(payload).map(([name, value]) => ({ name, value: formatValue(value) }));
}

function formatValue(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return "none";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    return value.length === 0 ? "none" : value.map((item) => formatValue(item, depth + 1)).join(", ");
  }
  if (typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "none";
    if (depth > 2) return JSON.stringify(value);
    return entries.map(([key, item]) => `${key}: ${formatValue(item, depth + 1)}`).join("\n");
  }
  const text = String(value);
  return text === "" ? "(empty)" : text;
}
