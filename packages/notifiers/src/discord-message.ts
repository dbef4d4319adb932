import type { APIEmbed } from "discord.js";
import type { Alert } from "./alert.js";
import { severityColors } from "./severity.js";
import { plainText, suppressedNote, truncate } from "./text.js";

/**
 * Discord's limits on a message, from its API documentation.
 *
 * @example
 * ```ts
 * DISCORD_LIMITS.fieldValue; // 1024
 * ```
 */
export const DISCORD_LIMITS = Object.freeze({
  /** Characters of the message's `content`. */
  content: 2_000,
  /** Characters of an embed's title. */
  title: 256,
  /** Characters of an embed's description. */
  description: 4_096,
  /** Fields in one embed. */
  fields: 25,
  /** Characters of a field's name. */
  fieldName: 256,
  /** Characters of a field's value. */
  fieldValue: 1_024,
  /** Characters of an embed's footer text. */
  footer: 2_048,
  /** Sum of title, description, field names and values, and footer text. */
  embedTotal: 6_000,
});

/**
 * The body of a Discord message: `content` (a link-free plain-text fallback, shown in
 * notifications and by clients without embeds) and one embed.
 *
 * @example
 * ```ts
 * const { content, embeds } = toDiscordMessage(alert);
 * ```
 */
export interface DiscordMessage {
  /** `[SEVERITY] title: summary (suppressed note)` with links removed, at most 2,000 characters. */
  readonly content: string;
  /** Exactly one embed, within {@link DISCORD_LIMITS}. */
  readonly embeds: APIEmbed[];
}

/**
 * Formats an alert for Discord: an embed titled by the rule, coloured by severity, with the
 * summary (and the suppressed count) as description, the event's payload fields as fields, the
 * event type, id and correlation id in the footer and the event time as timestamp; every part cut
 * to Discord's limits (25 fields, 1,024 characters a value, 6,000 in all). `content` is the
 * plain-text fallback, without links.
 *
 * @example
 * ```ts
 * const message = toDiscordMessage(alert);
 * message.embeds[0]?.color; // 0xe74c3c for a critical alert
 * ```
 */
export function toDiscordMessage(alert: Alert): DiscordMessage {
  const { event } = alert;
  const title = truncate(alert.title, DISCORD_LIMITS.title);
  const description = truncate(
    [alert.summary, suppressedNote(alert.suppressed)].filter((part) => part !== "").join("\n\n"),
    DISCORD_LIMITS.description,
  );
  const footer = truncate(
    `${event.type} · event ${event.id} · correlation ${event.correlationId}`,
    DISCORD_LIMITS.footer,
  );
  let budget = DISCORD_LIMITS.embedTotal - title.length - description.length - footer.length;
  const fields: { name: string; value: string; inline: boolean }[] = [];
  for (const field of alert.fields.slice(0, DISCORD_LIMITS.fields)) {
    const name = truncate(field.name, DISCORD_LIMITS.fieldName);
    const value = truncate(field.value, DISCORD_LIMITS.fieldValue);
    if (name.length + value.length > budget) break;
    budget -= name.length + value.length;
    fields.push({ name, value, inline: value.length <= 40 && !value.includes("\n") });
  }
  const embed: APIEmbed = {
    title,
    color: severityColors[alert.severity],
    fields,
    footer: { text: footer },
    timestamp: event.timestamp.toISOString(),
  };
  if (description !== "") embed.description = description;
  return { content: truncate(plainText(alert), DISCORD_LIMITS.content), embeds: [embed] };
}
