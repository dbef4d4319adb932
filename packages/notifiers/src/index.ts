/**
 * `@qt/notifiers`: alerts from Quantum Trader events to Discord (discord.js) and email
 * (nodemailer), chosen by rules, with storm suppression, a rate limit, retries, dead letters,
 * stats, health and secret redaction written once in {@link Notifier}.
 *
 * @packageDocumentation
 * @module @qt/notifiers
 */
export { type Alert, type AlertField, createAlert, payloadFields } from "./alert.js";
export type { Channel } from "./channel.js";
export type { NotifierOptions } from "./config.js";
export {
  classifyDiscordError,
  DiscordChannel,
  type DiscordChannelOptions,
  type DiscordTarget,
  parseWebhookUrl,
} from "./discord-channel.js";
export { DISCORD_LIMITS, type DiscordMessage, toDiscordMessage } from "./discord-message.js";
export { DiscordNotifier, type DiscordNotifierOptions } from "./discord-notifier.js";
export { classifySmtpError, EmailChannel, type EmailChannelOptions } from "./email-channel.js";
export { type EmailMessage, escapeHtml, toEmailMessage } from "./email-message.js";
export { EmailNotifier, type EmailNotifierOptions, isMailbox, parseSmtpUrl } from "./email-notifier.js";
export {
  ChannelClosedError,
  ConfigError,
  NotifierError,
  type NotifierErrorCode,
  QueueFullError,
  SendError,
} from "./errors.js";
export {
  type ChannelNotifierOptions,
  type CloseOptions,
  Notifier,
  type NotifierHealth,
  type NotifierStats,
} from "./notifier.js";
export { createRedactor, REDACTED, type Redactor, redactDeep, redactingLogger } from "./redact.js";
export {
  type AlertRule,
  type AnyAlertRule,
  type DefaultRulesOptions,
  defaultRules,
  defineRule,
} from "./rules.js";
export { SEVERITIES, type Severity, severityColors } from "./severity.js";
export { type StormDecision, StormFilter } from "./storm-filter.js";
export { defaultStormKey, type StormKey } from "./storm-key.js";
export { plainText, stripLinks, suppressedNote, truncate } from "./text.js";
export { type RateLimit, TokenBucket } from "./token-bucket.js";
