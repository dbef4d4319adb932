import { thrown } from "@qt/eventbus/testing";
import { createTransport } from "nodemailer";
import { afterEach, describe, expect, it } from "vitest";
import { EmailNotifier, type EmailNotifierOptions, isMailbox, parseSmtpUrl } from "./email-notifier.js";
import { ConfigError } from "./errors.js";
import { recordingLogger, testBus } from "./testing/fixtures.js";

const PASS = "p@ss:w0rd/secret";
const SMTP_URL = `smtp://alerts:${encodeURIComponent(PASS)}@127.0.0.1:2525`;
const bus = testBus();
afterEach(() => {
  expect(bus.getStats().totalHandlers).toBe(0);
});

function configError(options: Record<string, unknown>): ConfigError {
  const error = thrown(
    () =>
      new EmailNotifier({
        eventBus: bus,
        smtpUrl: SMTP_URL,
        from: "qt@example.com",
        to: ["ops@example.com"],
        ...options,
      } as EmailNotifierOptions),
  );
  expect(error).toBeInstanceOf(ConfigError);
  const text = JSON.stringify({
    message: (error as ConfigError).message,
    issues: (error as ConfigError).issues,
  });
  expect(text).not.toContain(PASS);
  expect(text).not.toContain(encodeURIComponent(PASS));
  return error as ConfigError;
}

describe("EmailNotifier options", () => {
  it("refuses an empty recipient list", () => {
    const error = configError({ to: [] });
    expect(error.issues).toEqual([{ path: "to", message: "expected >= 1 items, received 0" }]);
    expect(error.message).toBe("Invalid EmailNotifier options: to: expected >= 1 items, received 0");
  });

  it("refuses a malformed address, naming which", () => {
    const message = "expected an email address (name@example.com or Name <name@example.com>)";
    expect(configError({ to: ["ops@example.com", "ops@"] }).issues).toEqual([{ path: "to.1", message }]);
    expect(configError({ from: "qt" }).issues).toEqual([{ path: "from", message }]);
    expect(configError({ to: "ops@example.com\r\nBcc: all@example.com" }).issues.map((i) => i.path)).toEqual([
      "to",
    ]);
  });

  it("refuses a malformed smtpUrl without echoing its password", () => {
    for (const smtpUrl of [
      `http://alerts:${PASS}@mail.example.com`,
      `smtp://alerts:${encodeURIComponent(PASS)}@/`,
      `smtp://alerts:${encodeURIComponent(PASS)}@mail.example.com/path`,
      PASS,
    ]) {
      expect(configError({ smtpUrl }).issues).toEqual([
        {
          path: "smtpUrl",
          message: "expected smtp://user:password@host:port or smtps://user:password@host:port",
        },
      ]);
    }
  });

  it("wants exactly one of transport and smtpUrl", () => {
    const expected = [{ path: "", message: "expected exactly one of transport and smtpUrl" }];
    expect(configError({ smtpUrl: undefined }).issues).toEqual(expected);
    expect(configError({ transport: { host: "127.0.0.1", auth: { user: "a", pass: PASS } } }).issues).toEqual(
      expected,
    );
  });

  it("accepts a URL, SMTP options or a transporter (which stays the caller's)", async () => {
    const transporter = createTransport({ host: "127.0.0.1", port: 2525 });
    for (const source of [
      { smtpUrl: SMTP_URL },
      { smtpUrl: "smtps://mail.example.com" },
      { transport: { host: "127.0.0.1", port: 2525 } },
      { transport: transporter },
    ]) {
      const notifier = new EmailNotifier({
        eventBus: bus,
        from: "Quantum Trader <qt@example.com>",
        to: "ops@example.com",
        logger: recordingLogger(),
        ...source,
      });
      expect(bus.getStats().totalHandlers).toBe(5);
      expect(notifier.channelName).toBe("email");
      await notifier.close();
    }
    transporter.close();
  });
});

describe("parseSmtpUrl()", () => {
  it("reads host, port, TLS and decoded credentials", () => {
    expect(parseSmtpUrl(SMTP_URL)).toEqual({
      host: "127.0.0.1",
      port: 2525,
      secure: false,
      auth: { user: "alerts", pass: PASS },
    });
    expect(parseSmtpUrl("smtps://mail.example.com")).toEqual({
      host: "mail.example.com",
      port: 465,
      secure: true,
    });
    expect(parseSmtpUrl("smtp://[::1]")).toEqual({ host: "::1", port: 587, secure: false });
    expect(parseSmtpUrl("imap://mail.example.com")).toBeUndefined();
  });
});

describe("isMailbox()", () => {
  it("accepts a plain address or a display name with an address", () => {
    expect(isMailbox("ops@example.com")).toBe(true);
    expect(isMailbox("Ops Team <ops@example.com>")).toBe(true);
    expect(isMailbox("<ops@example.com>")).toBe(true);
    expect(isMailbox("Ops <ops@>")).toBe(false);
    expect(isMailbox("ops@example.com\n")).toBe(false);
    expect(isMailbox("")).toBe(false);
  });
});
