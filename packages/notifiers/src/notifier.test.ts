import { InMemoryDeadLetterStore } from "@qt/eventbus";
import { thrown } from "@qt/eventbus/testing";
import type { QtEvent } from "@qt/events";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, SendError } from "./errors.js";
import { type ChannelNotifierOptions, Notifier } from "./notifier.js";
import { defaultRules, defineRule } from "./rules.js";
import {
  fastRetry,
  healthChanged,
  policy,
  type RecordingChannel,
  recordingChannel,
  recordingLogger,
  testBus,
  trade,
} from "./testing/fixtures.js";

type Bus = ReturnType<typeof testBus>;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task();
});

function setup(
  channel: RecordingChannel = recordingChannel(),
  options: Partial<ChannelNotifierOptions> = {},
) {
  const bus = testBus();
  const logger = recordingLogger();
  const deadLetters = new InMemoryDeadLetterStore();
  const notifier = new Notifier({
    eventBus: bus,
    channel,
    logger,
    deadLetters,
    retry: fastRetry,
    ...options,
  });
  cleanup.push(
    () => bus.stop(),
    () => notifier.close({ timeoutMs: 10 }),
  );
  return { bus, channel, logger, deadLetters, notifier };
}

async function publish(ctx: { bus: Bus; notifier: Notifier }, ...events: QtEvent[]) {
  for (const event of events) await ctx.bus.publish(event);
  await ctx.bus.idle();
  await ctx.notifier.idle();
}

const transient = (message = "try later", retryAfterMs?: number) =>
  new SendError({ channel: "recording", message, transient: true, retryAfterMs });
const permanent = (message = "refused") => new SendError({ channel: "recording", message, transient: false });

describe("Notifier rules", () => {
  it("subscribes once per event type named by a rule, and sends the first matching rule's alert", async () => {
    const ctx = setup();
    expect(ctx.bus.getStats().totalHandlers).toBe(5); // health, trade, strategy, model, policy
    await publish(ctx, healthChanged("CRITICAL"), trade(50), trade(-1_000));
    expect(ctx.channel.alerts.map((a) => [a.rule, a.severity, a.title])).toEqual([
      ["health-critical", "critical", "DrawdownGuard is CRITICAL"],
      ["large-pnl", "warning", "Large loss on BTCUSDT: -1,000.00"],
    ]);
  });

  it("alerts on a risk-mode change only, comparing with the previous policy seen", async () => {
    const ctx = setup();
    await publish(ctx, policy("NORMAL"), policy("NORMAL"), policy("DEFENSIVE"), policy("DEFENSIVE"));
    expect(ctx.channel.alerts.map((a) => [a.severity, a.title])).toEqual([
      ["warning", "Risk mode NORMAL → DEFENSIVE"],
    ]);
  });

  it("runs only the rules given", async () => {
    const ctx = setup(recordingChannel(), {
      rules: [defineRule({ type: "opportunities.updated", severity: "info", title: "Top symbols changed" })],
    });
    expect(ctx.bus.getStats().totalHandlers).toBe(1);
    await publish(ctx, healthChanged("CRITICAL"));
    expect(ctx.channel.alerts).toEqual([]);
  });

  it("logs a rule that throws and tries the next rule of the type", async () => {
    const ctx = setup(recordingChannel(), {
      rules: [
        defineRule({
          name: "broken",
          type: "health.status_changed",
          when: () => {
            throw new Error("bug in rule");
          },
          severity: "critical",
        }),
        ...defaultRules(),
      ],
    });
    await publish(ctx, healthChanged("CRITICAL"));
    expect(ctx.channel.alerts.map((a) => a.rule)).toEqual(["health-critical"]);
    expect(ctx.logger.entries).toMatchObject([
      { level: "error", message: "alert rule failed", fields: { rule: "broken", error: "bug in rule" } },
    ]);
  });

  it("sends a redelivered event (same id) once", async () => {
    const ctx = setup();
    const event = healthChanged("CRITICAL");
    await publish(ctx, event, event);
    expect(ctx.channel.alerts).toHaveLength(1);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 1, suppressed: 0 });
  });
});

