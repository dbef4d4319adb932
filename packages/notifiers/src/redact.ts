import type { Logger } from "@qt/eventbus";

/**
 * What a secret is replaced with.
 *
 * @example
 * ```ts
 * expect(logLine).not.toContain(token); // and it contains REDACTED instead
 * ```
 */
export const REDACTED = "[REDACTED]";

/**
 * A function that removes known secrets from text.
 *
 * @example
 * ```ts
 * const redact: Redactor = createRedactor(["s3cret"]);
 * redact("login s3cret failed"); // "login [REDACTED] failed"
 * ```
 */
export type Redactor = (text: string) => string;

/**
 * Builds a {@link Redactor} for the given secrets (webhook and bot tokens, SMTP passwords). Each
 * secret is also removed in its URL-encoded form, as it appears in a URL. Empty and missing
 * entries are ignored; longer secrets are replaced first, so a secret that contains another is
 * removed whole.
 *
 * @example
 * ```ts
 * const redact = createRedactor([webhookToken, smtpPassword]);
 * logger.error({ error: redact(error.message) }, "send failed");
 * ```
 */
export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret === "") continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const form of ordered) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    return out;
  };
}

/**
 * Applies a redactor to every string inside a value (objects and arrays are copied, other values
 * kept): for log fields.
 *
 * @example
 * ```ts
 * redactDeep({ error: "token abc", attempt: 2 }, createRedactor(["abc"])); // { error: "token [REDACTED]", attempt: 2 }
 * ```
 */
export function redactDeep(value: unknown, redact: Redactor, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  if (depth > 5 || typeof value !== "object" || value === null) return value;
  if (value instanceof Error) return redact(value.message);
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, redact, depth + 1);
  return out;
}

/**
 * Wraps a logger so that every message and field it receives is redacted first: the last line
 * of defence, behind redacting each error where it is made.
 *
 * @example
 * ```ts
 * const logger = redactingLogger(consoleLogger(), createRedactor([token]));
 * logger.warn({ error: `401 for ${token}` }, "send failed"); // the token never reaches stderr
 * ```
 */
export function redactingLogger(logger: Logger, redact: Redactor): Logger {
  return {
    warn: (fields, message) =>
      logger.warn(redactDeep(fields, redact) as Record<string, unknown>, redact(message)),
    error: (fields, message) =>
      logger.error(redactDeep(fields, redact) as Record<string, unknown>, redact(message)),
  };
}
