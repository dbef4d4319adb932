import { randomUUID } from "node:crypto";
import {
  backoffDelay,
  consoleLogger,
  type DeadLetterReason,
  type DeadLetterStore,
  type HandlerRef,
  InMemoryDeadLetterStore,
  type Logger,
  type RetryPolicy,
  type Subscription,
} from "@qt/eventbus";
import type { QtEvent, QtEventType } from "@qt/events";
import { z } from "zod";
import { type Alert, createAlert, ruleName } from "./alert.js";
import type { Channel } from "./channel.js";
import { type NotifierOptions, notifierOptionsShape, parseOptions } from "./config.js";
import { ChannelClosedError, type NotifierError, QueueFullError, SendError } from "./errors.js";
import { createRedactor, type Redactor, redactingLogger } from "./redact.js";
import { type AnyAlertRule, defaultRules } from "./rules.js";
import { StormFilter } from "./storm-filter.js";
import { TokenBucket } from "./token-bucket.js";

/**
 * A notifier's counters.
 *
 * @example
 * ```ts
 * const { sent, suppressed, retried, failed, queued } = notifier.getStats();
 * ```
 */
export interface NotifierStats {
  /** Alerts the channel accepted. */
  readonly sent: number;
  /** Alerts not sent because a similar one was sent within the storm window. */
  readonly suppressed: number;
  /** Attempts that failed transiently and were tried again. */
  readonly retried: number;
  /** Alerts given up on (dead-lettered): permanent failure, retries exhausted, queue full or closed. */
  readonly failed: number;
  /** Alerts waiting or being sent. */
  readonly queued: number;
}

/**
 * A notifier's health, for a health check endpoint or the health monitor.
 *
 * @example
 * ```ts
 * const { healthy, lastError } = notifier.health();
 * if (!healthy) log.warn({ lastError }, "alert channel failing");
 * ```
 */
export interface NotifierHealth {
  /** False once closed, while the queue is full, or when the last alert finished failed. */
  readonly healthy: boolean;
  /** The last failure's message (redacted), if any. */
  readonly lastError?: string;
  /** When the channel last accepted an alert. */
  readonly lastSuccessAt?: Date;
  /** When an alert last failed for good. */
  readonly lastFailureAt?: Date;
  /** Alerts that failed for good since the last success. */
  readonly consecutiveFailures: number;
}

/**
 * Options of a {@link Notifier} built on your own {@link Channel}.
 *
 * @example
 * ```ts
 * const options: ChannelNotifierOptions = { eventBus: bus, channel: slackChannel, secrets: [slackToken] };
 * ```
 */
export interface ChannelNotifierOptions extends NotifierOptions {
  /** Where alerts go. The notifier closes it in `close()`. */
  readonly channel: Channel;
  /** Strings to remove from every log line, error and dead letter (tokens, passwords). */
  readonly secrets?: readonly string[];
}

/**
 * Options of {@link Notifier.close}.
 *
 * @example
 * ```ts
 * await notifier.close({ timeoutMs: 2_000 });
 * ```
 */
export interface CloseOptions {
  /** How long to drain before dead-lettering what is left. Default: the notifier's `closeTimeoutMs`. */
  readonly timeoutMs?: number;
}

interface Item {
  readonly alert: Alert;
  readonly ticket: number;
  attempts: number;
}

interface History {
  latest: QtEvent;
  before: QtEvent | undefined;
}

const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: "full",
};

const coreSchema = z.strictObject({
  ...notifierOptionsShape,
  channel: z.custom<Channel>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      typeof (v as Channel).send === "function" &&
      typeof (v as Channel).close === "function",
    { error: "expected a Channel (an object with send() and close())" },
  ),
  secrets: z.array(z.string()).optional(),
});

/**
 * Turns bus events into alerts on one channel: rules → alert → storm filter → queue → rate limit
 * → send with retries → dead letter. `DiscordNotifier` and `EmailNotifier` are notifiers with
 * their channel built in; use this class directly for a channel of your own.
 *
 * The bus is never kept waiting: the subscription handler evaluates the rules and enqueues, and
 * returns at once. A worker of this notifier's own sends, one alert at a time, so a slow or
 * failing channel delays nothing but its own queue.
 *
 * @example
 * ```ts
 * const notifier = new Notifier({ eventBus: bus, channel: consoleChannel, rules: defaultRules() });
 * await bus.publish(HealthStatusChangedEvent.create({ old_status: "HEALTHY", new_status: "CRITICAL",
 *   component: "DrawdownGuard", reason: "Daily drawdown exceeded", metrics: { dd: -5.2 } }));
 * await bus.idle();
 * await notifier.idle(); // the alert has been sent (or dead-lettered)
 * await notifier.close();
 * ```
 */
