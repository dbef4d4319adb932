import { InMemoryDeadLetterStore } from "@qt/eventbus";
import { afterEach, describe, expect, it } from "vitest";
import { DiscordNotifier } from "./discord-notifier.js";
import { EmailNotifier, type EmailNotifierOptions } from "./email-notifier.js";
import { startDiscordServer } from "./testing/discord-server.js";
import {
  fastRetry,
  healthChanged,
  recordingLogger,
  testBus,
  WEBHOOK_ID,
  WEBHOOK_TOKEN,
} from "./testing/fixtures.js";
import { type FakeSmtp, startSilentServer, startSmtpServer } from "./testing/smtp.js";

const USER = "alerts";
const PASS = "sm7p-Pa$$word:with/odd@chars";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task();
});

async function setup(port: number, options: Partial<EmailNotifierOptions> = {}) {
  const bus = testBus();
  const logger = recordingLogger();
  const deadLetters = new InMemoryDeadLetterStore();
  const notifier = new EmailNotifier({
    eventBus: bus,
    ...("transport" in options
      ? {}
      : { smtpUrl: `smtp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${port}` }),
    from: "Quantum Trader <qt@example.com>",
    to: ["ops@example.com", "risk@example.com"],
    timeoutMs: 2_000,
    retry: fastRetry,
    logger,
    deadLetters,
    ...options,
  });
  cleanup.push(
    () => bus.stop(),
    () => notifier.close({ timeoutMs: 100 }),
  );
  return { bus, logger, deadLetters, notifier };
}

async function smtp(options: Partial<Parameters<typeof startSmtpServer>[0]> = {}): Promise<FakeSmtp> {
  const server = await startSmtpServer({ user: USER, pass: PASS, ...options });
  cleanup.push(() => server.close());
  return server;
}

async function settle(ctx: { bus: ReturnType<typeof testBus>; notifier: EmailNotifier }) {
  await ctx.bus.idle();
  await ctx.notifier.idle();
}

