import { z } from "zod";
import { type NotifierOptions, notifierOptionsShape, parseOptions, stringAt } from "./config.js";
import { DiscordChannel, type DiscordTarget, parseWebhookUrl } from "./discord-channel.js";
import { type ChannelNotifierOptions, Notifier } from "./notifier.js";
import { createRedactor } from "./redact.js";

/**
 * Options of {@link DiscordNotifier}: the common {@link NotifierOptions} and exactly one target:
 * `webhookUrl`, or `webhookId` with `webhookToken`, or `botToken` with `channelId`.
 *
 * @example
 * ```ts
 * const options: DiscordNotifierOptions = { eventBus: bus, webhookUrl: env.DISCORD_WEBHOOK_URL };
 * ```
 */
export interface DiscordNotifierOptions extends NotifierOptions {
  /** A full webhook URL, `https://discord.com/api/webhooks/<id>/<token>`. Secret (it holds the token). */
  readonly webhookUrl?: string;
  /** A webhook's id (a snowflake), with `webhookToken`. */
  readonly webhookId?: string;
  /** A webhook's token, with `webhookId`. Secret. */
  readonly webhookToken?: string;
  /** A bot's token, with `channelId`. Secret. */
  readonly botToken?: string;
  /** The channel a bot posts to (a snowflake), with `botToken`. */
  readonly channelId?: string;
  /** Base of the API, without version. Default `https://discord.com/api`; tests point it at a local server. */
  readonly api?: string;
  /** One request's timeout. Default 10 s. */
  readonly timeoutMs?: number;
  /** Name shown for webhook messages. */
  readonly username?: string;
}

// refine(), not regex(): the message of a custom check is kept as written.
const matching = (pattern: RegExp, error: string) => z.string().refine((s) => pattern.test(s), { error });
const snowflake = matching(/^\d{17,20}$/, "expected a Discord id (17 to 20 digits)");

const schema = z
  .strictObject({
    ...notifierOptionsShape,
    webhookUrl: z.string().optional(),
    webhookId: snowflake.optional(),
    webhookToken: matching(
      /^[\w-]{32,128}$/,
      "expected a webhook token (32 to 128 letters, digits, _ or -)",
    ).optional(),
    botToken: matching(
      /^[\w.-]{20,200}$/,
      "expected a bot token (20 to 200 letters, digits, ., _ or -)",
    ).optional(),
    channelId: snowflake.optional(),
    api: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
    timeoutMs: z.number().positive().optional(),
    username: z.string().min(1).max(80).optional(),
  })
  .superRefine((o, ctx) => {
    const webhookPair = o.webhookId !== undefined || o.webhookToken !== undefined;
    const botPair = o.botToken !== undefined || o.channelId !== undefined;
    const targets = [o.webhookUrl !== undefined, webhookPair, botPair].filter(Boolean).length;
    if (targets !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `expected exactly one target: webhookUrl, webhookId + webhookToken, or botToken + channelId (got ${targets})`,
      });
    }
    if (o.webhookUrl !== undefined && parseWebhookUrl(o.webhookUrl) === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["webhookUrl"],
        message: "expected a Discord webhook URL, https://discord.com/api/webhooks/<id>/<token>",
      });
    }
    if (webhookPair && (o.webhookId === undefined || o.webhookToken === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [o.webhookId === undefined ? "webhookId" : "webhookToken"],
        message: "webhookId and webhookToken go together",
      });
    }
    if (botPair && (o.botToken === undefined || o.channelId === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [o.botToken === undefined ? "botToken" : "channelId"],
        message: "botToken and channelId go together",
      });
    }
  });

/**
 * Sends alerts to Discord through discord.js: to a webhook (`WebhookClient`, from a full URL or
 * an id and token) or, as a bot, to a channel (`REST`). Each message is an embed coloured by
 * severity with the event's fields, plus a link-free plain-text fallback. Rules, storm
 * suppression, rate limit, retries (429 retry-after honoured) and dead letters are the
 * {@link Notifier}'s.
 *
 * The options are validated before anything is built: an invalid webhook URL, a malformed token
 * or id, or no or two targets throw {@link ConfigError}, whose text never contains a token.
 *
 * @example
 * ```ts
 * const discord = new DiscordNotifier({
 *   eventBus: bus,
 *   webhookUrl: process.env.DISCORD_WEBHOOK_URL,
 *   deadLetters: bus.deadLetters,
 *   rules: defaultRules({ pnlThreshold: 1_000 }),
 * });
 * // ...
 * await discord.close();
 * ```
 */
export class DiscordNotifier extends Notifier {
  /** @throws {@link ConfigError} naming each invalid option. */
  constructor(options: DiscordNotifierOptions) {
    super(discordChannelOptions(options));
  }
}

function discordChannelOptions(options: DiscordNotifierOptions): ChannelNotifierOptions {
  const url = stringAt(options, "webhookUrl");
  const secrets = [
    url,
    url === undefined ? undefined : (parseWebhookUrl(url)?.token ?? url.split("/").filter(Boolean).pop()),
    stringAt(options, "webhookToken"),
    stringAt(options, "botToken"),
  ].filter((s): s is string => s !== undefined && s !== "");
  const redact = createRedactor(secrets);
  const o = parseOptions("DiscordNotifier", schema, options, redact);
  let target: DiscordTarget;
  if (o.webhookUrl !== undefined) {
    const { id, token } = parseWebhookUrl(o.webhookUrl) as { id: string; token: string };
    target = { kind: "webhook", id, token };
  } else if (o.webhookId !== undefined && o.webhookToken !== undefined) {
    target = { kind: "webhook", id: o.webhookId, token: o.webhookToken };
  } else {
    target = { kind: "bot", token: o.botToken as string, channelId: o.channelId as string };
  }
  const channel = new DiscordChannel({
    target,
    redact,
    ...(o.api === undefined ? {} : { api: o.api.replace(/\/+$/, "") }),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
    ...(o.username === undefined ? {} : { username: o.username }),
  });
  const {
    webhookUrl: _url,
    webhookId: _id,
    webhookToken: _token,
    botToken: _bot,
    channelId: _channel,
    api: _api,
    timeoutMs: _timeout,
    username: _username,
    ...common
  } = options;
  return { ...common, name: options.name ?? "DiscordNotifier", channel, secrets };
}
