import { thrown } from "@qt/eventbus/testing";
import { afterEach, describe, expect, it } from "vitest";
import { DiscordNotifier, type DiscordNotifierOptions } from "./discord-notifier.js";
import { ConfigError } from "./errors.js";
import {
  BOT_TOKEN,
  CHANNEL_ID,
  recordingLogger,
  testBus,
  WEBHOOK_ID,
  WEBHOOK_TOKEN,
} from "./testing/fixtures.js";

const bus = testBus();
afterEach(async () => {
  expect(bus.getStats().totalHandlers).toBe(0); // nothing subscribed by a refused construction
});

function configError(options: Record<string, unknown>): ConfigError {
  const error = thrown(() => new DiscordNotifier({ eventBus: bus, ...options } as DiscordNotifierOptions));
  expect(error).toBeInstanceOf(ConfigError);
  const configErrorValue = error as ConfigError;
  // Whatever was wrong, the error's text never carries a token.
  const text = JSON.stringify({ message: configErrorValue.message, issues: configErrorValue.issues });
  expect(text).not.toContain(WEBHOOK_TOKEN);
  expect(text).not.toContain(BOT_TOKEN);
  return configErrorValue;
}

describe("DiscordNotifier options", () => {
  it("refuses a webhook URL that is not Discord's, without echoing it", () => {
    for (const webhookUrl of [
      `https://evil.example.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`,
      `http://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`,
      `https://discord.com/api/webhooks/not-an-id/${WEBHOOK_TOKEN}`,
      `https://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}?x=1 ${WEBHOOK_TOKEN}`,
      "not a url",
    ]) {
      const error = configError({ webhookUrl });
      expect(error.issues).toEqual([
        {
          path: "webhookUrl",
          message: "expected a Discord webhook URL, https://discord.com/api/webhooks/<id>/<token>",
        },
      ]);
      expect(error.message).toMatch(/^Invalid DiscordNotifier options: webhookUrl: /);
    }
  });

  it("refuses no target, two targets, and half a pair", () => {
    expect(configError({}).issues).toEqual([
      {
        path: "",
        message:
          "expected exactly one target: webhookUrl, webhookId + webhookToken, or botToken + channelId (got 0)",
      },
    ]);
    expect(
      configError({
        webhookId: WEBHOOK_ID,
        webhookToken: WEBHOOK_TOKEN,
        botToken: BOT_TOKEN,
        channelId: CHANNEL_ID,
      }).issues[0]?.message,
    ).toMatch(/exactly one target.*\(got 2\)/);
    expect(configError({ webhookId: WEBHOOK_ID }).issues).toEqual([
      { path: "webhookToken", message: "webhookId and webhookToken go together" },
    ]);
    expect(configError({ botToken: BOT_TOKEN }).issues).toEqual([
      { path: "channelId", message: "botToken and channelId go together" },
    ]);
  });

  it("refuses malformed ids, tokens and settings, naming each", () => {
    const error = configError({
      webhookId: "12",
      webhookToken: `${WEBHOOK_TOKEN}/..`,
      api: "ftp://127.0.0.1",
      timeoutMs: 0,
      stormWindowMs: -1,
    });
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      "api",
      "stormWindowMs",
      "timeoutMs",
      "webhookId",
      "webhookToken",
    ]);
    expect(error.issues.find((i) => i.path === "webhookId")?.message).toBe(
      "expected a Discord id (17 to 20 digits)",
    );
  });

  it("refuses a bot token with spaces or other characters", () => {
    expect(
      configError({ botToken: `Bot ${BOT_TOKEN}`, channelId: CHANNEL_ID }).issues.map((i) => i.path),
    ).toEqual(["botToken"]);
  });

  it("accepts each kind of target and subscribes to the rules' event types", async () => {
    const logger = recordingLogger();
    for (const target of [
      { webhookUrl: `https://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}` },
      { webhookUrl: `https://canary.discordapp.com/api/v10/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}/` },
      { webhookId: WEBHOOK_ID, webhookToken: WEBHOOK_TOKEN },
      { botToken: BOT_TOKEN, channelId: CHANNEL_ID },
    ]) {
      const notifier = new DiscordNotifier({ eventBus: bus, logger, ...target });
      expect(notifier.name).toBe("DiscordNotifier");
      expect(notifier.channelName).toBe("discord");
      expect(bus.getStats().totalHandlers).toBe(5);
      await notifier.close();
    }
  });
});