/** The decoded body of one MIME part (quoted-printable or 7bit) of a raw message. */
function part(raw: string, type: "text/plain" | "text/html"): string {
  const start = raw.indexOf(`Content-Type: ${type}`);
  expect(start).toBeGreaterThan(-1);
  const body = raw.slice(raw.indexOf("\r\n\r\n", start) + 4);
  const end = body.search(/\r\n--/);
  return (end === -1 ? body : body.slice(0, end))
    .replace(/=\r\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

describe("EmailNotifier over SMTP (smtp-server on 127.0.0.1)", () => {
  it("sends one message with envelope, subject, text and HTML parts, after logging in", async () => {
    const server = await smtp();
    const ctx = await setup(server.port);
    const event = healthChanged("CRITICAL", "Feed <b>&</b>");
    await ctx.bus.publish(event);
    await settle(ctx);

    expect(server.mails).toHaveLength(1);
    const [mail] = server.mails;
    expect(mail?.user).toBe(USER);
    expect(mail?.from).toBe("qt@example.com");
    expect(mail?.to).toEqual(["ops@example.com", "risk@example.com"]);
    expect(mail?.raw).toMatch(/^Subject: \[QT\]\[CRITICAL\] Feed <b>&<\/b> is CRITICAL\r$/m);
    expect(mail?.raw).toMatch(/^From: Quantum Trader <qt@example\.com>\r$/m);
    expect(mail?.raw).toMatch(/^To: ops@example\.com, risk@example\.com\r$/m);
    const text = part(mail?.raw ?? "", "text/plain");
    expect(text).toContain("CRITICAL: Feed <b>&</b> is CRITICAL");
    expect(text).toContain("metrics: dd: -5.2");
    expect(text).toContain(`Event id: ${event.id}`);
    const html = part(mail?.raw ?? "", "text/html");
    expect(html).toContain("Feed &lt;b&gt;&amp;&lt;/b&gt; is CRITICAL");
    expect(html).not.toContain("<b>&</b>");
    expect(html).toContain("border-left:6px solid #e74c3c");
    expect(ctx.notifier.getStats()).toEqual({ sent: 1, suppressed: 0, retried: 0, failed: 0, queued: 0 });
  });

  it("accepts nodemailer SMTP options as transport", async () => {
    const server = await smtp();
    const ctx = await setup(server.port, {
      transport: {
        host: "127.0.0.1",
        port: server.port,
        secure: false,
        ignoreTLS: true,
        auth: { user: USER, pass: PASS },
      },
      to: "ops@example.com",
    });
    await ctx.bus.publish(healthChanged("DEGRADED"));
    await settle(ctx);
    expect(server.mails.map((m) => m.to)).toEqual([["ops@example.com"]]);
    expect(server.mails[0]?.raw).toMatch(/^Subject: \[QT\]\[WARNING\] DrawdownGuard is DEGRADED\r$/m);
  });

  it("retries after a 451 and then delivers", async () => {
    const server = await smtp({
      onMessage: (attempt) => (attempt === 1 ? { code: 451, message: "Try again later" } : undefined),
    });
    const ctx = await setup(server.port);
    await ctx.bus.publish(healthChanged("CRITICAL"));
    await settle(ctx);
    expect(server.attempts).toBe(2);
    expect(server.mails).toHaveLength(1);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 1, retried: 1, failed: 0 });
    expect(ctx.logger.entries[0]?.fields).toMatchObject({ status: 451 });
  });

  it("dead-letters when 451s persist past the last try", async () => {
    const server = await smtp({ onMessage: () => ({ code: 451, message: "Try again later" }) });
    const ctx = await setup(server.port);
    await ctx.bus.publish(healthChanged("CRITICAL"));
    await settle(ctx);
    expect(server.attempts).toBe(3);
    expect(ctx.deadLetters.list()).toMatchObject([
      { reason: "handler-failed", attempts: 3, handler: { handlerName: "EmailNotifier" } },
    ]);
    expect(ctx.deadLetters.list()[0]?.error?.message).toMatch(/SMTP server refused DATA \(451\)/);
  });

  it("does not retry a 550: it is permanent", async () => {
    const server = await smtp({ onMessage: () => ({ code: 550, message: "No such user" }) });
    const ctx = await setup(server.port);
    await ctx.bus.publish(healthChanged("CRITICAL"));
    await settle(ctx);
    expect(server.attempts).toBe(1);
    expect(ctx.notifier.getStats()).toMatchObject({ retried: 0, failed: 1 });
  });

  it("times out on a server that never answers, retries, then dead-letters", async () => {
    const silent = await startSilentServer();
    cleanup.push(() => silent.close());
    const ctx = await setup(silent.port, { timeoutMs: 50 });
    await ctx.bus.publish(healthChanged("CRITICAL"));
    await settle(ctx);
    expect(silent.connections).toBe(3);
    expect(ctx.notifier.getStats()).toMatchObject({ sent: 0, retried: 2, failed: 1 });
    expect(ctx.deadLetters.list()[0]?.error?.message).toMatch(/^SMTP (GREETING|SOCKET)_TIMEOUT/);
  });

  it("never lets the password reach a log line, an error, stats, health or a dead letter", async () => {
    // A server that refuses the login and echoes the password it was given.
    const server = await smtp({ pass: "something-else", authFailure: `Bad password ${PASS}` });
    const ctx = await setup(server.port);
    await ctx.bus.publish(healthChanged("CRITICAL"));
    await settle(ctx);
    await ctx.notifier.close();
    expect(ctx.notifier.getStats()).toMatchObject({ retried: 0, failed: 1 });
    const everything = JSON.stringify([
      ctx.logger.entries,
      ctx.deadLetters.list(),
      ctx.notifier.getStats(),
      ctx.notifier.health(),
    ]);
    expect(everything).toContain("Bad password [REDACTED]");
    expect(everything).not.toContain(PASS);
    expect(everything).not.toContain(encodeURIComponent(PASS));
  });

  it("is not delayed by a Discord notifier whose server never answers", async () => {
    const server = await smtp();
    const discordServer = await startDiscordServer(() => "hang");
    cleanup.push(() => discordServer.close());
    const ctx = await setup(server.port);
    const discord = new DiscordNotifier({
      eventBus: ctx.bus,
      webhookId: WEBHOOK_ID,
      webhookToken: WEBHOOK_TOKEN,
      api: discordServer.api,
      timeoutMs: 60_000,
      logger: recordingLogger(),
    });
    cleanup.push(() => discord.close({ timeoutMs: 10 }));

    await ctx.bus.publish(healthChanged("CRITICAL"));
    await discordServer.waitForRequests(1);
    await settle(ctx);
    expect(server.mails).toHaveLength(1);
    expect(discord.getStats()).toMatchObject({ sent: 0, queued: 1 });
  });
});
