import {
  DiscordAPIError,
  DiscordjsError,
  DiscordjsRangeError,
  DiscordjsTypeError,
  HTTPError,
  RateLimitError,
  REST,
  type RESTOptions,
  Routes,
  WebhookClient,
} from "discord.js";
import type { Alert } from "./alert.js";
import type { Channel } from "./channel.js";
import { toDiscordMessage } from "./discord-message.js";
import { SendError } from "./errors.js";
import type { Redactor } from "./redact.js";

/**
 * Where a Discord channel posts: a webhook (id and token) or a bot (token and channel id).
 *
 * @example
 * ```ts
 * const target: DiscordTarget = { kind: "bot", token: process.env.DISCORD_BOT_TOKEN!, channelId: "1234567890123456789" };
 * ```
 */
export type DiscordTarget =
  | {
      /** Post through an incoming webhook. */
      readonly kind: "webhook";
      /** The webhook's id (a snowflake), as in {@link parseWebhookUrl}. */
      readonly id: string;
      /** The webhook's token: a secret, so give it to the redactor too. */
      readonly token: string;
    }
  | {
      /** Post as a bot user. */
      readonly kind: "bot";
      /** The bot token (without the `Bot ` prefix): a secret, so give it to the redactor too. */
      readonly token: string;
      /** The id (a snowflake) of the channel to post in; the bot needs permission to send there. */
      readonly channelId: string;
    };

/**
 * Options of {@link DiscordChannel}.
 *
 * @example
 * ```ts
 * const options: DiscordChannelOptions = { target, api: "http://127.0.0.1:8080/api", timeoutMs: 2_000, redact };
 * ```
 */
export interface DiscordChannelOptions {
  /** The webhook or the bot and channel to post to. */
  readonly target: DiscordTarget;
  /** Base of the API, without version. Default `https://discord.com/api`; tests point it at a local server. */
  readonly api?: string;
  /** One request's timeout. Default 10 s. */
  readonly timeoutMs?: number;
  /** Name shown for webhook messages (webhooks only); default the webhook's own. */
  readonly username?: string;
  /** Removes the tokens from error messages. */
  readonly redact: Redactor;
}

const WEBHOOK_URL =
  /^https:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api(?:\/v\d{1,2})?\/webhooks\/(\d{17,20})\/([\w-]{32,128})\/?$/;

/**
 * Reads the id and token out of a Discord webhook URL
 * (`https://discord.com/api/webhooks/<id>/<token>`, also `ptb.`, `canary.`, `discordapp.com` and
 * a versioned `/api/v10/`), or returns `undefined`.
 *
 * @example
 * ```ts
 * parseWebhookUrl("https://discord.com/api/webhooks/123456789012345678/abc...xyz"); // { id, token }
 * parseWebhookUrl("https://example.com/hook"); // undefined
 * ```
 */
export function parseWebhookUrl(url: string):
  | {
      /** The webhook's id: 17 to 20 digits. */
      id: string;
      /** The webhook's token: 32 to 128 letters, digits, `_` or `-`. */
      token: string;
    }
  | undefined {
  const match = WEBHOOK_URL.exec(url.trim());
  if (match === null) return undefined;
  return { id: match[1] as string, token: match[2] as string };
}

/**
 * Posts alerts to Discord through discord.js: `WebhookClient.send()` for a webhook (discord.js
 * posts to `/webhooks/<id>/<token>?wait=true`, so a success means Discord stored the message), or
 * `REST.post(Routes.channelMessages(id))` for a bot. Mentions are disabled.
 *
 * Retries are the notifier's, not discord.js's: the REST client is built with `retries: 0` and
 * `rejectOnRateLimit` on every route, so a 429 comes back as a `RateLimitError` carrying the
 * retry-after instead of discord.js waiting (without bound) on its own.
 *
 * @example
 * ```ts
 * const channel = new DiscordChannel({ target: { kind: "webhook", id, token }, redact: createRedactor([token]) });
 * const notifier = new Notifier({ eventBus, channel, secrets: [token] });
 * ```
 */
