/**
 * How loud an alert is. `recovery` is the all-clear after a problem (e.g. back to HEALTHY): it
 * gets its own colour and subject tag rather than passing for routine `info`.
 *
 * @example
 * ```ts
 * const severity: Severity = payload.new_status === "CRITICAL" ? "critical" : "warning";
 * ```
 */
export type Severity = (typeof SEVERITIES)[number];

/**
 * Every severity, loudest first.
 *
 * @example
 * ```ts
 * (SEVERITIES as readonly string[]).includes(value); // check a configured value
 * ```
 */
export const SEVERITIES = Object.freeze(["critical", "warning", "info", "recovery"] as const);

/**
 * The embed colour of each severity (Discord takes a 24-bit RGB integer): critical red, warning
 * orange, info blue, recovery green. Email uses the same colours.
 *
 * @example
 * ```ts
 * severityColors.critical.toString(16); // "e74c3c"
 * ```
 */
export const severityColors: Readonly<Record<Severity, number>> = Object.freeze({
  critical: 0xe74c3c,
  warning: 0xe67e22,
  info: 0x3498db,
  recovery: 0x2ecc71,
});
