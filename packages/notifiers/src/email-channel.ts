import type { NodemailerError, Transporter } from "nodemailer";
import type { Alert } from "./alert.js";
import type { Channel } from "./channel.js";
import { toEmailMessage } from "./email-message.js";
import { SendError } from "./errors.js";
import type { Redactor } from "./redact.js";

/**
 * Options of {@link EmailChannel}.
 *
 * @example
 * ```ts
 * const options: EmailChannelOptions = { transporter, owned: true, from: "qt@example.com", to: ["ops@example.com"], redact };
 * ```
 */
export interface EmailChannelOptions {
  /** A nodemailer transporter (SMTP). */
  readonly transporter: Transporter;
  /** True when the channel built the transporter and closes it in `close()`. */
  readonly owned: boolean;
  /** The sender address, as nodemailer takes it (`qt@example.com` or `"QT" <qt@example.com>`). */
  readonly from: string;
  /** The recipients; each alert is one message addressed to all of them. */
  readonly to: readonly string[];
  /** Removes the SMTP password from error messages. */
  readonly redact: Redactor;
}

/**
 * Sends alerts as email through a nodemailer transporter: one message per alert to every
 * recipient, with a text and an HTML part. The send is cancelled when the notifier closes.
 *
 * @example
 * ```ts
 * const transporter = createTransport({ host: "smtp.example.com", port: 587, auth: { user, pass } });
 * const channel = new EmailChannel({ transporter, owned: true, from, to: [ops], redact: createRedactor([pass]) });
 * ```
 */
export class EmailChannel implements Channel {
  readonly name = "email";
  readonly #options: EmailChannelOptions;

  constructor(options: EmailChannelOptions) {
    this.#options = options;
  }

  async send(alert: Alert, signal: AbortSignal): Promise<void> {
    const { subject, text, html } = toEmailMessage(alert);
    const { transporter, from, to } = this.#options;
    try {
      await transporter.sendMail({ from, to: [...to], subject, text, html, signal });
    } catch (error) {
      throw classifySmtpError(error, this.#options.redact);
    }
  }

  close(): void {
    if (this.#options.owned) this.#options.transporter.close();
  }
}

const TRANSIENT_CODES = new Set(["ECONNECTION", "ESOCKET", "ETIMEDOUT", "EDNS", "EPROTOCOL", "EABORT"]);

/**
 * Turns what nodemailer threw into a {@link SendError}. With an SMTP reply, 4xx (e.g. 451, 421)
 * and 503 are transient and other 5xx permanent (RFC 5321). Without one, a lost or refused
 * connection, a DNS failure and a timeout (connection, greeting, socket) are transient;
 * authentication, envelope and configuration errors are permanent. Messages are redacted.
 *
 * @example
 * ```ts
 * classifySmtpError(error, redact).transient; // true for "451 Try again later"
 * ```
 */
export function classifySmtpError(error: unknown, redact: Redactor): SendError {
  const channel = "email";
  if (!(error instanceof Error)) {
    return new SendError({ channel, transient: true, message: redact(`SMTP send failed: ${String(error)}`) });
  }
  const e = error as NodemailerError;
  const code = typeof e.code === "string" ? e.code : undefined;
  if (typeof e.responseCode === "number") {
    const permanent =
      typeof e.permanent === "boolean"
        ? e.permanent
        : e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503;
    return new SendError({
      channel,
      transient: !permanent,
      status: e.responseCode,
      reason: code,
      message: redact(
        `SMTP server refused${e.command === undefined ? "" : ` ${e.command}`} (${e.responseCode}): ${e.message}`,
      ),
    });
  }
  if (code === "ETIMEDOUT") {
    return new SendError({
      channel,
      transient: true,
      reason: code,
      message: redact(`SMTP ${e.timeoutType ?? "timeout"}: ${e.message}`),
    });
  }
  return new SendError({
    channel,
    transient: code === undefined || TRANSIENT_CODES.has(code),
    reason: code,
    message: redact(`SMTP send failed${code === undefined ? "" : ` (${code})`}: ${e.message}`),
  });
}
