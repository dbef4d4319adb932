import { createTransport, type SMTPTransportOptions, type Transporter } from "nodemailer";
import { z } from "zod";
import { type NotifierOptions, notifierOptionsShape, parseOptions, stringAt } from "./config.js";
import { EmailChannel } from "./email-channel.js";
import { type ChannelNotifierOptions, Notifier } from "./notifier.js";
import { createRedactor } from "./redact.js";

/**
 * Options of {@link EmailNotifier}: the common {@link NotifierOptions}, exactly one of
 * `transport` and `smtpUrl`, and the addresses.
 *
 * @example
 * ```ts
 * const options: EmailNotifierOptions = { eventBus: bus, smtpUrl: env.SMTP_URL, from: "qt@example.com", to: ["ops@example.com"] };
 * ```
 */
export interface EmailNotifierOptions extends NotifierOptions {
  /**
   * nodemailer SMTP options (the notifier builds the transporter and closes it), or a transporter
   * you built (yours to close). `auth.pass` is treated as a secret.
   */
  readonly transport?: SMTPTransportOptions | Transporter;
  /** `smtp://user:password@host:port` (STARTTLS when offered) or `smtps://...` (TLS). The password is a secret. */
  readonly smtpUrl?: string;
  /** Sender: `qt@example.com` or `Quantum Trader <qt@example.com>`. */
  readonly from: string;
  /** One or more recipients, in the same forms. */
  readonly to: string | readonly string[];
  /** Connection, greeting and socket timeouts of a transporter the notifier builds. Default 10 s. */
  readonly timeoutMs?: number;
}

const plainAddress = z.email();
const DISPLAY_FORM = /^\s*[^<>\r\n]*<([^<>\s]+)>\s*$/;

/**
 * True for `name@example.com` or `Display Name <name@example.com>` (no line breaks).
 *
 * @example
 * ```ts
 * isMailbox("Ops <ops@example.com>"); // true
 * isMailbox("ops@"); // false
 * ```
 */
export function isMailbox(value: string): boolean {
  if (/[\r\n]/.test(value)) return false;
  const inner = DISPLAY_FORM.exec(value)?.[1] ?? value.trim();
  return plainAddress.safeParse(inner).success;
}

const mailbox = z.string().refine(isMailbox, {
  error: "expected an email address (name@example.com or Name <name@example.com>)",
});

/**
 * Reads an SMTP URL into nodemailer options, or returns `undefined` when it is not one:
 * `smtp://` (port 587 by default) or `smtps://` (TLS, port 465), optional user and password
 * (percent-decoded), a host, no path beyond `/`.
 *
 * @example
 * ```ts
 * parseSmtpUrl("smtps://alerts:s3cret@mail.example.com"); // { host: "mail.example.com", port: 465, secure: true, auth: { user: "alerts", pass: "s3cret" } }
 * ```
 */
export function parseSmtpUrl(url: string): SMTPTransportOptions | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const secure = parsed.protocol === "smtps:";
  if (!secure && parsed.protocol !== "smtp:") return undefined;
  if (parsed.hostname === "" || (parsed.pathname !== "" && parsed.pathname !== "/")) return undefined;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = parsed.port === "" ? (secure ? 465 : 587) : Number(parsed.port);
  let user: string;
  let pass: string;
  try {
    user = decodeURIComponent(parsed.username);
    pass = decodeURIComponent(parsed.password);
  } catch {
    return undefined;
  }
  return { host, port, secure, ...(user === "" ? {} : { auth: { user, pass } }) };
}

const schema = z
  .strictObject({
    ...notifierOptionsShape,
    transport: z
      .custom<SMTPTransportOptions | Transporter>(
        (v) => typeof v === "object" && v !== null && !Array.isArray(v),
        { error: "expected nodemailer SMTP options or a transporter" },
      )
      .optional(),
    smtpUrl: z.string().optional(),
    from: mailbox,
    to: z.union([mailbox, z.array(mailbox).min(1)]),
    timeoutMs: z.number().positive().optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.transport === undefined) === (o.smtpUrl === undefined)) {
      ctx.addIssue({ code: "custom", path: [], message: "expected exactly one of transport and smtpUrl" });
    }
    if (o.smtpUrl !== undefined && parseSmtpUrl(o.smtpUrl) === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["smtpUrl"],
        message: "expected smtp://user:password@host:port or smtps://user:password@host:port",
      });
    }
  });

/**
 * Sends alerts by email through nodemailer over SMTP: one message per alert to every recipient,
 * subject `[QT][SEVERITY] title`, with a text part and an HTML part (escaped). Rules, storm
 * suppression, rate limit, retries (SMTP 4xx and timeouts) and dead letters are the
 * {@link Notifier}'s.
 *
 * The options are validated before anything is built: no or an empty recipient list, a malformed
 * address, a malformed `smtpUrl`, or both or neither of `transport` and `smtpUrl` throw
 * {@link ConfigError}, whose text never contains the password.
 *
 * @example
 * ```ts
 * const email = new EmailNotifier({
 *   eventBus: bus,
 *   smtpUrl: process.env.SMTP_URL, // smtps://alerts:password@mail.example.com
 *   from: "Quantum Trader <qt@example.com>",
 *   to: ["ops@example.com"],
 *   deadLetters: bus.deadLetters,
 * });
 * ```
 */
export class EmailNotifier extends Notifier {
  /** @throws {@link ConfigError} naming each invalid option. */
  constructor(options: EmailNotifierOptions) {
    super(emailChannelOptions(options));
  }
}

function isTransporter(value: SMTPTransportOptions | Transporter): value is Transporter {
  return typeof (value as Transporter).sendMail === "function";
}

function emailSecrets(options: EmailNotifierOptions): string[] {
  const url = stringAt(options, "smtpUrl");
  const fromUrl = (text: string | undefined) => {
    if (text === undefined) return [];
    try {
      const password = new URL(text).password;
      return [password, safeDecode(password)];
    } catch {
      return [text];
    }
  };
  const transport = options?.transport as unknown;
  const settings = isObject(transport) && isObject(transport.options) ? transport.options : transport;
  return [
    ...fromUrl(url),
    ...fromUrl(stringAt(settings, "url")),
    ...["pass", "clientSecret", "refreshToken", "accessToken", "privateKey"].map((key) =>
      stringAt(settings, "auth", key),
    ),
  ].filter((s): s is string => s !== undefined && s !== "");
}

function emailChannelOptions(options: EmailNotifierOptions): ChannelNotifierOptions {
  const secrets = emailSecrets(options);
  const redact = createRedactor(secrets);
  const o = parseOptions("EmailNotifier", schema, options, redact);
  const timeoutMs = o.timeoutMs ?? 10_000;
  let transporter: Transporter;
  let owned = true;
  if (o.transport !== undefined && isTransporter(o.transport)) {
    transporter = o.transport;
    owned = false;
  } else {
    const settings = o.transport ?? (parseSmtpUrl(o.smtpUrl as string) as SMTPTransportOptions);
    transporter = createTransport({
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      ...settings,
    });
  }
  const to = typeof o.to === "string" ? [o.to] : o.to;
  const channel = new EmailChannel({ transporter, owned, from: o.from, to, redact });
  const { transport: _t, smtpUrl: _u, from: _f, to: _to, timeoutMs: _ms, ...common } = options;
  return { ...common, name: options.name ?? "EmailNotifier", channel, secrets };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
