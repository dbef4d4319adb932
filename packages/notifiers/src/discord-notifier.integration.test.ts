import { InMemoryDeadLetterStore } from "@qt/eventbus";
import { recordEvents } from "@qt/eventbus/testing";
import { afterEach, describe, expect, it } from "vitest";
import { DiscordNotifier, type DiscordNotifierOptions } from "./discord-notifier.js";
import { type FakeDiscord, sequence, startDiscordServer } from "./testing/discord-server.js";
import {
  BOT_TOKEN,
  CHANNEL_ID,
  fastRetry,
  healthChanged,
  recordingLogger,
  testBus,
  trade,
  WEBHOOK_ID,
  WEBHOOK_TOKEN,
} from "./testing/fixtures.js";

interface Embed {
  title: string;
  description?: string;
  color: number;
  fields: { name: string; value: string }[];
  footer: { text: string };
  timestamp: string;
}
interface Body {
  content: string;
  embeds: Embed[];
  allowed_mentions: { parse: string[] };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task();
});

async function setup(options: Partial<DiscordNotifierOptions> = {}, server?: FakeDiscord) {
  const discord = server ?? (await startDiscordServer());
  const bus = testBus();
  const logger = recordingLogger();
  const deadLetters = new InMemoryDeadLetterStore();
  const hasTarget = ["webhookUrl", "webhookId", "botToken"].some((key) => key in options);
  const notifier = new DiscordNotifier({
    eventBus: bus,
    ...(hasTarget ? {} : { webhookId: WEBHOOK_ID, webhookToken: WEBHOOK_TOKEN }),
    api: discord.api,
    timeoutMs: 2_000,
    retry: fastRetry,
    logger,
    deadLetters,
    ...options,
  });
  cleanup.push(
    () => discord.close(),
    () => bus.stop(),
    () => notifier.close({ timeoutMs: 100 }),
  );
  return { discord, bus, logger, deadLetters, notifier };
}

async function publishAndSettle(
  ctx: { bus: ReturnType<typeof testBus>; notifier: DiscordNotifier },
  ...events: Parameters<ReturnType<typeof testBus>["publish"]>[0][]
) {
  for (const event of events) await ctx.bus.publish(event);
  await ctx.bus.idle();
  await ctx.notifier.idle();
}

describe("DiscordNotifier over a webhook (WebhookClient from id and token)", () => {
  it("posts an embed to /api/v10/webhooks/<id>/<token>?wait=true with the event's fields", async () => {
    const ctx = await setup();
    const event = healthChanged("CRITICAL");
    await publishAndSettle(ctx, event);

    expect(ctx.discord.requests).toHaveLength(1);
    const [request] = ctx.discord.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/api/v10/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`);
    expect(request?.query.get("wait")).toBe("true");
    expect(request?.headers.authorization).toBeUndefined();
    const body = request?.body as Body;
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toBe("[CRITICAL] DrawdownGuard is CRITICAL: Daily drawdown exceeded");
    const [embed] = body.embeds;
    expect(embed).toMatchObject({
      title: "DrawdownGuard is CRITICAL",
      description: "Daily drawdown exceeded",
      color: 0xe74c3c,
      timestamp: event.timestamp.toISOString(),
    });
    expect(embed?.fields).toEqual([
      { name: "old_status", value: "HEALTHY", inline: true },
      { name: "new_status", value: "CRITICAL", inline: true },
      { name: "component", value: "DrawdownGuard", inline: true },
      { name: "reason", value: "Daily drawdown exceeded", inline: true },
      { name: "metrics", value: "dd: -5.2", inline: true },
    ]);
    expect(embed?.footer.text).toContain(event.id);
    expect(embed?.footer.text).toContain(event.correlationId);
    expect(ctx.notifier.getStats()).toEqual({ sent: 1, suppressed: 0, retried: 0, failed: 0, queued: 0 });
    expect(ctx.notifier.health()).toMatchObject({ healthy: true, consecutiveFailures: 0 });
    expect(ctx.notifier.health().lastSuccessAt).toBeInstanceOf(Date);
  });

  it("accepts a full webhook URL, parsed for id and token, with the api base overridden", async () => {
    const ctx = await setup({
      webhookUrl: `https://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`,
    });
    await publishAndSettle(ctx, trade(-2_500));
    expect(ctx.discord.requests.map((r) => r.path)).toEqual([
      `/api/v10/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`,
    ]);
    const body = ctx.discord.requests[0]?.body as Body;
    expect(body.embeds[0]?.title).toBe("Large loss on BTCUSDT: -2,500.00");
    expect(body.embeds[0]?.color).toBe(0xe67e22);
  });
});

