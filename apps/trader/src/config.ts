import { statSync } from "node:fs";
import { isMailbox, parseSmtpUrl, parseWebhookUrl } from "@qt/notifiers";
import { z } from "zod";

/** Where events travel. */
export type BusConfig =
  | { readonly kind: "memory" }
  | {
      readonly kind: "nats";
      /** As given, e.g. `nats://127.0.0.1:4222/qt`. */
      readonly url: string;
      /** `nats://host:port`, without the namespace. */
      readonly servers: string;
      /** The stream and subject prefix (the URL's path; default `qt`). */
      readonly namespace: string;
    };

/** Where trades, events, performance and the policy are stored. */
export type DatabaseConfig =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string };

/**
 * Everything the trader runs with, parsed and checked. Built only by {@link parseConfig}.
 *
 * @example
 * ```ts
 * const result = parseConfig(["--seed", "7"], {});
 * if (result.ok) console.log(result.config.seed); // 7
 * ```
 */
export interface TraderConfig {
  readonly bus: BusConfig;
  readonly database: DatabaseConfig;
  /** Discord alerts; `undefined` when no webhook is configured (the notifier is off). */
  readonly discord: { readonly webhookUrl: string } | undefined;
  /** Email alerts; `undefined` when SMTP or recipients are not configured (the notifier is off). */
  readonly email:
    | { readonly smtpUrl: string; readonly to: readonly string[]; readonly from: string }
    | undefined;
  readonly http: { readonly enabled: boolean; readonly host: string; readonly port: number };
  readonly seed: number;
  readonly symbols: readonly string[];
  /** Ticks per second, or `"max"`. */
  readonly speed: number | "max";
  /** A CSV file of candles to replay instead of the simulator. */
  readonly candles: string | undefined;
  /** Wall-clock length of a bounded run, in ms. */
  readonly durationMs: number | undefined;
  /** End after this many trades. */
  readonly untilTrades: number | undefined;
  readonly status: "auto" | "tty" | "lines" | "off";
  /** Between status lines when not on a TTY, in ms. */
  readonly statusIntervalMs: number;
  readonly capital: number;
  /** How long a graceful shutdown may take before the process gives up, in ms. */
  readonly shutdownTimeoutMs: number;
  /** After a bounded run, keep the HTTP API and dashboard up until a signal. */
  readonly hold: boolean;
  /** Settings given but not used, e.g. email recipients without SMTP: said once at start. */
  readonly notes: readonly string[];
  readonly help: boolean;
}

/**
 * One bad setting, named as the user gave it (`--port` or `QT_HTTP_PORT`).
 *
 * @example
 * ```ts
 * const issue: ConfigIssue = { setting: "--port", message: "expected an integer in [0, 65535], received \"abc\"" };
 * ```
 */
export interface ConfigIssue {
  readonly setting: string;
  readonly message: string;
}

/**
 * The configuration is invalid: every bad setting is listed. The process exits with code 2 and
 * starts nothing.
 *
 * @example
 * ```ts
 * const result = parseConfig(["--port", "x"], {});
 * if (!result.ok) console.error(result.error.message);
 * ```
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "INVALID_CONFIG";
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      [
        "Invalid configuration:",
        ...issues.map((issue) => `  ${issue.setting}: ${issue.message}`),
        "Nothing was started. Run with --help to see every setting.",
      ].join("\n"),
    );
    this.issues = issues;
  }
}

/** Default symbols of the simulator. */
export const DEFAULT_SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT"] as const;

/** A setting: its flag, its environment variable, its default and what it means (for --help). */
interface Setting {
  readonly key: string;
  readonly flag: string;
  readonly env: string;
  readonly value: string;
  readonly fallback: string | undefined;
  readonly help: string;
  /** Never echoed in messages. */
  readonly secret?: boolean;
  /** A flag without a value (`--no-http`): its value when present. */
  readonly switchValue?: string;
}

/**
 * Every setting, in --help order. The README's table lists the same ones.
 */
