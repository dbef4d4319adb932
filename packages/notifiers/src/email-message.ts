import type { Alert } from "./alert.js";
import { severityColors } from "./severity.js";
import { oneLine, suppressedNote, truncate } from "./text.js";

/**
 * An email's subject and its two parts.
 *
 * @example
 * ```ts
 * const { subject, text, html } = toEmailMessage(alert);
 * ```
 */
export interface EmailMessage {
  /** `[QT][SEVERITY] title` on one line, at most 200 characters. */
  readonly subject: string;
  /** The plain-text part. */
  readonly text: string;
  /** The HTML part: a full document, every event value escaped. */
  readonly html: string;
}

/**
 * Escapes text for HTML (`&`, `<`, `>`, `"`, `'`): every value from an event goes through it.
 *
 * @example
 * ```ts
 * escapeHtml(`<b onclick="x">`); // "&lt;b onclick=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Formats an alert as an email: subject `[QT][CRITICAL] title` (one line, at most 200
 * characters), a plain-text part and an HTML part (every event value escaped) with the summary,
 * the payload fields, the suppressed count and the event's type, id, correlation id and time.
 *
 * @example
 * ```ts
 * toEmailMessage(alert).subject; // "[QT][CRITICAL] DrawdownGuard is CRITICAL"
 * ```
 */
export function toEmailMessage(alert: Alert): EmailMessage {
  const { event } = alert;
  const severity = alert.severity.toUpperCase();
  const subject = truncate(oneLine(`[QT][${severity}] ${alert.title}`), 200);
  const note = suppressedNote(alert.suppressed);
  const meta = [
    ["Event", event.type],
    ["Event id", event.id],
    ["Correlation id", event.correlationId],
    ["Time", event.timestamp.toISOString()],
  ] as const;

  const text = [
    `${severity}: ${alert.title}`,
    ...(alert.summary === "" ? [] : [alert.summary]),
    "",
    ...alert.fields.map((f) => `${f.name}: ${f.value.replace(/\n/g, "\n  ")}`),
    ...(note === "" ? [] : ["", note]),
    "",
    ...meta.map(([name, value]) => `${name}: ${value}`),
    "",
  ].join("\n");

  const colour = `#${severityColors[alert.severity].toString(16).padStart(6, "0")}`;
  const cell = (value: string) => escapeHtml(value).replace(/\n/g, "<br>");
  const rows = alert.fields
    .map(
      (f) =>
        `<tr><th align="left" valign="top" style="padding:2px 12px 2px 0">${cell(f.name)}</th><td style="padding:2px 0">${cell(f.value)}</td></tr>`,
    )
    .join("\n");
  const html = [
    "<!doctype html>",
    '<html><body style="font-family:sans-serif;font-size:14px">',
    `<div style="border-left:6px solid ${colour};padding:4px 12px">`,
    `<h2 style="margin:4px 0">${escapeHtml(severity)}: ${cell(alert.title)}</h2>`,
    ...(alert.summary === "" ? [] : [`<p>${cell(alert.summary)}</p>`]),
    `<table style="border-collapse:collapse">\n${rows}\n</table>`,
    ...(note === "" ? [] : [`<p><em>${escapeHtml(note)}</em></p>`]),
    `<p style="color:#888;font-size:12px">${meta.map(([name, value]) => `${name}: ${cell(value)}`).join("<br>")}</p>`,
    "</div>",
    "</body></html>",
    "",
  ].join("\n");
  return { subject, text, html };
}