describe("DiscordNotifier as a bot (REST with a token and a channel id)", () => {
  it("posts to /api/v10/channels/<id>/messages with the bot token", async () => {
    const ctx = await setup({ botToken: BOT_TOKEN, channelId: CHANNEL_ID });
    await publishAndSettle(ctx, healthChanged("HEALTHY"));
    const [request] = ctx.discord.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/api/v10/channels/${CHANNEL_ID}/messages`);
    expect(request?.headers.authorization).toBe(`Bot ${BOT_TOKEN}`);
    const body = request?.body as Body;
    expect(body.embeds[0]).toMatchObject({ title: "DrawdownGuard recovered (HEALTHY)", color: 0x2ecc71 });
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe("DiscordNotifier on failures", () => {
  it("honours a 429's retry-after: the second request arrives no sooner", async () => {
    const server = await startDiscordServer(
      sequence({
        status: 429,
        headers: { "retry-after": "0.15" },
        body: { message: "You are being rate limited.", retry_after: 0.15, global: false },
      }),
    );
    const ctx = await setup({}, server);
    await publishAndSettle(ctx, healthChanged("CRITICAL"));
    const [first, second] = server.requests;
    expect(server.requests).toHaveLength(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(145);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 1, retried: 1, failed: 0 });
    expect(ctx.logger.entries.map((e) => e.message)).toEqual(["notification failed, retrying"]);
    expect(ctx.logger.entries[0]?.fields).toMatchObject({ status: 429, delayMs: 150 });
  });

  it("retries a 500 with backoff, then succeeds", async () => {
    const server = await startDiscordServer(sequence({ status: 500, body: { message: "oops" } }));
    const ctx = await setup({}, server);
    await publishAndSettle(ctx, healthChanged("CRITICAL"));
    expect(server.requests).toHaveLength(2);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 1, retried: 1, failed: 0 });
  });

  it("retries a dropped connection, then succeeds", async () => {
    const server = await startDiscordServer(sequence("destroy"));
    const ctx = await setup({}, server);
    await publishAndSettle(ctx, healthChanged("CRITICAL"));
    expect(server.requests).toHaveLength(2);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 1, retried: 1, failed: 0 });
    expect(ctx.logger.entries[0]?.fields.error).toMatch(/Network error talking to Discord/);
  });

  it("dead-letters after the last try when 500s persist, naming the notifier and the reason", async () => {
    const server = await startDiscordServer(() => ({ status: 503, body: { message: "down" } }));
    const ctx = await setup({}, server);
    const event = healthChanged("CRITICAL");
    await publishAndSettle(ctx, event);
    expect(server.requests).toHaveLength(3);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 0, retried: 2, failed: 1, queued: 0 });
    const [letter] = ctx.deadLetters.list();
    expect(letter).toMatchObject({
      event: { id: event.id },
      reason: "handler-failed",
      attempts: 3,
      handler: { pattern: "health.status_changed", handlerName: "DiscordNotifier" },
      error: { name: "SendError", code: "SEND_FAILED" },
    });
    expect(letter?.error?.message).toMatch(/Discord answered 503/);
    expect(ctx.notifier.health()).toMatchObject({ healthy: false, consecutiveFailures: 1 });
  });

  it("does not retry a 4xx (unknown webhook): dead-lettered after one try", async () => {
    const server = await startDiscordServer(() => ({
      status: 404,
      body: { message: "Unknown Webhook", code: 10015 },
    }));
    const ctx = await setup({}, server);
    await publishAndSettle(ctx, healthChanged("CRITICAL"));
    expect(server.requests).toHaveLength(1);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 0, retried: 0, failed: 1 });
    expect(ctx.deadLetters.list()[0]?.error?.message).toBe(
      "Discord refused the message (404, code 10015): Unknown Webhook",
    );
  });

  it("never lets a token reach a log line, an error, stats, health or a dead letter", async () => {
    // A server that echoes the request's secrets (path, authorization) in its error messages.
    const echo = (request: { path: string; headers: { authorization?: string | undefined } }) =>
      `${request.path} ${request.headers.authorization ?? ""}`;
    const server = await startDiscordServer((request, index) =>
      index === 0
        ? { status: 500, body: { message: `boom ${echo(request)}` } }
        : { status: 400, body: { message: `bad ${echo(request)}`, code: 50035 } },
    );
    const webhook = await setup({}, server);
    const bot = await setup(
      { botToken: BOT_TOKEN, channelId: CHANNEL_ID, retry: { ...fastRetry, maxAttempts: 1 } },
      server,
    );
    await publishAndSettle(webhook, healthChanged("CRITICAL"));
    await publishAndSettle(bot, healthChanged("CRITICAL", "Feed"));
    await webhook.notifier.close();
    await bot.notifier.close();

    const everything = JSON.stringify([
      webhook.logger.entries,
      bot.logger.entries,
      webhook.deadLetters.list(),
      bot.deadLetters.list(),
      webhook.notifier.getStats(),
      webhook.notifier.health(),
      bot.notifier.health(),
    ]);
    expect(webhook.deadLetters.size + bot.deadLetters.size).toBe(2);
    expect(bot.deadLetters.list()[0]?.error?.message).toContain("Bot [REDACTED]");
    expect(everything).toContain("[REDACTED]");
    expect(everything).not.toContain(WEBHOOK_TOKEN);
    expect(everything).not.toContain(BOT_TOKEN);
  });

  it("keeps the bus dispatching while Discord never answers", async () => {
    const server = await startDiscordServer(() => "hang");
    const ctx = await setup({ timeoutMs: 60_000 }, server);
    const trades = recordEvents(ctx.bus, "trade.executed");
    await ctx.bus.publish(healthChanged("CRITICAL"));
    await server.waitForRequests(1);
    for (let i = 0; i < 100; i++) await ctx.bus.publish(trade(10));
    await ctx.bus.idle();
    expect(trades.events).toHaveLength(100);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 0, queued: 1 });

    await ctx.notifier.close({ timeoutMs: 20 });
    expect(ctx.deadLetters.list()).toMatchObject([
      { reason: "shutdown", attempts: 1, error: { code: "CHANNEL_CLOSED" } },
    ]);
    expect(ctx.notifier.health().healthy).toBe(false);
  });
});

describe("DiscordNotifier storm suppression", () => {
  it("sends a repeated alert once per window and reports the suppressed count in the next message", async () => {
    let now = 0;
    const ctx = await setup({ now: () => now, stormWindowMs: 60_000 });
    await publishAndSettle(
      ctx,
      healthChanged("CRITICAL"),
      healthChanged("CRITICAL"),
      healthChanged("CRITICAL"),
    );
    now = 60_000;
    await publishAndSettle(ctx, healthChanged("CRITICAL"));
    expect(ctx.discord.requests).toHaveLength(2);
    const last = ctx.discord.requests[1]?.body as Body;
    expect(last.embeds[0]?.description).toContain("2 similar alerts suppressed since the last message.");
    expect(last.content).toContain("2 similar alerts suppressed");
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 2, suppressed: 2 });
  });
});