export const SETTINGS: readonly Setting[] = [
  {
    key: "bus",
    flag: "--bus",
    env: "QT_BUS",
    value: "memory|nats://HOST:PORT[/NS]",
    fallback: "memory",
    help: "the event bus: in-process, or NATS JetStream (NS: stream and subject prefix, default qt)",
  },
  {
    key: "db",
    flag: "--db",
    env: "QT_DATABASE_URL",
    value: "FILE|postgres://…",
    fallback: "./data/qt.db",
    help: "analytics store: a SQLite file (its folder is created) or a PostgreSQL URL",
    secret: true,
  },
  {
    key: "discordWebhook",
    flag: "--discord-webhook",
    env: "QT_DISCORD_WEBHOOK_URL",
    value: "URL",
    fallback: undefined,
    help: "Discord webhook for alerts (off when unset)",
    secret: true,
  },
  {
    key: "smtpUrl",
    flag: "--smtp-url",
    env: "QT_SMTP_URL",
    value: "smtp[s]://U:P@HOST:PORT",
    fallback: undefined,
    help: "SMTP server for email alerts (off when unset)",
    secret: true,
  },
  {
    key: "emailTo",
    flag: "--email-to",
    env: "QT_EMAIL_TO",
    value: "A@X,B@Y",
    fallback: undefined,
    help: "email alert recipients, comma-separated (needed with --smtp-url)",
  },
  {
    key: "emailFrom",
    flag: "--email-from",
    env: "QT_EMAIL_FROM",
    value: "ADDRESS",
    fallback: "Quantum Trader <qt-trader@localhost.localdomain>",
    help: "sender of email alerts",
  },
  {
    key: "http",
    flag: "--no-http",
    env: "QT_HTTP",
    value: "on|off",
    fallback: "on",
    help: "the HTTP API and dashboard (--no-http turns them off)",
    switchValue: "off",
  },
  {
    key: "host",
    flag: "--host",
    env: "QT_HTTP_HOST",
    value: "ADDRESS",
    fallback: "127.0.0.1",
    help: "address the HTTP server binds",
  },
  {
    key: "port",
    flag: "--port",
    env: "QT_HTTP_PORT",
    value: "0-65535",
    fallback: "8787",
    help: "HTTP port (0: any free port; the one bound is printed)",
  },
  {
    key: "seed",
    flag: "--seed",
    env: "QT_SEED",
    value: "INTEGER",
    fallback: "42",
    help: "seed of the simulated market and models: same seed, same trades",
  },
  {
    key: "symbols",
    flag: "--symbols",
    env: "QT_SYMBOLS",
    value: "SYM,SYM,…",
    fallback: DEFAULT_SYMBOLS.join(","),
    help: "symbols to trade (with --candles, the first one is the file's)",
  },
  {
    key: "speed",
    flag: "--speed",
    env: "QT_SPEED",
    value: "TICKS/S|max",
    fallback: "20",
    help: "market ticks per second (one tick = one candle per symbol)",
  },
  {
    key: "candles",
    flag: "--candles",
    env: "QT_CANDLES",
    value: "FILE",
    fallback: undefined,
    help: "replay a CSV of candles (timestamp,open,high,low,close,volume) instead of simulating",
  },
  {
    key: "duration",
    flag: "--duration",
    env: "QT_DURATION",
    value: "DURATION",
    fallback: undefined,
    help: "end after this long, e.g. 90s, 5m, 1h (default: run until Ctrl-C)",
  },
  {
    key: "untilTrades",
    flag: "--until-trades",
    env: "QT_UNTIL_TRADES",
    value: "N",
    fallback: undefined,
    help: "end after N trades",
  },
  {
    key: "hold",
    flag: "--hold",
    env: "QT_HOLD",
    value: "on|off",
    fallback: "off",
    help: "after a bounded run, keep the dashboard and API up until Ctrl-C",
    switchValue: "on",
  },
  {
    key: "status",
    flag: "--status",
    env: "QT_STATUS",
    value: "auto|tty|lines|off",
    fallback: "auto",
    help: "live status: in place on a TTY, periodic lines otherwise",
  },
  {
    key: "statusInterval",
    flag: "--status-interval",
    env: "QT_STATUS_INTERVAL",
    value: "DURATION",
    fallback: "5s",
    help: "time between status lines when not on a TTY",
  },
  {
    key: "capital",
    flag: "--capital",
    env: "QT_CAPITAL",
    value: "AMOUNT",
    fallback: "100000",
    help: "starting equity of the paper account",
  },
  {
    key: "shutdownTimeout",
    flag: "--shutdown-timeout",
    env: "QT_SHUTDOWN_TIMEOUT",
    value: "DURATION",
    fallback: "10s",
    help: "how long a graceful shutdown may take",
  },
];

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `500ms`, `90s`, `5m`, `1h`, or a bare number of seconds, into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? "s"] ?? 1000);
  return Number.isFinite(ms) ? ms : undefined;
}

const SYMBOL = /^[A-Z0-9]{2,20}$/;

