import { describe, expect, it } from "vitest";
import { type Alert, createAlert } from "./alert.js";
import { DISCORD_LIMITS, toDiscordMessage } from "./discord-message.js";
import { defaultRules } from "./rules.js";
import { healthChanged } from "./testing/fixtures.js";

function alert(overrides: Partial<Alert> = {}): Alert {
  const [critical] = defaultRules();
  return {
    ...createAlert(critical as NonNullable<typeof critical>, healthChanged("CRITICAL"), undefined, 0),
    ...overrides,
  };
}

describe("toDiscordMessage()", () => {
  it("makes one embed: title, colour by severity, summary, fields, footer and timestamp", () => {
    const a = alert();
    const { content, embeds } = toDiscordMessage(a);
    expect(content).toBe("[CRITICAL] DrawdownGuard is CRITICAL: Daily drawdown exceeded");
    expect(embeds).toEqual([
      {
        title: "DrawdownGuard is CRITICAL",
        description: "Daily drawdown exceeded",
        color: 0xe74c3c,
        fields: a.fields.map((f) => ({ ...f, inline: true })),
        footer: {
          text: `health.status_changed · event ${a.event.id} · correlation ${a.event.correlationId}`,
        },
        timestamp: a.event.timestamp.toISOString(),
      },
    ]);
  });

  it("colours each severity", () => {
    const colours = (["critical", "warning", "info", "recovery"] as const).map(
      (severity) => toDiscordMessage(alert({ severity })).embeds[0]?.color,
    );
    expect(colours).toEqual([0xe74c3c, 0xe67e22, 0x3498db, 0x2ecc71]);
  });

  it("mentions the suppressed count in the description and the fallback", () => {
    const { content, embeds } = toDiscordMessage(alert({ suppressed: 4 }));
    expect(embeds[0]?.description).toBe(
      "Daily drawdown exceeded\n\n4 similar alerts suppressed since the last message.",
    );
    expect(content).toContain("(4 similar alerts suppressed since the last message.)");
  });

  it("keeps links out of the plain-text fallback", () => {
    const { content } = toDiscordMessage(
      alert({ title: "See https://grafana.example.com/d/1?x=y", summary: "or www.example.com and ftp://x" }),
    );
    expect(content).toBe("[CRITICAL] See [link removed]: or [link removed] and [link removed]");
    expect(content).not.toMatch(/https?:|www\.|ftp:/);
  });

  it("cuts everything to Discord's limits", () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({
      name: `f${i}`.repeat(100),
      value: "v".repeat(2_000),
    }));
    const { content, embeds } = toDiscordMessage(
      alert({ title: "t".repeat(300), summary: "s".repeat(5_000), fields }),
    );
    const [embed] = embeds;
    expect(embed?.title).toHaveLength(DISCORD_LIMITS.title);
    expect(embed?.title?.endsWith("…")).toBe(true);
    expect(embed?.description?.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed?.fields?.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const field of embed?.fields ?? []) {
      expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    }
    const total =
      (embed?.title?.length ?? 0) +
      (embed?.description?.length ?? 0) +
      (embed?.footer?.text.length ?? 0) +
      (embed?.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
  });

  it("leaves the description out when there is nothing to say", () => {
    expect(toDiscordMessage(alert({ summary: "" })).embeds[0]).not.toHaveProperty("description");
  });
});
