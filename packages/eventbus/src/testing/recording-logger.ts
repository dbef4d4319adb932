import type { Logger } from "../logger.js";

/** One captured log line. */
export interface LogEntry {
  /** Which {@link "@qt/eventbus"!Logger} method was called. */
  readonly level: "warn" | "error";
  /** The message as logged, e.g. `"event handler failed"`. */
  readonly message: string;
  /** The structured fields as logged (ids, types, handler names; never payloads). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A {@link "@qt/eventbus"!Logger} that keeps every entry in `entries`, for assertions. */
export interface RecordingLogger extends Logger {
  /** Every call so far, oldest first. A live array: clear it with `entries.length = 0`. */
  readonly entries: LogEntry[];
}

/**
 * Creates a logger that records instead of writing.
 *
 * @example
 * ```ts
 * const logger = createRecordingLogger();
 * const bus = new InMemoryEventBus({ logger });
 * // ...
 * expect(logger.entries.map((e) => e.message)).toContain("event handler failed");
 * ```
 */
export function createRecordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  return {
    entries,
    warn: (fields, message) => entries.push({ level: "warn", message, fields }),
    error: (fields, message) => entries.push({ level: "error", message, fields }),
  };
}
