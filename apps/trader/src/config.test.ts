import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  describeConfig,
  parseConfig,
  parseDuration,
  redactUrl,
  SETTINGS,
  usage,
} from "./config.js";

const ok = (argv: string[], env: Record<string, string> = {}) => {
  const result = parseConfig(argv, env);
  if (!result.ok) throw new Error(result.error.message);
  return result.config;
};
const bad = (argv: string[], env: Record<string, string> = {}) => {
  const result = parseConfig(argv, env);
  if (result.ok) throw new Error("expected a configuration error");
  return result.error;
};

describe("parseConfig()", () => {
  it("has a default for everything: in-memory bus, SQLite in ./data, dashboard on 127.0.0.1:8787, seed 42", () => {
    const config = ok([]);
    expect(config).toMatchObject({
      bus: { kind: "memory" },
      database: { kind: "sqlite", path: "./data/qt.db" },
      discord: undefined,
      email: undefined,
      http: { enabled: true, host: "127.0.0.1", port: 8787 },
      seed: 42,
      symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT"],
      speed: 20,
      candles: undefined,
      durationMs: undefined,
      untilTrades: undefined,
      hold: false,
      status: "auto",
      statusIntervalMs: 5_000,
      capital: 100_000,
      shutdownTimeoutMs: 10_000,
      help: false,
    });
  });

  it("reads environment variables, and flags win over them", () => {
    const env = { QT_SEED: "7", QT_HTTP_PORT: "9000", QT_SYMBOLS: "btcusdt, ethusdt", QT_SPEED: "max" };
    expect(ok([], env)).toMatchObject({
      seed: 7,
      http: { port: 9000 },
      symbols: ["BTCUSDT", "ETHUSDT"],
      speed: "max",
    });
    expect(ok(["--seed", "8", "--port=0"], env)).toMatchObject({ seed: 8, http: { port: 0 } });
  });

  it("parses every kind of value", () => {
    const config = ok([
      "--bus=nats://127.0.0.1:4222",
      "--db",
      "postgres://qt:secret@db.example.com:5432/qt",
      "--discord-webhook",
      "https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789ABCD",
      "--smtp-url",
      "smtps://bot:pw@mail.example.com:465",
      "--email-to",
      "a@example.com, b@example.com",
      "--duration",
      "90s",
      "--until-trades",
      "30",
      "--no-http",
      "--hold",
      "--status",
      "lines",
      "--",
    ]);
    expect(config).toMatchObject({
      bus: { kind: "nats", url: "nats://127.0.0.1:4222", servers: "nats://127.0.0.1:4222", namespace: "qt" },
      database: { kind: "postgres" },
      discord: { webhookUrl: expect.stringContaining("discord.com") },
      email: {
        to: ["a@example.com", "b@example.com"],
        from: "Quantum Trader <qt-trader@localhost.localdomain>",
      },
      durationMs: 90_000,
      untilTrades: 30,
      http: { enabled: false },
      hold: true,
      status: "lines",
    });
    expect(config.notes).toContain("--hold has no effect without the HTTP server");
  });

  it("reads a NATS namespace from the URL's path", () => {
    expect(ok(["--bus", "nats://nats.internal:4222/paper-1"]).bus).toEqual({
      kind: "nats",
      url: "nats://nats.internal:4222/paper-1",
      servers: "nats://nats.internal:4222",
      namespace: "paper-1",
    });
    expect(bad(["--bus", "nats://h:4222/a/b"]).issues[0]?.setting).toBe("--bus");
  });

  it("--help is a request, not an error", () => {
    expect(ok(["--help"]).help).toBe(true);
    expect(usage()).toContain("--until-trades N");
    for (const setting of SETTINGS) expect(usage()).toContain(setting.env);
  });

  // One case per setting: each bad value is refused with exit-code-2 semantics (a ConfigError,
  // code INVALID_CONFIG) and a message naming the setting as the user gave it.
  const cases: [string, string[], Record<string, string>, string, RegExp][] = [
    ["bus (flag)", ["--bus", "kafka://x"], {}, "--bus", /memory.*NATS URL/],
    ["bus (env)", [], { QT_BUS: "redis" }, "QT_BUS", /expected "memory"/],
    ["database", [], { QT_DATABASE_URL: "mysql://root@localhost/qt" }, "QT_DATABASE_URL", /not supported/],
    ["database url", ["--db", "postgres://"], {}, "--db", /PostgreSQL URL/],
    [
      "discord webhook",
      [],
      { QT_DISCORD_WEBHOOK_URL: "https://example.com/hook" },
      "QT_DISCORD_WEBHOOK_URL",
      /webhooks/,
    ],
    ["smtp url", ["--smtp-url", "http://mail"], { QT_EMAIL_TO: "ops@example.com" }, "--smtp-url", /SMTP URL/],
    [
      "email recipients",
      [],
      { QT_SMTP_URL: "smtp://mail:25", QT_EMAIL_TO: "not-an-address" },
      "QT_EMAIL_TO",
      /not an address/,
    ],
    ["missing recipients", [], { QT_SMTP_URL: "smtp://mail:25" }, "QT_EMAIL_TO", /needed when QT_SMTP_URL/],
    ["email sender", ["--email-from", "nobody"], {}, "--email-from", /email address/],
    ["http switch", [], { QT_HTTP: "maybe" }, "QT_HTTP", /on or off/],
    ["host", ["--host", "a b"], {}, "--host", /IP address/],
    ["port (not a number)", ["--port", "http"], {}, "--port", /integer in \[0, 65535\], received "http"/],
    ["port (too big)", [], { QT_HTTP_PORT: "70000" }, "QT_HTTP_PORT", /65535/],
    ["seed", ["--seed", "-1"], {}, "--seed", /integer in \[0, 4294967295\]/],
    ["symbols", ["--symbols", "BTC/USD,ETH"], {}, "--symbols", /not a symbol: "BTC\/USD"/],
    ["symbols (repeated)", ["--symbols", "BTCUSDT,btcusdt"], {}, "--symbols", /repeated: BTCUSDT/],
    ["speed", ["--speed", "0"], {}, "--speed", /ticks per second/],
    ["candles", ["--candles", "/nonexistent/candles.csv"], {}, "--candles", /does not exist/],
    ["duration", ["--duration", "soon"], {}, "--duration", /duration such as/],
    ["until trades", ["--until-trades", "0"], {}, "--until-trades", /integer >= 1/],
    ["hold", [], { QT_HOLD: "sometimes" }, "QT_HOLD", /on or off/],
    ["status", ["--status", "fancy"], {}, "--status", /auto, tty, lines or off/],
    ["status interval", ["--status-interval", "1ms"], {}, "--status-interval", /at least 100 ms/],
    ["capital", ["--capital", "-5"], {}, "--capital", /number > 0/],
    ["shutdown timeout", [], { QT_SHUTDOWN_TIMEOUT: "x" }, "QT_SHUTDOWN_TIMEOUT", /duration/],
    ["unknown flag", ["--sede", "4"], {}, "--sede", /unknown flag/],
    ["flag without its value", ["--seed"], {}, "--seed", /needs a value/],
    ["switch with a value", ["--no-http=yes"], {}, "--no-http", /takes no value/],
    ["stray argument", ["42"], {}, "42", /unexpected argument/],
  ];
  it.each(cases)("refuses a bad %s, naming it", (_name, argv, env, setting, message) => {
    const error = bad(argv, env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.issues).toContainEqual({ setting, message: expect.stringMatching(message) });
    expect(error.message).toContain(`  ${setting}: `);
    expect(error.message).toMatch(/Nothing was started/);
  });

  it("lists every bad setting at once", () => {
    const error = bad(["--port", "x", "--seed", "y"], { QT_SPEED: "fast" });
    expect(error.issues.map((issue) => issue.setting)).toEqual(["--port", "--seed", "QT_SPEED"]);
  });

  it("never echoes a secret it refuses", () => {
    const secret = "hunter2-very-secret";
    const error = bad([], {
      QT_DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks/1/${secret}`,
      QT_DATABASE_URL: `mysql://root:${secret}@db/qt`,
      QT_SMTP_URL: `http://bot:${secret}@mail`,
      QT_EMAIL_TO: "ops@example.com",
    });
    expect(error.issues).toHaveLength(3);
    expect(error.message).not.toContain(secret);
  });

  it("checks that the candle file exists, and notes which symbol it is traded as", () => {
    const dir = mkdtempSync(join(tmpdir(), "qt-config-"));
    const file = join(dir, "btc.csv");
    writeFileSync(file, "timestamp,open,high,low,close,volume\n");
    const config = ok(["--candles", file, "--symbols", "ETHUSDT,BTCUSDT"]);
    expect(config.candles).toBe(file);
    expect(config.symbols).toEqual(["ETHUSDT"]);
    expect(config.notes.join("\n")).toContain("traded as ETHUSDT");
    expect(bad(["--candles", dir]).issues[0]).toMatchObject({
      setting: "--candles",
      message: expect.stringMatching(/not a file/),
    });
  });

  it("notes recipients set without an SMTP server: email stays off", () => {
    const config = ok([], { QT_EMAIL_TO: "ops@example.com" });
    expect(config.email).toBeUndefined();
    expect(config.notes).toEqual(["QT_EMAIL_TO is set but no SMTP server is: email alerts stay off"]);
  });
});

