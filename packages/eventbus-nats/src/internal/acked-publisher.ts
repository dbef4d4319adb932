import type { JetStreamClient } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import { BrokerUnavailableError } from "../errors.js";
import type { PublishOutagePolicy } from "../options.js";

/** One `publish` until the server acknowledges it or it is given up on. */
interface PendingPublish {
  readonly subject: string;
  readonly data: string;
  readonly msgId: string;
  readonly eventType: string;
  readonly headers: MsgHdrs | undefined;
  readonly startedAt: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  attempts: number;
  /** Incremented when a try is abandoned (disconnect), so its late failure is ignored. */
  attemptId: number;
  inFlight: boolean;
  settled: boolean;
  /** When a parked publish may be tried again (after a failed try: a short pause). */
  retryAt: number;
  lastError: unknown;
}

/** What {@link AckedPublisher} needs to know. */
export interface AckedPublisherOptions {
  readonly policy: PublishOutagePolicy;
  readonly publishTimeoutMs: number;
  readonly outageWaitMs: number;
  readonly now: () => number;
  /** Called once per event the server acknowledged. */
  readonly onAck: (eventType: string) => void;
  /** Called once per publish given up on (rejected with {@link BrokerUnavailableError}). */
  readonly onGiveUp?: () => void;
}

const RETRY_DELAY_MS = 100;
const SWEEP_INTERVAL_MS = 50;

/**
 * Publishes with the server's ack, deduplicated by `Nats-Msg-Id`, through outages: with `wait`
 * a try that fails or is cut by a disconnect is made again (same id) once NATS is back, until
 * `outageWaitMs`; with `reject` the caller learns at once. Every publish settles: nothing waits
 * forever.
 *
 * @example
 * ```ts
 * const publisher = new AckedPublisher({ policy: "wait", publishTimeoutMs: 5_000, outageWaitMs: 30_000, now: Date.now, onAck() {} });
 * publisher.attach(js);
 * publisher.setConnected(true);
 * await publisher.publish("qt.trade.executed", json, event.id, event.type, undefined);
 * ```
 */
export class AckedPublisher {
  readonly #options: AckedPublisherOptions;
  readonly #pending = new Set<PendingPublish>();
  /** Publishes waiting for a connection (or a short pause after a failed try). */
  #waiting: PendingPublish[] = [];
  #js: JetStreamClient | undefined;
  #connected = false;
  #everConnected = false;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #settledWaiters: (() => void)[] = [];

  constructor(options: AckedPublisherOptions) {
    this.#options = options;
  }

  /** Publishes not yet acknowledged or given up on. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Gives the publisher its JetStream client (after the connection and the streams are ready). */
  attach(js: JetStreamClient): void {
    this.#js = js;
    this.#sweep();
  }

  /** Told by the bus on every connection status change. */
  setConnected(connected: boolean): void {
    this.#connected = connected;
    if (connected) {
      this.#everConnected = true;
      this.#sweep();
      return;
    }
    // Tries in flight were written to a dead socket: their acks will never come.
    for (const p of this.#pending) {
      if (!p.inFlight) continue;
      p.inFlight = false;
      p.attemptId++;
      if (this.#options.policy === "reject") {
        this.#fail(p, "the connection to NATS was lost before the ack");
      } else {
        this.#wait(p, 0);
      }
    }
  }

  /** Publishes `data` on `subject` and resolves on the server's ack. */
  publish(
    subject: string,
    data: string,
    msgId: string,
    eventType: string,
    headers: MsgHdrs | undefined,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const p: PendingPublish = {
        subject,
        data,
        msgId,
        eventType,
        headers,
        startedAt: this.#options.now(),
        resolve,
        reject,
        attempts: 0,
        attemptId: 0,
        inFlight: false,
        settled: false,
        retryAt: 0,
        lastError: undefined,
      };
      this.#pending.add(p);
      if (this.#js !== undefined && this.#connected) this.#attempt(p);
      else if (this.#options.policy === "reject" && this.#everConnected && !this.#connected)
        this.#fail(p, "not connected to NATS");
      else this.#wait(p, 0);
    });
  }

