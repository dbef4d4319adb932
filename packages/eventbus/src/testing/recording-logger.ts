import type { Logger } from "../logger.js";

/** One captured log line. */
export interface LogEntry {
  readonly level: "warn" | "error";
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A {@link Logger} that keeps every entry in `entries`, for assertions. */
export interface RecordingLogger extends Logger {
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
