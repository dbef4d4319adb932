import type { Alert } from "./alert.js";

/**
 * Shortens text to at most `max` characters, ending with `…` when cut (never splitting a
 * surrogate pair).
 *
 * @example
 * ```ts
 * truncate("Daily drawdown exceeded", 10); // "Daily dra…"
 * ```
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return "…".slice(0, max);
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

const LINK = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S+/gi;

/**
 * Replaces every URL (`scheme://...` or `www....`) with `[link removed]`: for the plain-text
 * fallback, which must carry no link.
 *
 * @example
 * ```ts
 * stripLinks("see https://example.com/x now"); // "see [link removed] now"
 * ```
 */
export function stripLinks(text: string): string {
  return text.replace(LINK, "[link removed]");
}

/**
 * The line that tells a reader how many similar alerts were suppressed before this one; empty
 * when none were.
 *
 * @example
 * ```ts
 * suppressedNote(3); // "3 similar alerts suppressed since the last message."
 * ```
 */
export function suppressedNote(count: number): string {
  if (count <= 0) return "";
  return `${count} similar alert${count === 1 ? "" : "s"} suppressed since the last message.`;
}

/**
 * The alert as one short plain-text message, with no link: `[CRITICAL] title: summary (note)`.
 *
 * @example
 * ```ts
 * plainText(alert); // "[CRITICAL] DrawdownGuard is CRITICAL: Daily drawdown exceeded"
 * ```
 */
export function plainText(alert: Alert): string {
  // Each part is stripped on its own, so a link's removal never swallows the punctuation after it.
  let text = `[${alert.severity.toUpperCase()}] ${stripLinks(alert.title)}`;
  if (alert.summary !== "") text += `: ${stripLinks(alert.summary)}`;
  const note = suppressedNote(alert.suppressed);
  if (note !== "") text += ` (${note})`;
  return text;
}

/**
 * Puts text on one line (CR, LF and tabs become spaces): for an email subject.
 *
 * @example
 * ```ts
 * oneLine("Feed\r\nBcc: x@evil.test"); // "Feed Bcc: x@evil.test" (no header injection)
 * ```
 */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, " ").trim();
}
