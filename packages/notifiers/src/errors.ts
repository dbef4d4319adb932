/**
 * Every error this package throws or records is a {@link NotifierError}: a class with a stable
 * string `code`, structured fields and no secret in its text. Callers branch on `code` (or on
 * `NotifierError.isInstance`), never on message text.
 *
 * None of these errors keeps the error of discord.js or nodemailer as its `cause`: those carry the
 * request URL (with the webhook token) or the connection settings. What matters of them (status,
 * SMTP code, retry-after) is copied into fields, and their message is redacted.
 *
 * @packageDocumentation
 */
import type { ValidationIssue } from "@qt/eventbus";

const MARKER = Symbol.for("@qt/notifiers.error");

/**
 * The stable codes of every error this package defines.
 *
 * @example
 * ```ts
 * const worthAPage: NotifierErrorCode[] = ["SEND_FAILED", "QUEUE_FULL"];
 * ```
 */
export type NotifierErrorCode = "INVALID_CONFIG" | "SEND_FAILED" | "QUEUE_FULL" | "CHANNEL_CLOSED";

/**
 * Base class of every error of `@qt/notifiers`.
 *
 * `isInstance` works across duplicate installs of the package (it checks a `Symbol.for` marker,
 * not the prototype chain).
 *
 * @example
 * ```ts
 * try { new DiscordNotifier({ eventBus, webhookUrl }); }
 * catch (error) { if (NotifierError.isInstance(error) && error.code === "INVALID_CONFIG") process.exit(2); }
 * ```
 */
export class NotifierError extends Error {
  /** Brand for cross-install isInstance checks. @internal */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: NotifierErrorCode;

  constructor(code: NotifierErrorCode, message: string) {
    super(message);
    this.name = "NotifierError";
    this.code = code;
  }

  /** True for any `NotifierError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is NotifierError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * The options given to a notifier are invalid: thrown by the constructor, before anything is
 * subscribed or connected. `issues` names each bad option; no message quotes a value (a webhook
 * URL, token or password never appears).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof ConfigError) console.error(e.issues.map((i) => i.path)); } // ["to"]
 * ```
 */
export class ConfigError extends NotifierError {
  /** What was wrong, option by option, e.g. `{ path: "to.1", message: "expected an email address" }`. */
  readonly issues: readonly ValidationIssue[];
  /** Which component refused the options, e.g. `EmailNotifier`. */
  readonly component: string;

  constructor(component: string, issues: readonly ValidationIssue[]) {
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    super("INVALID_CONFIG", `Invalid ${component} options: ${detail || "unknown problem"}`);
    this.name = "ConfigError";
    this.component = component;
    this.issues = issues;
  }
}

/**
 * A channel could not deliver a message. `transient` says whether trying again may succeed
 * (Discord 429 or 5xx, a dropped connection, an SMTP 4xx or a timeout); `retryAfterMs` is the wait
 * the service asked for, if it did. The message is redacted and there is no `cause`.
 *
 * @example
 * ```ts
 * const failure = new SendError({ channel: "discord", message: "Discord answered 503", transient: true, status: 503 });
 * failure.transient; // true: the notifier retries with backoff
 * ```
 */
export class SendError extends NotifierError {
  /** The channel that failed, e.g. `discord` or `email`. */
  readonly channel: string;
  /** True when the same message may go through on a later attempt. */
  readonly transient: boolean;
  /** The wait the service asked for (Discord's retry-after), in ms. */
  readonly retryAfterMs: number | undefined;
  /** HTTP status or SMTP reply code, when there was an answer. */
  readonly status: number | undefined;
  /** The library's own error code (e.g. `ETIMEDOUT`, `EENVELOPE`, Discord's `10015`), when known. */
  readonly reason: string | undefined;

  constructor(init: {
    channel: string;
    message: string;
    transient: boolean;
    retryAfterMs?: number | undefined;
    status?: number | undefined;
    reason?: string | undefined;
  }) {
    super("SEND_FAILED", init.message);
    this.name = "SendError";
    this.channel = init.channel;
    this.transient = init.transient;
    this.retryAfterMs = init.retryAfterMs;
    this.status = init.status;
    this.reason = init.reason;
  }
}

/**
 * A notifier's send queue was full (the channel is slow or down and alerts keep coming): the alert
 * was dead-lettered instead of queued.
 *
 * @example
 * ```ts
 * deadLetters.list().filter((d) => d.error?.code === "QUEUE_FULL");
 * ```
 */
export class QueueFullError extends NotifierError {
  /** The queue's capacity. */
  readonly maxQueueSize: number;

  constructor(notifier: string, maxQueueSize: number) {
    super("QUEUE_FULL", `${notifier}: send queue full (${maxQueueSize} alerts)`);
    this.name = "QueueFullError";
    this.maxQueueSize = maxQueueSize;
  }
}

/**
 * The notifier was closed before the alert was delivered: `close()` reached its deadline. The
 * alert was dead-lettered with reason `shutdown`.
 *
 * @example
 * ```ts
 * deadLetters.list().filter((d) => d.error?.code === "CHANNEL_CLOSED"); // left over at shutdown
 * ```
 */
export class ChannelClosedError extends NotifierError {
  constructor(notifier: string) {
    super("CHANNEL_CLOSED", `${notifier} closed before the alert was delivered`);
    this.name = "ChannelClosedError";
  }
}
