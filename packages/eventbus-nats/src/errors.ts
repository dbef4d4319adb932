import { EventBusError } from "@qt/eventbus";

/**
 * `publish` could not get the server's acknowledgement: the connection is down and the bus is
 * configured to reject (`onPublishOutage: "reject"`), or it waited `outageWaitMs` in vain.
 *
 * The event may or may not be stored: publishing the same event again is safe, because the
 * stream deduplicates by event id (`Nats-Msg-Id`) within its dedup window.
 *
 * `code` is `"BROKER_UNAVAILABLE"`.
 *
 * @example
 * ```ts
 * try { await bus.publish(event); }
 * catch (error) {
 *   if (error instanceof BrokerUnavailableError) await outbox.keep(event); // publish again later
 * }
 * ```
 */
export class BrokerUnavailableError extends EventBusError {
  /** Id of the event that was not acknowledged. */
  readonly eventId: string;
  /** Its type. */
  readonly eventType: string;
  /** Tries made (1 with `reject`). */
  readonly attempts: number;
  /** How long the publish waited before giving up, in ms. */
  readonly waitedMs: number;

  constructor(init: {
    eventId: string;
    eventType: string;
    attempts: number;
    waitedMs: number;
    reason: string;
    cause?: unknown;
  }) {
    super(
      // Not in @qt/eventbus's closed union yet; see this package's README.
      "BROKER_UNAVAILABLE",
      `NATS did not acknowledge "${init.eventType}" event ${init.eventId} (${init.reason}; ${init.attempts} tries in ${Math.round(init.waitedMs)} ms)`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "BrokerUnavailableError";
    this.eventId = init.eventId;
    this.eventType = init.eventType;
    this.attempts = init.attempts;
    this.waitedMs = init.waitedMs;
  }
}
