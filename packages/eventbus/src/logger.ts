/**
 * The logging the bus needs: structured fields first, message second (the shape of pino's
 * methods, so a pino logger can be passed as is). The bus logs ids, types, handler names and
 * error messages, never payloads: payloads may carry secrets.
 */
export interface Logger {
  /** Something degraded but handled, e.g. a slow handler or events dropped by `drop-oldest`. */
  warn(fields: Record<string, unknown>, message: string): void;
  /** A failure to look at, e.g. a handler error, a dead letter, or a stop deadline reached. */
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * A logger that writes one JSON line per entry to stderr: the default, so that no error is ever
 * swallowed silently.
 */
export function consoleLogger(stream: { write(line: string): unknown } = process.stderr): Logger {
  const write = (level: string, fields: Record<string, unknown>, message: string) => {
    stream.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...fields })}\n`);
  };
  return {
    warn: (fields, message) => write("warn", fields, message),
    error: (fields, message) => write("error", fields, message),
  };
}

/** A logger that discards everything: for benchmarks and tests that assert through `onError` instead. */
export const silentLogger: Logger = Object.freeze({ warn() {}, error() {} });