/** A zod check on a string value, with messages that never quote secrets. */
function fields(received: (key: string) => string) {
  const number = (key: string, check: (n: number) => boolean, expected: string) =>
    z.string().transform((text, ctx) => {
      const value = text.trim() === "" ? Number.NaN : Number(text);
      if (!check(value)) {
        ctx.addIssue({ code: "custom", message: `expected ${expected}, received ${received(key)}` });
        return z.NEVER;
      }
      return value;
    });
  const onOff = (key: string) =>
    z.string().transform((text, ctx) => {
      const value = text.toLowerCase();
      if (["on", "true", "1", "yes"].includes(value)) return true;
      if (["off", "false", "0", "no"].includes(value)) return false;
      ctx.addIssue({ code: "custom", message: `expected on or off, received ${received(key)}` });
      return z.NEVER;
    });
  const duration = (key: string, min: number) =>
    z.string().transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms < min) {
        ctx.addIssue({
          code: "custom",
          message: `expected a duration such as 500ms, 90s, 5m or 1h${min > 0 ? ` (at least ${min} ms)` : ""}, received ${received(key)}`,
        });
        return z.NEVER;
      }
      return ms;
    });
  return z.object({
    bus: z.string().transform((text, ctx): BusConfig => {
      if (text === "memory") return { kind: "memory" };
      const nats = /^(nats:\/\/[^\s/]+)(?:\/([A-Za-z0-9_-]{1,64})?)?$/.exec(text);
      if (nats !== null) {
        return { kind: "nats", url: text, servers: nats[1] as string, namespace: nats[2] ?? "qt" };
      }
      ctx.addIssue({
        code: "custom",
        message: `expected "memory" or a NATS URL such as nats://127.0.0.1:4222 (or nats://127.0.0.1:4222/<namespace>), received ${received("bus")}`,
      });
      return z.NEVER;
    }),
    db: z.string().transform((text, ctx): DatabaseConfig => {
      if (/^postgres(ql)?:\/\//.test(text)) {
        try {
          const url = new URL(text);
          if (url.hostname === "" && !url.searchParams.has("host")) throw new Error("no host");
          return { kind: "postgres", url: text };
        } catch {
          ctx.addIssue({
            code: "custom",
            message: "expected a PostgreSQL URL such as postgres://user@host:5432/db",
          });
          return z.NEVER;
        }
      }
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !text.startsWith("file://")) {
        ctx.addIssue({
          code: "custom",
          message: "expected a SQLite file path or a postgres:// URL; other databases are not supported",
        });
        return z.NEVER;
      }
      const path = text.replace(/^(file:\/\/|sqlite:)/, "");
      if (path.trim() === "") {
        ctx.addIssue({ code: "custom", message: "expected a SQLite file path, received an empty string" });
        return z.NEVER;
      }
      return { kind: "sqlite", path };
    }),
    discordWebhook: z
      .string()
      .optional()
      // The notifier's own parser: what passes here, the notifier accepts.
      .refine((text) => text === undefined || parseWebhookUrl(text) !== undefined, {
        message: "expected a Discord webhook URL: https://discord.com/api/webhooks/<id>/<token>",
      }),
    smtpUrl: z
      .string()
      .optional()
      .refine((text) => text === undefined || parseSmtpUrl(text) !== undefined, {
        message: "expected an SMTP URL: smtp://user:password@host:587 or smtps://user:password@host:465",
      }),
    emailTo: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return undefined;
        const list = text
          .split(",")
          .map((address) => address.trim())
          .filter((address) => address !== "");
        const bad = list.filter((address) => !isMailbox(address));
        if (list.length === 0 || bad.length > 0) {
          ctx.addIssue({
            code: "custom",
            message:
              list.length === 0
                ? "expected at least one email address"
                : `expected email addresses, comma-separated; not an address: ${bad.map((b) => JSON.stringify(b)).join(", ")}`,
          });
          return z.NEVER;
        }
        return list;
      }),
    emailFrom: z.string().refine((text) => isMailbox(text), {
      message: "expected an email address, or a name and <address>",
    }),
    http: onOff("http"),
    hold: onOff("hold"),
    host: z.string().refine((text) => /^[\w.:-]+$/.test(text) && text !== "", {
      message: "expected an IP address or host name",
    }),
    port: number("port", (n) => Number.isInteger(n) && n >= 0 && n <= 65_535, "an integer in [0, 65535]"),
    seed: number(
      "seed",
      (n) => Number.isInteger(n) && n >= 0 && n <= 4_294_967_295,
      "an integer in [0, 4294967295]",
    ),
    symbols: z.string().transform((text, ctx) => {
      const list = text
        .split(",")
        .map((symbol) => symbol.trim().toUpperCase())
        .filter((symbol) => symbol !== "");
      const bad = list.filter((symbol) => !SYMBOL.test(symbol));
      const duplicates = list.filter((symbol, i) => list.indexOf(symbol) !== i);
      if (list.length === 0 || list.length > 50 || bad.length > 0 || duplicates.length > 0) {
        ctx.addIssue({
          code: "custom",
          message:
            list.length === 0
              ? "expected at least one symbol"
              : list.length > 50
                ? `expected at most 50 symbols, received ${list.length}`
                : bad.length > 0
                  ? `expected symbols of 2 to 20 letters or digits; not a symbol: ${bad.map((b) => JSON.stringify(b)).join(", ")}`
                  : `symbols must be distinct; repeated: ${[...new Set(duplicates)].join(", ")}`,
        });
        return z.NEVER;
      }
      return list;
    }),
    speed: z.string().transform((text, ctx): number | "max" => {
      if (text === "max") return "max";
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value) || value <= 0 || value > 100_000) {
        ctx.addIssue({
          code: "custom",
          message: `expected ticks per second in (0, 100000] or "max", received ${received("speed")}`,
        });
        return z.NEVER;
      }
      return value;
    }),
    candles: z
      .string()
      .optional()
      .superRefine((file, ctx) => {
        if (file === undefined) return;
        try {
          if (!statSync(file).isFile()) ctx.addIssue({ code: "custom", message: `${file} is not a file` });
        } catch {
          ctx.addIssue({ code: "custom", message: `${file} does not exist or cannot be read` });
        }
      }),
    duration: duration("duration", 1).optional(),
    untilTrades: number("untilTrades", (n) => Number.isInteger(n) && n >= 1, "an integer >= 1").optional(),
    status: z.enum(["auto", "tty", "lines", "off"], {
      error: () => `expected auto, tty, lines or off, received ${received("status")}`,
    }),
    statusInterval: duration("statusInterval", 100),
    capital: number("capital", (n) => Number.isFinite(n) && n > 0 && n <= 1e12, "a number > 0"),
    shutdownTimeout: duration("shutdownTimeout", 100),
  });
}

