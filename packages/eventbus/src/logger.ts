import { errorMessage } from "./errors.js";

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

/**
 * Wraps a logger so that a logger that throws cannot break a bus's run loop: its failures are
 * written to stderr instead.
 *
 * @example
 * ```ts
 * const logger = neverThrowing(options.logger ?? consoleLogger());
 * ```
 */
export function neverThrowing(logger: Logger): Logger {
  const guard =
    (method: "warn" | "error") =>
    (fields: Record<string, unknown>, message: string): void => {
      try {
        logger[method](fields, message);
      } catch (error) {
        process.stderr.write(
          `@qt/eventbus: logger.${method} threw (${errorMessage(error)}) logging: ${message}\n`,
        );
      }
    };
  return { warn: guard("warn"), error: guard("error") };
}
