import type { StormKey } from "./storm-key.js";

/**
 * What {@link StormFilter.admit} decided: send (with the count suppressed before, and a ticket
 * for {@link StormFilter.release}) or suppress.
 *
 * @example
 * ```ts
 * const decision: StormDecision = storms.admit(event.type, alert.stormKey, Date.now());
 * if (decision.send) queue.push({ ...alert, suppressed: decision.suppressed });
 * ```
 */
export type StormDecision =
  | {
      /** Send the alert. */
      readonly send: true;
      /** Repeats of this subject suppressed since its last sent alert (or carried over by `release`); 0 if none. */
      readonly suppressed: number;
      /** Identifies this admission; pass it to {@link StormFilter.release} if the alert is never delivered. */
      readonly ticket: number;
    }
  | {
      /** Suppress the alert: it was counted towards the next one sent for its subject. */
      readonly send: false;
    };

interface Entry {
  status: string;
  /** When the last alert of this subject was admitted; undefined once it failed to deliver. */
  sentAt: number | undefined;
  ticket: number;
  suppressed: number;
}

/**
 * Contains alert storms. Per subject (event type + subject of the {@link StormKey}), the first
 * alert in a status is sent; repeats in the same status within `windowMs` of it are suppressed
 * and counted, and the next alert sent for that subject carries the count. A change of status is
 * always sent, so suppression never hides a state change (CRITICAL, HEALTHY, CRITICAL sends all
 * three). If a sent alert finally fails, {@link release} reopens the window, so the next repeat is
 * not suppressed behind an alert nobody received.
 *
 * Memory: at most `maxSubjects` subjects, least recently alerted forgotten first.
 *
 * @example
 * ```ts
 * const storms = new StormFilter({ windowMs: 300_000 });
 * storms.admit("health.status_changed", { subject: "Feed", status: "CRITICAL" }, now); // { send: true, suppressed: 0, ... }
 * storms.admit("health.status_changed", { subject: "Feed", status: "CRITICAL" }, now + 1); // { send: false }
 * ```
 */
export class StormFilter {
  readonly #windowMs: number;
  readonly #maxSubjects: number;
  readonly #entries = new Map<string, Entry>();
  #tickets = 0;

  constructor(options: { windowMs: number; maxSubjects?: number }) {
    this.#windowMs = options.windowMs;
    this.#maxSubjects = options.maxSubjects ?? 10_000;
  }

  /** Subjects remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Decides whether an alert about `key` of event `type` is sent at time `now`. When it is, the
   * decision's `ticket` identifies it for {@link release}.
   */
  admit(type: string, key: StormKey, now: number): StormDecision {
    const id = `${type}\u0000${key.subject}`;
    const entry = this.#entries.get(id);
    if (
      entry !== undefined &&
      entry.status === key.status &&
      entry.sentAt !== undefined &&
      now - entry.sentAt < this.#windowMs
    ) {
      entry.suppressed++;
      return { send: false };
    }
    const suppressed = entry?.suppressed ?? 0;
    const ticket = ++this.#tickets;
    // Re-inserting moves the subject to the end: the map's order is least recently alerted first.
    this.#entries.delete(id);
    this.#entries.set(id, { status: key.status, sentAt: now, ticket, suppressed: 0 });
    if (this.#entries.size > this.#maxSubjects) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
    return { send: true, suppressed, ticket };
  }

  /**
   * The alert admitted with `ticket` was never delivered: reopen its window (when it is still the
   * subject's latest) and carry its suppressed count over to the next alert of the subject.
   */
  release(type: string, key: StormKey, ticket: number, suppressed: number): void {
    const entry = this.#entries.get(`${type}\u0000${key.subject}`);
    if (entry === undefined) return;
    if (entry.ticket === ticket) entry.sentAt = undefined;
    entry.suppressed += suppressed;
  }
}