export class DiscordChannel implements Channel {
  readonly name = "discord";
  readonly #redact: Redactor;
  readonly #timeoutMs: number;
  readonly #username: string | undefined;
  readonly #webhook: WebhookClient | undefined;
  readonly #rest: REST | undefined;
  readonly #channelId: string | undefined;

  constructor(options: DiscordChannelOptions) {
    this.#redact = options.redact;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#username = options.username;
    const rest: Partial<RESTOptions> = {
      api: options.api ?? "https://discord.com/api",
      version: "10",
      timeout: this.#timeoutMs,
      retries: 0,
      offset: 0,
      rejectOnRateLimit: () => true,
    };
    const { target } = options;
    if (target.kind === "webhook") {
      this.#webhook = new WebhookClient({ id: target.id, token: target.token }, { rest });
    } else {
      this.#rest = new REST(rest).setToken(target.token);
      this.#channelId = target.channelId;
    }
  }

  async send(alert: Alert, signal: AbortSignal): Promise<void> {
    const { content, embeds } = toDiscordMessage(alert);
    try {
      if (this.#webhook !== undefined) {
        await this.#webhook.send({
          content,
          embeds,
          allowedMentions: { parse: [] },
          ...(this.#username === undefined ? {} : { username: this.#username }),
        });
      } else {
        await (this.#rest as REST).post(Routes.channelMessages(this.#channelId as string), {
          body: { content, embeds, allowed_mentions: { parse: [] } },
          signal,
        });
      }
    } catch (error) {
      throw classifyDiscordError(error, this.#redact, this.#timeoutMs);
    }
  }

  close(): void {
    if (this.#webhook !== undefined) this.#webhook.destroy();
    this.#rest?.clearHashSweeper();
    this.#rest?.clearHandlerSweeper();
  }
}

/**
 * Turns what discord.js threw into a {@link SendError}: a 429 (`RateLimitError`) is transient with
 * its retry-after; a 5xx (`HTTPError`), a timeout and a network error (refused, reset, dropped)
 * are transient; a 4xx (`DiscordAPIError`: bad token, unknown webhook, invalid body) and a
 * discord.js usage error are permanent. Messages never include the request URL (it holds the
 * webhook token) and are redacted.
 *
 * @example
 * ```ts
 * try { await webhook.send(message); }
 * catch (error) { const failure = classifyDiscordError(error, redact); if (failure.transient) retryLater(); }
 * ```
 */
export function classifyDiscordError(error: unknown, redact: Redactor, timeoutMs?: number): SendError {
  const channel = "discord";
  if (error instanceof RateLimitError) {
    return new SendError({
      channel,
      transient: true,
      status: 429,
      retryAfterMs: Math.max(0, error.retryAfter),
      reason: error.global ? "global rate limit" : "rate limit",
      message: `Discord rate limit (429): retry after ${Math.max(0, error.retryAfter)} ms`,
    });
  }
  if (error instanceof DiscordAPIError) {
    const transient = error.status >= 500 || error.status === 408;
    return new SendError({
      channel,
      transient,
      status: error.status,
      reason: String(error.code),
      message: redact(`Discord refused the message (${error.status}, code ${error.code}): ${error.message}`),
    });
  }
  if (error instanceof HTTPError) {
    return new SendError({
      channel,
      transient: error.status >= 500 || error.status === 408,
      status: error.status,
      message: redact(`Discord answered ${error.status} ${error.message}`),
    });
  }
  if (
    error instanceof DiscordjsError ||
    error instanceof DiscordjsTypeError ||
    error instanceof DiscordjsRangeError
  ) {
    return new SendError({
      channel,
      transient: false,
      reason: String(error.code),
      message: redact(`discord.js refused the message: ${error.message}`),
    });
  }
  if (error instanceof Error && error.name === "AbortError") {
    return new SendError({
      channel,
      transient: true,
      reason: "timeout",
      message: `Discord did not answer within ${timeoutMs ?? "the timeout in"} ms`,
    });
  }
  const code = networkCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new SendError({
    channel,
    transient: true,
    reason: code,
    message: redact(`Network error talking to Discord${code === undefined ? "" : ` (${code})`}: ${detail}`),
  });
}

function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