describe("Notifier storm suppression", () => {
  it("suppresses repeats within the window and never hides a change of status", async () => {
    let now = 0;
    const ctx = setup(recordingChannel(), { now: () => now, stormWindowMs: 1_000 });
    await publish(ctx, healthChanged("CRITICAL"), healthChanged("CRITICAL"), healthChanged("CRITICAL"));
    await publish(ctx, healthChanged("HEALTHY"), healthChanged("CRITICAL"));
    now = 500;
    await publish(ctx, healthChanged("CRITICAL"), healthChanged("CRITICAL", "OtherComponent"));
    expect(ctx.channel.alerts.map((a) => [a.event.payload, a.suppressed])).toEqual([
      [expect.objectContaining({ new_status: "CRITICAL" }), 0],
      [expect.objectContaining({ new_status: "HEALTHY" }), 2],
      [expect.objectContaining({ new_status: "CRITICAL" }), 0],
      [expect.objectContaining({ component: "OtherComponent" }), 0],
    ]);
    now = 1_000;
    await publish(ctx, healthChanged("CRITICAL"));
    expect(ctx.channel.alerts.at(-1)?.suppressed).toBe(1);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 5, suppressed: 3 });
  });

  it("reopens the window when the alert sent failed, so the next repeat goes out with the count", async () => {
    const channel = recordingChannel((attempt) => (attempt === 0 ? permanent() : "ok"));
    const ctx = setup(channel, { now: () => 0 });
    await publish(ctx, healthChanged("CRITICAL"));
    await publish(ctx, healthChanged("CRITICAL"));
    expect(channel.alerts).toHaveLength(1);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 1, failed: 1, suppressed: 0 });
  });
});

describe("Notifier rate limit", () => {
  it("queues alerts beyond the limit and sends them as tokens refill", async () => {
    const times: number[] = [];
    const channel = recordingChannel(() => {
      times.push(performance.now());
      return "ok";
    });
    const ctx = setup(channel, { rateLimit: { limit: 2, intervalMs: 100 } });
    for (const component of ["A", "B", "C", "D"]) await ctx.bus.publish(healthChanged("CRITICAL", component));
    await ctx.bus.idle();
    await ctx.notifier.idle();
    expect(channel.alerts.map((a) => a.event.payload)).toMatchObject([
      { component: "A" },
      { component: "B" },
      { component: "C" },
      { component: "D" },
    ]);
    // Two at once, then one every 50 ms.
    expect((times[2] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(40);
    expect((times[3] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(90);
  });
});

describe("Notifier retries and dead letters", () => {
  it("retries a transient failure with backoff, then sends", async () => {
    const ctx = setup(recordingChannel((attempt) => (attempt < 2 ? transient() : "ok")));
    await publish(ctx, healthChanged("CRITICAL"));
    expect(ctx.channel.attempts).toHaveLength(3);
    expect(ctx.notifier.getStats()).toEqual({ sent: 1, suppressed: 0, retried: 2, failed: 0, queued: 0 });
    expect(ctx.logger.entries.map((e) => [e.level, e.message, e.fields.attempt, e.fields.delayMs])).toEqual([
      ["warn", "notification failed, retrying", 1, 5],
      ["warn", "notification failed, retrying", 2, 10],
    ]);
  });

  it("waits the retry-after a channel reports instead of the backoff", async () => {
    const ctx = setup(recordingChannel((attempt) => (attempt === 0 ? transient("429", 30) : "ok")));
    const started = performance.now();
    await publish(ctx, healthChanged("CRITICAL"));
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    expect(ctx.logger.entries[0]?.fields.delayMs).toBe(30);
  });

  it("treats an unclassified error as transient", async () => {
    const ctx = setup(recordingChannel((attempt) => (attempt === 0 ? new Error("ECONNRESET") : "ok")));
    await publish(ctx, healthChanged("CRITICAL"));
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 1, retried: 1 });
  });

  it("dead-letters a permanent failure at once, with a handler ref the bus can requeue", async () => {
    const channel = recordingChannel((attempt) => (attempt === 0 ? permanent("bad request") : "ok"));
    const bus = testBus();
    const notifier = new Notifier({
      eventBus: bus,
      channel,
      logger: recordingLogger(),
      deadLetters: bus.deadLetters,
    });
    cleanup.push(
      () => bus.stop(),
      () => notifier.close(),
    );
    const event = healthChanged("CRITICAL");
    await publish({ bus, notifier }, event);
    expect(channel.attempts).toHaveLength(1);
    const [letter] = bus.deadLetters.list();
    expect(letter).toMatchObject({
      event: { id: event.id },
      reason: "handler-failed",
      attempts: 1,
      handler: { pattern: "health.status_changed", handlerName: "Notifier" },
      error: { name: "SendError", code: "SEND_FAILED", message: "bad request" },
    });
    expect(notifier.health()).toMatchObject({
      healthy: false,
      lastError: "bad request",
      consecutiveFailures: 1,
    });

    await bus.requeue(letter?.id ?? "");
    await bus.idle();
    await notifier.idle();
    expect(channel.alerts.map((a) => a.event.id)).toEqual([event.id]);
    expect(notifier.health()).toMatchObject({ healthy: true, consecutiveFailures: 0 });
  });

  it("dead-letters an alert that finds the queue full (QUEUE_FULL)", async () => {
    const ctx = setup(
      recordingChannel(() => "hang"),
      { maxQueueSize: 2 },
    );
    for (const component of ["A", "B", "C", "D"]) await ctx.bus.publish(healthChanged("CRITICAL", component));
    await ctx.bus.idle();
    expect(ctx.notifier.getStats()).toMatchObject({ queued: 2, failed: 2 });
    expect(ctx.deadLetters.list().map((d) => [d.event.payload, d.error?.code, d.attempts])).toEqual([
      [expect.objectContaining({ component: "C" }), "QUEUE_FULL", 0],
      [expect.objectContaining({ component: "D" }), "QUEUE_FULL", 0],
    ]);
    expect(ctx.notifier.health().healthy).toBe(false);
  });

  it("redacts the configured secrets from errors, logs and dead letters", async () => {
    const secret = "s3cr3t-t0ken";
    const ctx = setup(
      recordingChannel(() => new Error(`401 for ${secret}`)),
      {
        secrets: [secret],
        retry: { ...fastRetry, maxAttempts: 2 },
      },
    );
    await publish(ctx, healthChanged("CRITICAL"));
    const everything = JSON.stringify([ctx.logger.entries, ctx.deadLetters.list(), ctx.notifier.health()]);
    expect(everything).toContain("401 for [REDACTED]");
    expect(everything).not.toContain(secret);
  });
});

describe("Notifier.close()", () => {
  it("drains the queue, then closes the channel and unsubscribes", async () => {
    const ctx = setup(recordingChannel(), { rateLimit: { limit: 1, intervalMs: 20 } });
    await ctx.bus.publish(healthChanged("CRITICAL", "A"));
    await ctx.bus.publish(healthChanged("CRITICAL", "B"));
    await ctx.bus.idle();
    await ctx.notifier.close();
    expect(ctx.channel.alerts).toHaveLength(2);
    expect(ctx.channel.closed).toBe(true);
    expect(ctx.bus.getStats().totalHandlers).toBe(0);
    expect(ctx.notifier.health().healthy).toBe(false);
    expect(ctx.notifier.close()).toBe(ctx.notifier.close());
  });

  it("dead-letters what is still queued or in flight at the deadline (reason shutdown)", async () => {
    const ctx = setup(recordingChannel(() => "hang"));
    for (const component of ["A", "B", "C"]) await ctx.bus.publish(healthChanged("CRITICAL", component));
    await ctx.bus.idle();
    await ctx.notifier.close({ timeoutMs: 10 });
    expect(ctx.deadLetters.list().map((d) => [d.reason, d.error?.code, d.attempts])).toEqual([
      ["shutdown", "CHANNEL_CLOSED", 1],
      ["shutdown", "CHANNEL_CLOSED", 0],
      ["shutdown", "CHANNEL_CLOSED", 0],
    ]);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 0, failed: 3, queued: 0 });
    await ctx.notifier.idle();
  });

  it("interrupts a retry wait at the deadline", async () => {
    const ctx = setup(
      recordingChannel(() => transient("busy", 60_000)),
      { maxRetryAfterMs: 60_000 },
    );
    await ctx.bus.publish(healthChanged("CRITICAL"));
    await ctx.bus.idle();
    await ctx.notifier.close({ timeoutMs: 10 });
    expect(ctx.deadLetters.list()).toMatchObject([{ reason: "shutdown", attempts: 1 }]);
  });
});