export class Notifier {
  /** Name in logs, dead letters and `requeue`. */
  readonly name: string;
  /** Where alerts that could not be delivered are kept: the one given in the options, or its own. */
  readonly deadLetters: DeadLetterStore;

  readonly #channel: Channel;
  readonly #redact: Redactor;
  readonly #logger: Logger;
  readonly #rulesByType = new Map<string, AnyAlertRule[]>();
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #history = new Map<string, History>();
  readonly #storms: StormFilter;
  readonly #bucket: TokenBucket;
  readonly #retry: RetryPolicy;
  readonly #maxQueueSize: number;
  readonly #maxRetryAfterMs: number;
  readonly #closeTimeoutMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  /** Event ids whose alert is queued or was sent: a redelivered event is not sent twice. */
  readonly #accepted = new Set<string>();
  readonly #queue: Item[] = [];
  readonly #abort = new AbortController();
  #idleWaiters: (() => void)[] = [];
  #worker: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #closed = false;

  #sent = 0;
  #suppressed = 0;
  #retried = 0;
  #failed = 0;
  #lastError: string | undefined;
  #lastSuccessAt: number | undefined;
  #lastFailureAt: number | undefined;
  #consecutiveFailures = 0;

  /**
   * Validates the options, then subscribes to every event type a rule names.
   *
   * @throws {@link ConfigError} naming each invalid option; nothing is subscribed then.
   */
  constructor(options: ChannelNotifierOptions) {
    const redact = createRedactor(options?.secrets ?? []);
    const component = typeof options?.name === "string" && options.name !== "" ? options.name : "Notifier";
    const o = parseOptions(component, coreSchema, options, redact);
    this.name = o.name ?? "Notifier";
    this.#channel = o.channel;
    this.#redact = redact;
    this.#logger = redactingLogger(o.logger ?? consoleLogger(), redact);
    this.deadLetters = o.deadLetters ?? new InMemoryDeadLetterStore({ capacity: 1_000 });
    this.#now = (o.now as (() => number) | undefined) ?? Date.now;
    this.#random = (o.random as (() => number) | undefined) ?? Math.random;
    this.#storms = new StormFilter({ windowMs: o.stormWindowMs ?? 5 * 60_000 });
    this.#bucket = new TokenBucket(o.rateLimit ?? { limit: 30, intervalMs: 60_000 }, this.#now());
    this.#retry = { ...DEFAULT_RETRY, ...stripUndefined(o.retry ?? {}) };
    this.#maxQueueSize = o.maxQueueSize ?? 1_000;
    this.#maxRetryAfterMs = o.maxRetryAfterMs ?? 60_000;
    this.#closeTimeoutMs = o.closeTimeoutMs ?? 5_000;

    // The caller's rule objects, not zod's copies: rules are values with functions, kept as given.
    for (const rule of options.rules ?? defaultRules()) {
      const list = this.#rulesByType.get(rule.type) ?? [];
      list.push(rule);
      this.#rulesByType.set(rule.type, list);
    }
    for (const type of this.#rulesByType.keys()) {
      const subscription = o.eventBus.subscribe(
        type as QtEventType,
        (event: QtEvent) => {
          this.#onEvent(event);
        },
        // The handler never throws, so the bus has nothing to retry.
        { name: this.name, retry: { maxAttempts: 1 } },
      );
      this.#subscriptions.set(type, subscription);
    }
  }

  /** The channel's name, e.g. `discord`. */
  get channelName(): string {
    return this.#channel.name;
  }

  /** A snapshot of the counters. Never contains secrets (it is numbers only). */
  getStats(): NotifierStats {
    return {
      sent: this.#sent,
      suppressed: this.#suppressed,
      retried: this.#retried,
      failed: this.#failed,
      queued: this.#queue.length,
    };
  }