describe("parseDuration()", () => {
  it.each([
    ["500ms", 500],
    ["90s", 90_000],
    ["2.5m", 150_000],
    ["1h", 3_600_000],
    ["30", 30_000],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it("refuses anything else", () => {
    for (const text of ["", "s", "1d", "-1s", "1 h"]) expect(parseDuration(text)).toBeUndefined();
  });
});

describe("redactUrl() and describeConfig()", () => {
  it("hide passwords and webhook tokens", () => {
    expect(redactUrl("smtp://bot:hunter2@mail.example.com:587")).toBe("smtp://bot:***@mail.example.com:587");
    expect(redactUrl("https://discord.com/api/webhooks/123/tok-en")).toBe(
      "https://discord.com/api/webhooks/123/***",
    );
    expect(redactUrl("postgres://qt:pw@db/qt?sslpassword=x")).toBe("postgres://qt:***@db/qt?***");
    const config = ok([], {
      QT_DATABASE_URL: "postgres://qt:pw-123@db:5432/qt",
      QT_DISCORD_WEBHOOK_URL:
        "https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789",
      QT_SMTP_URL: "smtp://bot:mail-pw@mail:587",
      QT_EMAIL_TO: "ops@example.com",
    });
    const text = describeConfig(config).join("\n");
    for (const secret of ["pw-123", "abcdefghijklmnopqrstuvwxyz0123456789", "mail-pw"])
      expect(text).not.toContain(secret);
    expect(text).toContain("ops@example.com");
  });
});