/**
 * Reads the settings from command-line flags (which win) and environment variables, with a
 * default for each; returns the checked configuration, or a {@link ConfigError} naming every bad
 * setting as the user gave it. Reads nothing else but the candle file's existence.
 *
 * @example
 * ```ts
 * const result = parseConfig(process.argv.slice(2), process.env);
 * if (!result.ok) { console.error(result.error.message); process.exit(2); }
 * ```
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; config: TraderConfig } | { ok: false; error: ConfigError } {
  const issues: ConfigIssue[] = [];
  const fromFlags = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (arg === "--") continue;
    const [name, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg];
    const setting = SETTINGS.find((s) => s.flag === name);
    if (setting === undefined) {
      issues.push({
        setting: name,
        message: name.startsWith("-") ? "unknown flag" : "unexpected argument (flags start with --)",
      });
      continue;
    }
    if (setting.switchValue !== undefined) {
      if (inline !== undefined) issues.push({ setting: name, message: "takes no value" });
      fromFlags.set(setting.key, setting.switchValue);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) {
      issues.push({ setting: name, message: `needs a value (${setting.value})` });
      continue;
    }
    if (inline === undefined) i++;
    fromFlags.set(setting.key, value);
  }

  const raw: Record<string, string | undefined> = {};
  const source = new Map<string, string>();
  for (const setting of SETTINGS) {
    const flagValue = fromFlags.get(setting.key);
    const envValue = env[setting.env];
    if (flagValue !== undefined) {
      raw[setting.key] = flagValue;
      source.set(setting.key, setting.flag);
    } else if (envValue !== undefined && envValue !== "") {
      raw[setting.key] = envValue;
      source.set(setting.key, setting.env);
    } else {
      raw[setting.key] = setting.fallback;
      source.set(setting.key, `${setting.env} (default)`);
    }
  }
  const received = (key: string) => {
    const setting = SETTINGS.find((s) => s.key === key);
    const text = raw[key] ?? "";
    if (setting?.secret === true) return "a value that is not one";
    return text === ""
      ? "an empty string"
      : JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  };
  const nameOf = (key: string) => source.get(key) ?? key;

  const parsed = fields(received).safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "");
      issues.push({ setting: nameOf(key), message: issue.message });
    }
  }
  const data = parsed.success ? parsed.data : undefined;

  const notes: string[] = [];
  if (data !== undefined) {
    if (data.smtpUrl !== undefined && data.emailTo === undefined) {
      const setting = nameOf("smtpUrl").startsWith("--") ? "--email-to" : "QT_EMAIL_TO";
      issues.push({ setting, message: `needed when ${nameOf("smtpUrl")} is set` });
    }
    if (data.smtpUrl === undefined && data.emailTo !== undefined) {
      notes.push(`${nameOf("emailTo")} is set but no SMTP server is: email alerts stay off`);
    }
    if (data.candles !== undefined) {
      notes.push(
        `the candles of ${data.candles} are traded as ${data.symbols[0]} (the first of the symbols)`,
      );
    }
    if (data.hold && !data.http) notes.push("--hold has no effect without the HTTP server");
  }
  if (issues.length > 0 || data === undefined) {
    return { ok: false, error: new ConfigError(dedupe(issues)) };
  }

  const config: TraderConfig = {
    bus: data.bus,
    database: data.db,
    discord: data.discordWebhook === undefined ? undefined : { webhookUrl: data.discordWebhook },
    email:
      data.smtpUrl === undefined || data.emailTo === undefined
        ? undefined
        : { smtpUrl: data.smtpUrl, to: data.emailTo, from: data.emailFrom },
    http: { enabled: data.http, host: data.host, port: data.port },
    seed: data.seed,
    symbols: data.candles === undefined ? data.symbols : data.symbols.slice(0, 1),
    speed: data.speed,
    candles: data.candles,
    durationMs: data.duration,
    untilTrades: data.untilTrades,
    hold: data.hold,
    status: data.status,
    statusIntervalMs: data.statusInterval,
    capital: data.capital,
    shutdownTimeoutMs: data.shutdownTimeout,
    notes,
    help,
  };
  return { ok: true, config };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.setting}\0${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Hides the secret part of a URL: the password, and a Discord webhook's token.
 *
 * @example
 * ```ts
 * redactUrl("smtp://bot:hunter2@mail.example.com:587"); // "smtp://bot:***@mail.example.com:587"
 * ```
 */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== "") url.password = "***";
    url.pathname = url.pathname.replace(/(\/webhooks\/\d+\/)[^/]+/, "$1***");
    url.search = url.search === "" ? "" : "?***";
    return url.toString();
  } catch {
    return "***";
  }
}

