import type { Alert } from "./alert.js";

/**
 * Where a notifier delivers alerts: the only part that differs between Discord, email or any
 * other service. Everything else (rules, storm suppression, rate limit, queue, retries, dead
 * letters, stats) is the {@link Notifier}'s and written once.
 *
 * A channel classifies its failures: it throws a {@link SendError} whose `transient` says whether
 * the notifier should try again (and `retryAfterMs`, how long the service asked to wait). Anything
 * else it throws counts as transient. Its error messages must not contain secrets; the notifier
 * redacts them again anyway.
 *
 * @example
 * ```ts
 * const consoleChannel: Channel = {
 *   name: "console",
 *   async send(alert) { console.log(`[${alert.severity}] ${alert.title}`); },
 *   close() {},
 * };
 * const notifier = new Notifier({ eventBus, channel: consoleChannel });
 * ```
 */
export interface Channel {
  /** Short name for logs, stats and dead letters, e.g. `discord`. */
  readonly name: string;
  /**
   * Delivers one alert, one attempt. Resolves once the service has accepted it. Should give up
   * when `signal` aborts (the notifier is closing); the notifier stops waiting for it then anyway.
   */
  send(alert: Alert, signal: AbortSignal): Promise<void>;
  /** Releases connections and timers. Called once, by the notifier's `close()`. */
  close(): void | Promise<void>;
}