  /** Whether the channel is delivering; see {@link NotifierHealth}. */
  health(): NotifierHealth {
    const healthy =
      !this.#closed && this.#queue.length < this.#maxQueueSize && this.#consecutiveFailures === 0;
    return {
      healthy,
      consecutiveFailures: this.#consecutiveFailures,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      ...(this.#lastSuccessAt === undefined ? {} : { lastSuccessAt: new Date(this.#lastSuccessAt) }),
      ...(this.#lastFailureAt === undefined ? {} : { lastFailureAt: new Date(this.#lastFailureAt) }),
    };
  }

  /**
   * Resolves when nothing is queued or being sent (each alert sent or dead-lettered). Tests await
   * this (after `bus.idle()`) instead of sleeping.
   */
  idle(): Promise<void> {
    if (this.#worker === undefined) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Unsubscribes, then lets the queue drain for up to `timeoutMs`; what is still queued or being
   * sent then is dead-lettered (reason `shutdown`, code `CHANNEL_CLOSED`). Closes the channel.
   * Idempotent: later calls return the same promise.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    for (const subscription of this.#subscriptions.values()) subscription.unsubscribe();
    const timeoutMs = options.timeoutMs ?? this.#closeTimeoutMs;
    this.#closing = (async () => {
      if (this.#worker !== undefined) {
        const timer = setTimeout(() => this.#abort.abort(), timeoutMs);
        await this.#worker;
        clearTimeout(timer);
      }
      this.#abort.abort();
      // Only when the worker was stopped by the deadline can items be left.
      for (const item of this.#queue.splice(0)) {
        this.#giveUp(item, "shutdown", new ChannelClosedError(this.name));
      }
      this.#resolveIdle();
      try {
        await this.#channel.close();
      } catch (error) {
        this.#logger.warn(
          { notifier: this.name, error: this.#message(error) },
          "notifier channel close failed",
        );
      }
    })();
    return this.#closing;
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // --- intake: runs inside the bus's delivery, so it never awaits ---------------------------

  #onEvent(event: QtEvent): void {
    if (this.#closed || this.#accepted.has(event.id)) return;
    const previous = this.#remember(event);
    for (const rule of this.#rulesByType.get(event.type) ?? []) {
      let alert: Alert;
      try {
        const r = rule as unknown as { when?: (e: QtEvent, p: QtEvent | undefined) => boolean };
        if (r.when !== undefined && !r.when(event, previous)) continue;
        alert = createAlert(rule, event, previous, 0);
      } catch (error) {
        this.#logger.error(
          {
            notifier: this.name,
            rule: ruleName(rule),
            eventType: event.type,
            eventId: event.id,
            error: this.#message(error),
          },
          "alert rule failed",
        );
        continue;
      }
      this.#admit(alert);
      return;
    }
  }

  /** Records the event as the latest of its type; returns the one before (another id). */
  #remember(event: QtEvent): QtEvent | undefined {
    const history = this.#history.get(event.type);
    if (history === undefined) {
      this.#history.set(event.type, { latest: event, before: undefined });
      return undefined;
    }
    // A requeued or redelivered event must compare with the one before it, not with itself.
    if (history.latest.id === event.id) return history.before;
    const previous = history.latest;
    history.before = previous;
    history.latest = event;
    return previous;
  }

  #admit(draft: Alert): void {
    const decision = this.#storms.admit(draft.event.type, draft.stormKey, this.#now());
    if (!decision.send) {
      this.#suppressed++;
      return;
    }
    const item: Item = {
      alert: { ...draft, suppressed: decision.suppressed },
      ticket: decision.ticket,
      attempts: 0,
    };
    if (this.#queue.length >= this.#maxQueueSize) {
      this.#giveUp(item, "handler-failed", new QueueFullError(this.name, this.#maxQueueSize));
      return;
    }
    this.#queue.push(item);
    this.#accepted.add(draft.event.id);
    if (this.#accepted.size > 10_000) this.#accepted.delete(this.#accepted.values().next().value as string);
    this.#worker ??= this.#run();
  }

  // --- the worker: one alert at a time ------------------------------------------------------

  async #run(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#abort.signal.aborted) {
        const item = this.#queue[0] as Item;
        let delivered = true;
        try {
          delivered = await this.#deliver(item);
        } catch (error) {
          // Only a throwing logger or store gets here: give the alert up rather than loop on it.
          this.#logger.error({ notifier: this.name, error: this.#message(error) }, "notifier worker failed");
        }
        // On abort the item stays queued: close() dead-letters it with the rest.
        if (delivered || !this.#abort.signal.aborted) this.#queue.shift();
      }
    } finally {
      this.#worker = undefined;
      if (this.#queue.length === 0 || this.#abort.signal.aborted) this.#resolveIdle();
    }
  }