  /** Resolves when every publish made so far has settled. */
  settled(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /** Rejects every publish still waiting (the bus is closing for good). */
  abandonAll(reason: string): void {
    for (const p of [...this.#pending]) this.#fail(p, reason);
  }

  #attempt(p: PendingPublish): void {
    const js = this.#js as JetStreamClient;
    p.attempts++;
    p.inFlight = true;
    const attemptId = p.attemptId;
    const options =
      p.headers === undefined
        ? { msgID: p.msgId, timeout: this.#options.publishTimeoutMs }
        : { msgID: p.msgId, timeout: this.#options.publishTimeoutMs, headers: p.headers };
    js.publish(p.subject, p.data, options).then(
      () => this.#acked(p),
      (error: unknown) => this.#attemptFailed(p, attemptId, error),
    );
  }

  #acked(p: PendingPublish): void {
    if (p.settled) return;
    this.#options.onAck(p.eventType);
    this.#settle(p);
    p.resolve();
  }

  #attemptFailed(p: PendingPublish, attemptId: number, error: unknown): void {
    if (p.settled || attemptId !== p.attemptId) return;
    p.inFlight = false;
    p.lastError = error;
    if (this.#options.policy === "reject" || isPermanent(error)) {
      this.#fail(p, describe(error));
      return;
    }
    this.#wait(p, RETRY_DELAY_MS * Math.min(p.attempts, 10));
  }

  /** Parks a publish until the connection is back or its deadline passes; the sweeper checks both. */
  #wait(p: PendingPublish, delayMs: number): void {
    p.retryAt = this.#options.now() + delayMs;
    this.#waiting.push(p);
    this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS);
  }

  #sweep(): void {
    if (this.#waiting.length === 0) return;
    const now = this.#options.now();
    const ready = this.#js !== undefined && this.#connected;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const p of waiting) {
      if (p.settled) continue;
      if (now - p.startedAt >= this.#deadlineOf() && !(ready && p.attempts === 0)) {
        this.#fail(p, p.lastError === undefined ? "NATS unreachable" : describe(p.lastError));
      } else if (ready && now >= p.retryAt) {
        this.#attempt(p);
      } else {
        this.#waiting.push(p);
      }
    }
    if (this.#waiting.length === 0 && this.#sweeper !== undefined) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  #deadlineOf(): number {
    if (this.#options.policy === "wait") return this.#options.outageWaitMs;
    // `reject` fails at once during an outage, but lets a publish made while the bus is still
    // connecting (or setting up its streams) wait for that, as long as one try would.
    return this.#everConnected && !this.#connected ? 0 : this.#options.publishTimeoutMs;
  }

  #fail(p: PendingPublish, reason: string): void {
    if (p.settled) return;
    this.#settle(p);
    this.#options.onGiveUp?.();
    p.reject(
      new BrokerUnavailableError({
        eventId: p.msgId,
        eventType: p.eventType,
        attempts: p.attempts,
        waitedMs: this.#options.now() - p.startedAt,
        reason,
        cause: p.lastError,
      }),
    );
  }

  #settle(p: PendingPublish): void {
    p.settled = true;
    p.inFlight = false;
    this.#pending.delete(p);
    if (this.#pending.size === 0 && this.#settledWaiters.length > 0) {
      const waiters = this.#settledWaiters;
      this.#settledWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

/** A refusal by the stream itself (not a timeout or an outage) will not change by trying again. */
function isPermanent(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, status } = error as { name?: unknown; status?: unknown };
  if (name === "ClosedConnectionError") return true;
  // JetStreamApiError carries the server's status: 503 means "no responders", i.e. not ready yet.
  return name === "JetStreamApiError" && status !== 503;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