describe("Notifier options", () => {
  it("throws ConfigError naming each bad option, before subscribing", () => {
    const bus = testBus();
    cleanup.push(() => bus.stop());
    const error = thrown(
      () =>
        new Notifier({
          eventBus: bus,
          channel: recordingChannel(),
          maxQueueSize: 0,
          rateLimit: { limit: 0, intervalMs: 1_000 },
          retry: { jitter: "sometimes" as "full" },
          rules: [{ type: "trade.executed", severity: "loud" as "info" }],
          colour: "red",
        } as ChannelNotifierOptions),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("INVALID_CONFIG");
    expect((error as ConfigError).issues.map((i) => i.path).sort()).toEqual([
      "colour",
      "maxQueueSize",
      "rateLimit.limit",
      "retry.jitter",
      "rules.0.severity",
    ]);
    expect((error as ConfigError).message).toMatch(/^Invalid Notifier options: /);
    expect(bus.getStats().totalHandlers).toBe(0);
  });

  it("requires an event bus and a channel", () => {
    const error = thrown(() => new Notifier({} as ChannelNotifierOptions)) as ConfigError;
    expect(error.issues.map((i) => i.path).sort()).toEqual(["channel", "eventBus"]);
  });
});

describe("Notifier.idle()", () => {
  it("resolves at once when nothing is queued", async () => {
    const ctx = setup();
    await ctx.notifier.idle();
    expect(ctx.notifier.getStats().queued).toBe(0);
  });
});