  /** Sends one alert with retries. Returns false when interrupted by close(). */
  async #deliver(item: Item): Promise<boolean> {
    const signal = this.#abort.signal;
    try {
      for (let wait = this.#bucket.take(this.#now()); wait > 0; wait = this.#bucket.take(this.#now())) {
        await sleep(wait, signal);
      }
      for (;;) {
        item.attempts++;
        try {
          await untilAborted(this.#channel.send(item.alert, signal), signal);
          this.#sent++;
          this.#lastSuccessAt = this.#now();
          this.#consecutiveFailures = 0;
          return true;
        } catch (error) {
          if (signal.aborted) return false;
          const failure = this.#toSendError(error);
          this.#lastError = failure.message;
          if (!failure.transient || item.attempts >= this.#retry.maxAttempts) {
            this.#giveUp(item, "handler-failed", failure);
            return true;
          }
          const delayMs =
            failure.retryAfterMs !== undefined
              ? Math.min(failure.retryAfterMs, this.#maxRetryAfterMs)
              : backoffDelay(this.#retry, item.attempts, this.#random);
          this.#retried++;
          this.#logger.warn(
            { ...this.#logFields(item), status: failure.status, delayMs, error: failure.message },
            "notification failed, retrying",
          );
          await sleep(delayMs, signal);
        }
      }
    } catch (error) {
      if (signal.aborted) return false;
      throw error;
    }
  }

  #giveUp(item: Item, reason: DeadLetterReason, error: NotifierError): void {
    const { alert } = item;
    this.#failed++;
    this.#consecutiveFailures++;
    this.#lastFailureAt = this.#now();
    this.#lastError = this.#redact(error.message);
    this.#accepted.delete(alert.event.id);
    this.#storms.release(alert.event.type, alert.stormKey, item.ticket, alert.suppressed);
    const subscription = this.#subscriptions.get(alert.event.type);
    const handler: HandlerRef = {
      subscriptionId: subscription?.id ?? "",
      pattern: alert.event.type,
      handlerName: this.name,
      group: undefined,
    };
    try {
      this.deadLetters.add({
        id: randomUUID(),
        event: alert.event,
        handler,
        reason,
        error: { name: error.name, message: this.#redact(error.message), code: error.code, stack: undefined },
        attempts: item.attempts,
        deadLetteredAt: new Date(),
      });
    } catch (storeError) {
      this.#logger.error(
        { ...this.#logFields(item), error: this.#message(storeError) },
        "dead-letter store refused an alert",
      );
    }
    this.#logger.error(
      { ...this.#logFields(item), code: error.code, reason, error: this.#lastError },
      "notification dead-lettered",
    );
  }

  #toSendError(error: unknown): SendError {
    if (error instanceof SendError) {
      const message = this.#redact(error.message);
      return message === error.message
        ? error
        : new SendError({
            channel: error.channel,
            message,
            transient: error.transient,
            retryAfterMs: error.retryAfterMs,
            status: error.status,
            reason: error.reason,
          });
    }
    return new SendError({ channel: this.#channel.name, message: this.#message(error), transient: true });
  }

  #logFields(item: Item): Record<string, unknown> {
    return {
      notifier: this.name,
      channel: this.#channel.name,
      rule: item.alert.rule,
      eventType: item.alert.event.type,
      eventId: item.alert.event.id,
      attempt: item.attempts,
    };
  }

  #message(error: unknown): string {
    return this.#redact(error instanceof Error ? error.message : String(error));
  }

  #resolveIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function stripUndefined<T extends object>(value: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<{
    [K in keyof T]: Exclude<T[K], undefined>;
  }>;
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Settles like `promise`, or rejects as soon as `signal` aborts (the promise keeps running). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