/**
 * The configuration as startup lines, secrets redacted.
 *
 * @example
 * ```ts
 * for (const line of describeConfig(config)) console.log(line);
 * ```
 */
export function describeConfig(config: TraderConfig): string[] {
  const db =
    config.database.kind === "sqlite" ? `sqlite ${config.database.path}` : redactUrl(config.database.url);
  return [
    `market   ${config.candles === undefined ? `simulated, seed ${config.seed}` : `replay of ${config.candles}`} · ${config.symbols.join(", ")} · ${config.speed === "max" ? "max speed" : `${config.speed} ticks/s`}`,
    `bus      ${config.bus.kind === "memory" ? "in-memory" : redactUrl(config.bus.url)}`,
    `store    ${db}`,
    `alerts   discord ${config.discord === undefined ? "off" : redactUrl(config.discord.webhookUrl)} · email ${config.email === undefined ? "off" : `${redactUrl(config.email.smtpUrl)} → ${config.email.to.join(", ")}`}`,
  ];
}

/**
 * The `--help` text: every flag, its variable and its default.
 *
 * @example
 * ```ts
 * process.stdout.write(usage());
 * ```
 */
export function usage(): string {
  const rows = SETTINGS.map((s) => {
    const flag = s.switchValue === undefined ? `${s.flag} ${s.value}` : s.flag;
    const fallback = s.fallback === undefined ? "" : ` (default ${s.fallback})`;
    return `  ${flag.padEnd(36)} ${s.env.padEnd(24)} ${s.help}${fallback}`;
  });
  return [
    "Usage: qt-trader [flags]",
    "",
    "Runs a paper-trading session of Quantum Trader with a live dashboard. Flags win over",
    "environment variables. Exit codes: 0 done, 1 fatal error, 2 invalid configuration.",
    "",
    `  ${"flag".padEnd(36)} ${"variable".padEnd(24)} meaning`,
    ...rows,
    `  ${"--help".padEnd(36)} ${"".padEnd(24)} this text`,
    "",
  ].join("\n");
}
