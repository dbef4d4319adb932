import type { EventEnvelope } from "../envelope.js";
import type { EventBus } from "../event-bus.js";
import type { AnyEventOf, EventForPattern, EventMap, PatternOf } from "../event-map.js";

/** Records what a bus delivers, for assertions. */
export interface EventRecorder<E extends EventEnvelope> {
  /** Every event received so far, in order of delivery. */
  readonly events: readonly E[];
  /** The payloads, in order. */
  payloads(): E["payload"][];
  /** Resolves once `count` events have been recorded (at once if they already are). */
  waitForCount(count: number, options?: { timeoutMs?: number }): Promise<readonly E[]>;
  /** Forgets what was recorded. */
  clear(): void;
  /** Unsubscribes. */
  stop(): void;
}

/**
 * Subscribes to `pattern` (default `>`, everything) and records each event delivered.
 *
 * @example
 * ```ts
 * const trades = recordEvents(bus, "trade.executed");
 * await executor.fill(order);
 * await bus.idle();
 * expect(trades.payloads()).toEqual([expect.objectContaining({ symbol: "BTCUSDT" })]);
 * ```
 */
export function recordEvents<M extends EventMap, P extends PatternOf<M>>(
  bus: EventBus<M>,
  pattern: P = ">" as P,
): EventRecorder<EventForPattern<M, P>> {
  const events: EventForPattern<M, P>[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const subscription = bus.subscribe(
    pattern,
    (event) => {
      events.push(event);
      if (waiters.length > 0) {
        const ready = waiters.filter((w) => events.length >= w.count);
        waiters = waiters.filter((w) => events.length < w.count);
        for (const w of ready) w.resolve();
      }
    },
    { name: `recorder(${pattern})`, retry: { maxAttempts: 1 } },
  );
  return {
    events,
    payloads: () => events.map((e) => e.payload),
    waitForCount(count, options = {}) {
      if (events.length >= count) return Promise.resolve(events);
      const pending = new Promise<void>((resolve) => waiters.push({ count, resolve }));
      return withTimeout(
        pending,
        options.timeoutMs ?? 5_000,
        `${count} "${pattern}" events (got ${events.length})`,
      ).then(() => events);
    },
    clear: () => {
      events.length = 0;
    },
    stop: () => subscription.unsubscribe(),
  };
}

/**
 * Resolves with the next event matching `pattern` (and `predicate`, if given) delivered after
 * the call. Rejects after `timeoutMs` (default 5 s) so that a broken flow fails the test instead
 * of hanging it.
 *
 * @example
 * ```ts
 * const policy = nextEvent(bus, "policy.updated", (e) => e.payload.risk_mode === "DEFENSIVE");
 * await monitor.report(critical);
 * expect((await policy).payload.max_positions).toBe(3);
 * ```
 */
export function nextEvent<M extends EventMap, P extends PatternOf<M>>(
  bus: EventBus<M>,
  pattern: P,
  predicate: (event: EventForPattern<M, P>) => boolean = () => true,
  options: { timeoutMs?: number } = {},
): Promise<EventForPattern<M, P>> {
  let unsubscribe = () => {};
  const found = new Promise<EventForPattern<M, P>>((resolve) => {
    const subscription = bus.subscribe(
      pattern,
      (event) => {
        if (!predicate(event)) return;
        subscription.unsubscribe();
        resolve(event);
      },
      { name: `nextEvent(${pattern})`, retry: { maxAttempts: 1 } },
    );
    unsubscribe = subscription.unsubscribe;
  });
  return withTimeout(found, options.timeoutMs ?? 5_000, `a "${pattern}" event`).finally(() => unsubscribe());
}

/** Publishes each event in turn; a convenience for arranging tests. */
export async function publishAll<M extends EventMap>(
  bus: EventBus<M>,
  events: Iterable<AnyEventOf<M>>,
): Promise<void> {
  for (const event of events) await bus.publish(event);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
