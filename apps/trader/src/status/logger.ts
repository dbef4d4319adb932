import type { Logger } from "@qt/eventbus";

/**
 * The app's logger: the bus's `Logger` shape (pino-style `warn(fields, message)`), plus `info`.
 *
 * @example
 * ```ts
 * const log = createLogger((line) => process.stderr.write(`${line}\n`));
 * log.warn({ line: 17 }, "bad candle row skipped");
 * ```
 */
export interface AppLogger extends Logger {
  info(fields: Record<string, unknown>, message: string): void;
}

/**
 * One readable line per entry: `12:03:04 warn  message key=value …`. Fields are printed as
 * given: callers never pass payloads or secrets (the components' loggers follow the same rule).
 *
 * @example
 * ```ts
 * const log = createLogger((line) => status.print(process.stderr, line));
 * ```
 */
export function createLogger(write: (line: string) => void, now: () => Date = () => new Date()): AppLogger {
  const entry = (level: string) => (fields: Record<string, unknown>, message: string) => {
    const time = now().toISOString().slice(11, 19);
    const extra = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${format(value)}`)
      .join(" ");
    write(`${time} ${level.padEnd(5)} ${message}${extra === "" ? "" : ` ${extra}`}`);
  };
  return { info: entry("info"), warn: entry("warn"), error: entry("error") };
}

function format(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
