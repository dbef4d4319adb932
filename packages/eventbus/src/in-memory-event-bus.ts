import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  type DeadLetter,
  type DeadLetterReason,
  type DeadLetterStore,
  InMemoryDeadLetterStore,
  toDeadLetterError,
} from "./dead-letter-store.js";
import {
  laneKeyOf,
  nonNegative,
  orderingKey,
  positiveInteger,
  recordHandlerTime,
  reportHandlerFailure,
  type TimedAttempt,
  toSubscription,
} from "./delivery-support.js";
import { assertEventEnvelope, type EventEnvelope } from "./envelope.js";
import {
  BusStoppedError,
  CausationDepthError,
  DeadLetterNotFoundError,
  EventBusError,
  errorMessage,
  type HandlerError,
  type HandlerRef,
  HandlerTimeoutError,
  QueueFullError,
} from "./errors.js";
import type {
  DeliveryContext,
  EventBus,
  EventHandler,
  Ordering,
  RetryPolicy,
  StopOptions,
  SubscribeOptions,
  Subscription,
} from "./event-bus.js";
import {
  currentHandlingContext,
  type HandlingContext,
  runInHandlingContext,
  withCausation,
} from "./event-context.js";
import type { AnyEventOf, EventForPattern, EventMap, PatternOf } from "./event-map.js";
import { consoleLogger, type Logger, neverThrowing } from "./logger.js";
import { type CompiledPattern, compilePattern } from "./pattern.js";
import { backoffDelay, defaultRetryPolicy, resolveRetryPolicy } from "./retry.js";
import { RingQueue } from "./ring-queue.js";
import type { EventSchemaRegistry } from "./schema-registry.js";
import { type BusStats, type MutableTypeStats, StatsCollector } from "./stats.js";

/** What `publish` does when the queue is full. */
export type FullQueuePolicy = "block" | "reject" | "drop-oldest";

/** Options of {@link InMemoryEventBus}. Every one has a default. */
export interface InMemoryEventBusOptions {
  /** Events the queue holds before the full-queue policy applies. Default 10,000. */
  maxQueueSize?: number;
  /**
   * `block` (default): `publish` waits for room, in order. `reject`: `publish` rejects with
   * {@link "@qt/eventbus"!QueueFullError}. `drop-oldest`: the oldest queued event is discarded (counted in
   * `dropped` and passed to `onDrop`).
   */
  fullQueuePolicy?: FullQueuePolicy;
  /**
   * With `block`, how many publishers may wait for room at once; one more is refused with
   * {@link "@qt/eventbus"!QueueFullError}. This keeps memory bounded even when publishers do not await
   * `publish`. Default: `maxQueueSize`.
   */
  maxBlockedPublishers?: number;
  /**
   * Handler invocations running at once, across the bus (those waiting for a retry or their turn
   * in a serial lane included). When reached, the bus stops taking events off the queue, so memory
   * stays bounded. Default 1,024.
   */
  maxConcurrency?: number;
  /** Default retry policy of every subscription. Default: 3 tries, 100 ms backoff doubling, full jitter. */
  retry?: Partial<RetryPolicy>;
  /** Invocations slower than this are counted in `slowHandlers` and logged. Default 100 (ms). */
  slowHandlerMs?: number;
  /** Default time limit of a handler invocation; a timeout is a failure. Default: none. */
  handlerTimeoutMs?: number;
  /** How long `stop()` drains before dead-lettering what is left. Default 10,000 (ms). */
  stopTimeoutMs?: number;
  /** How deep a chain of events publishing events may go before a publish is refused. Default 32. */
  maxCausationDepth?: number;
  /** Validates every published event; invalid ones are refused before they are queued. */
  registry?: EventSchemaRegistry;
  /** Where failed deliveries go. Default: an {@link InMemoryDeadLetterStore} of 10,000 entries. */
  deadLetters?: DeadLetterStore;
  /** Default: JSON lines on stderr. Payloads are never logged. */
  logger?: Logger;
  /** Called with every handler failure (after it is counted and logged). */
  onError?: (error: HandlerError) => void;
  /** Called with every event the `drop-oldest` policy discards. */
  onDrop?: (event: EventEnvelope) => void;
  /** Clock for handler latency, in ms. Default `performance.now`. */
  now?: () => number;
  /** Distinct types counted one by one in `byType`. Default 1,000. */
  maxTrackedTypes?: number;
  /**
   * Carry the handled event through each handler's awaits, so that what it publishes joins its
   * correlation chain and the causation depth is enforced. Default `true`. On Node 20 this turns
   * on `AsyncLocalStorage`, whose promise hooks tax every promise in the process (about half the
   * bus's peak throughput, see BENCHMARKS.md); turn it off only if your handlers set correlation
   * ids themselves and cannot form cycles.
   */
  propagateContext?: boolean;
}

/** A bus that keeps failed deliveries and can deliver them again. */
export interface DeadLetterCapable {
  /** The store failed deliveries go to. */
  readonly deadLetters: DeadLetterStore;
  /**
   * Removes a dead letter and delivers its event again: to the handler that failed (matched by
   * pattern, name and group, so a re-subscribed handler counts), or to every handler if it was
   * never dispatched.
   *
   * @throws {@link "@qt/eventbus"!DeadLetterNotFoundError} for an unknown id; {@link "@qt/eventbus"!EventBusError} `HANDLER_NOT_SUBSCRIBED`
   * when its handler is gone (the entry is kept); {@link "@qt/eventbus"!BusStoppedError} once stopped.
   */
  requeue(deadLetterId: string): Promise<void>;
}

enum State {
  Created,
  Running,
  Stopping,
  Stopped,
}

interface Sub {
  readonly ref: HandlerRef;
  readonly matcher: CompiledPattern;
  readonly handler: EventHandler;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number | undefined;
  readonly keyOf: ((event: EventEnvelope) => string) | undefined;
  readonly lanes: Map<string, Delivery[]> | undefined;
  readonly wantsContext: boolean;
  active: boolean;
  /** When a slow attempt of this subscription was last logged. */
  readonly slowLog: { lastLoggedAt: number };
}

/** Handlers of one pattern in one group: each event goes to the next member, round robin. */
interface Group {
  readonly key: string;
  readonly members: Sub[];
  next: number;
}

type Route = Sub | Group;

/** A queued event that is not a plain root event: caused by a handler, or aimed at one handler. */
class QueuedItem implements HandlingContext {
  constructor(
    readonly event: EventEnvelope,
    readonly depth: number,
    readonly target: Sub | undefined,
    /** The dead letter this redelivers, if any: it is not a new publish, and is kept if refused. */
    readonly requeued: DeadLetter | undefined = undefined,
  ) {}
}

interface BlockedPublish {
  readonly item: EventEnvelope | QueuedItem;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The routes of one event type and its counters: looked up once per event. */
interface TypeEntry {
  readonly routes: Route[];
  readonly stats: MutableTypeStats;
}

/** One handler's work on one event, from dispatch until it succeeds or is dead-lettered. */
class Delivery implements TimedAttempt {
  attempt = 0;
  startedAt = 0;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  abort: AbortController | undefined = undefined;
  lastError: unknown = undefined;
  /** True while an attempt runs: a try that settles after it timed out is then ignored. */
  running = false;
  done = false;
  prev: Delivery | undefined = undefined;
  next: Delivery | undefined = undefined;

  constructor(
    readonly sub: Sub,
    readonly context: HandlingContext,
    readonly laneKey: string | undefined,
  ) {}

  get event(): EventEnvelope {
    return this.context.event;
  }

  get handler(): HandlerRef {
    return this.sub.ref;
  }

  get slowLog(): { lastLoggedAt: number } {
    return this.sub.slowLog;
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The in-process bus: a bounded FIFO queue drained by a run loop that hands each event to every
 * matching handler, isolating their errors, retrying, dead-lettering and counting.
 *
 * @typeParam M - the event map, e.g. `QtEventMap` from `@qt/events`.
 *
 * @example
 * ```ts
 * const bus = new InMemoryEventBus<QtEventMap>({ maxQueueSize: 10_000, registry: qtEventRegistry });
 * bus.subscribe("trade.executed", async (e) => { await db.insertTrade(e.payload); });
 * void bus.runForever();
 * await bus.publish(TradeExecutedEvent.create({ ... }));
 * await bus.stop(); // drains, then resolves
 * ```
 */
export class InMemoryEventBus<M extends EventMap = EventMap> implements EventBus<M>, DeadLetterCapable {
  readonly deadLetters: DeadLetterStore;

  readonly #queue: RingQueue<EventEnvelope | QueuedItem>;
  readonly #policy: FullQueuePolicy;
  readonly #maxBlocked: number;
  readonly #maxConcurrency: number;
  readonly #retry: RetryPolicy;
  readonly #slowHandlerMs: number;
  readonly #handlerTimeoutMs: number | undefined;
  readonly #stopTimeoutMs: number;
  readonly #maxDepth: number;
  readonly #registry: EventSchemaRegistry | undefined;
  readonly #logger: Logger;
  readonly #onError: ((error: HandlerError) => void) | undefined;
  readonly #onDrop: ((event: EventEnvelope) => void) | undefined;
  readonly #now: () => number;
  readonly #stats: StatsCollector;
  readonly #propagateContext: boolean;

  readonly #subs: Sub[] = [];
  readonly #groups = new Map<string, Group>();
  readonly #patternCounts = new Map<string, number>();
  #routes: Route[] = [];
  readonly #typeEntries = new Map<string, TypeEntry>();
  #nextSubId = 1;
  #lastDropLogAt = Number.NEGATIVE_INFINITY;
  #dropsSinceLog = 0;

  #state = State.Created;
  /** The scheduled run of the loop, if any; `publish` hands it out (see `#scheduleDrain`). */
  #pendingDrain: Promise<void> | undefined = undefined;
  #inFlight = 0;
  /** Head of the intrusive list of deliveries in flight, so `stop()` can account for each. */
  #deliveries: Delivery | undefined = undefined;
  readonly #blocked: BlockedPublish[] = [];
  #idleWaiters: (() => void)[] = [];
  #runPromise: Promise<void> | undefined;
  #resolveRun: (() => void) | undefined;
  #stopPromise: Promise<void> | undefined;

  readonly #drainBound = () => this.#drain();
  readonly #deliverAllBound = (context: HandlingContext, routes: Route[]) =>
    this.#deliverAll(context, routes);
  readonly #invokeNowBound = (delivery: Delivery) => {
    this.#invoke(delivery, this.#now());
  };

  constructor(options: InMemoryEventBusOptions = {}) {
    const maxQueueSize = options.maxQueueSize ?? 10_000;
    positiveInteger("maxQueueSize", maxQueueSize);
    this.#maxConcurrency = options.maxConcurrency ?? 1024;
    positiveInteger("maxConcurrency", this.#maxConcurrency);
    this.#maxBlocked = options.maxBlockedPublishers ?? maxQueueSize;
    positiveInteger("maxBlockedPublishers", this.#maxBlocked);
    this.#policy = options.fullQueuePolicy ?? "block";
    if (!["block", "reject", "drop-oldest"].includes(this.#policy)) {
      throw new RangeError(
        `fullQueuePolicy must be "block", "reject" or "drop-oldest", got ${String(this.#policy)}`,
      );
    }
    this.#retry = resolveRetryPolicy(defaultRetryPolicy, options.retry);
    this.#slowHandlerMs = options.slowHandlerMs ?? 100;
    nonNegative("slowHandlerMs", this.#slowHandlerMs);
    this.#handlerTimeoutMs = options.handlerTimeoutMs;
    if (this.#handlerTimeoutMs !== undefined) nonNegative("handlerTimeoutMs", this.#handlerTimeoutMs);
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    nonNegative("stopTimeoutMs", this.#stopTimeoutMs);
    this.#maxDepth = options.maxCausationDepth ?? 32;
    positiveInteger("maxCausationDepth", this.#maxDepth);
    this.#queue = new RingQueue(maxQueueSize);
    this.#registry = options.registry;
    this.#logger = neverThrowing(options.logger ?? consoleLogger());
    this.#onError = options.onError;
    this.#onDrop = options.onDrop;
    this.#now = options.now ?? performance.now.bind(performance);
    this.#stats = new StatsCollector(options.maxTrackedTypes);
    this.#propagateContext = options.propagateContext ?? true;
    this.deadLetters =
      options.deadLetters ??
      new InMemoryDeadLetterStore({
        onEvict: (entry) =>
          this.#logger.error(
            { eventId: entry.event.id, eventType: entry.event.type, handler: entry.handler?.handlerName },
            "dead-letter store full: oldest entry evicted",
          ),
      });
  }

  publish(event: AnyEventOf<M>): Promise<void> {
    const context = this.#propagateContext ? currentHandlingContext() : undefined;
    let envelope = event as EventEnvelope;
    let depth = 0;
    try {
      if (this.#state >= State.Stopping) throw new BusStoppedError(envelope?.type);
      if (this.#registry !== undefined) {
        this.#registry.validate(envelope);
      } else if (typeof envelope?.id !== "string" || typeof envelope.type !== "string") {
        assertEventEnvelope(envelope);
      }
      if (context !== undefined) {
        depth = context.depth + 1;
        envelope = withCausation(envelope, context);
        if (depth > this.#maxDepth)
          throw new CausationDepthError(envelope.type, envelope.correlationId, this.#maxDepth);
      }
    } catch (error) {
      this.#stats.rejected++;
      return Promise.reject(error);
    }
    const item = depth === 0 ? envelope : new QueuedItem(envelope, depth, undefined);
    if (this.#queue.isFull || this.#blocked.length > 0) return this.#publishToFullQueue(item);
    this.#accept(item);
    return this.#pendingDrain ?? RESOLVED;
  }

  subscribe<P extends PatternOf<M>>(
    pattern: P,
    handler: EventHandler<EventForPattern<M, P>>,
    options: SubscribeOptions<EventForPattern<M, P>> = {},
  ): Subscription {
    const matcher = compilePattern(pattern);
    if (typeof handler !== "function")
      throw new TypeError(`subscribe("${pattern}"): handler must be a function`);
    const timeoutMs = options.timeoutMs ?? this.#handlerTimeoutMs;
    if (timeoutMs !== undefined) nonNegative("timeoutMs", timeoutMs);
    const keyOf = orderingKey(options.ordering as Ordering | undefined);
    const sub: Sub = {
      ref: {
        subscriptionId: `sub-${this.#nextSubId++}`,
        pattern,
        handlerName: options.name ?? (handler.name || "anonymous"),
        group: options.group,
      },
      matcher,
      handler: handler as EventHandler,
      retry: resolveRetryPolicy(this.#retry, options.retry),
      timeoutMs,
      keyOf,
      lanes: keyOf === undefined ? undefined : new Map(),
      wantsContext: handler.length >= 2,
      active: true,
      slowLog: { lastLoggedAt: Number.NEGATIVE_INFINITY },
    };
    this.#addSub(sub);
    return toSubscription(() => this.#removeSub(sub), {
      id: sub.ref.subscriptionId,
      pattern,
      isActive: () => sub.active,
      signal: options.signal,
    });
  }

  unsubscribe<P extends PatternOf<M>>(pattern: P, handler: EventHandler<EventForPattern<M, P>>): boolean {
    const matching = this.#subs.filter((s) => s.ref.pattern === pattern && s.handler === handler);
    for (const sub of matching) this.#removeSub(sub);
    return matching.length > 0;
  }

  runForever(): Promise<void> {
    if (this.#runPromise === undefined) {
      this.#runPromise = new Promise((resolve) => {
        this.#resolveRun = resolve;
      });
      if (this.#state === State.Created) {
        this.#state = State.Running;
        this.#scheduleDrain();
      } else if (this.#state === State.Stopped) {
        this.#resolveRun?.();
      }
    }
    return this.#runPromise;
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.#stopPromise ??= this.#stop(options.timeoutMs ?? this.#stopTimeoutMs);
    return this.#stopPromise;
  }

  idle(): Promise<void> {
    if (this.#isIdle() || this.#state === State.Stopped) return RESOLVED;
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  getStats(): BusStats {
    return this.#stats.snapshot({
      queueSize: this.#queue.size + this.#blocked.length,
      inFlight: this.#inFlight,
      handlerTypes: this.#patternCounts.size,
      totalHandlers: this.#subs.length,
    });
  }

  requeue(deadLetterId: string): Promise<void> {
    const entry = this.deadLetters.take(deadLetterId);
    if (entry === undefined) return Promise.reject(new DeadLetterNotFoundError(deadLetterId));
    // The entry leaves the store only once the bus has taken its event back.
    const keep = (error: unknown): Promise<never> => {
      this.deadLetters.add(entry);
      return Promise.reject(error);
    };
    if (this.#state >= State.Stopping) return keep(new BusStoppedError(entry.event.type));
    let target: Sub | undefined;
    if (entry.handler !== undefined) {
      const { pattern, handlerName, group } = entry.handler;
      target = this.#subs.find(
        (s) => s.ref.pattern === pattern && s.ref.handlerName === handlerName && s.ref.group === group,
      );
      if (target === undefined) {
        return keep(
          new EventBusError(
            "HANDLER_NOT_SUBSCRIBED",
            `Handler "${handlerName}" on "${pattern}" is not subscribed: dead letter kept`,
          ),
        );
      }
    }
    const item = new QueuedItem(entry.event, 0, target, entry);
    if (this.#queue.isFull || this.#blocked.length > 0) return this.#publishToFullQueue(item).catch(keep);
    this.#enqueue(item);
    return RESOLVED;
  }

  // --- intake -------------------------------------------------------------------------------

  #accept(item: EventEnvelope | QueuedItem): void {
    if (item instanceof QueuedItem && item.requeued !== undefined) {
      this.#enqueue(item); // a redelivery, not a new publish
      return;
    }
    const event = item instanceof QueuedItem ? item.event : item;
    this.#stats.published++;
    this.#entryFor(event.type).stats.published++;
    this.#enqueue(item);
  }

  #enqueue(item: EventEnvelope | QueuedItem): void {
    this.#queue.push(item);
    this.#scheduleDrain();
  }

  #publishToFullQueue(item: EventEnvelope | QueuedItem): Promise<void> {
    const event = item instanceof QueuedItem ? item.event : item;
    switch (this.#policy) {
      case "reject":
        if (this.#queue.isFull) {
          this.#stats.rejected++;
          return Promise.reject(new QueueFullError(event.type, this.#queue.capacity));
        }
        break;
      case "drop-oldest":
        if (this.#queue.isFull) this.#dropOldest();
        break;
      default:
        if (this.#blocked.length >= this.#maxBlocked) {
          this.#stats.rejected++;
          return Promise.reject(new QueueFullError(event.type, this.#queue.capacity));
        }
        return new Promise((resolve, reject) => {
          this.#blocked.push({ item, resolve, reject });
          this.#scheduleDrain();
        });
    }
    this.#accept(item);
    return RESOLVED;
  }

  #dropOldest(): void {
    const dropped = this.#queue.shift();
    if (dropped === undefined) return;
    const event = dropped instanceof QueuedItem ? dropped.event : dropped;
    this.#stats.dropped++;
    this.#dropsSinceLog++;
    // Drops come in floods: one log line per second at most, with the count since the last one.
    const now = Date.now();
    if (now - this.#lastDropLogAt >= 1000) {
      this.#logger.warn(
        { eventId: event.id, eventType: event.type, dropped: this.#dropsSinceLog },
        "queue full: oldest events dropped",
      );
      this.#lastDropLogAt = now;
      this.#dropsSinceLog = 0;
    }
    this.#safely(() => this.#onDrop?.(event), "onDrop");
  }

  /** Moves blocked publishers into the queue as room appears, oldest first. */
  #admitBlocked(): void {
    while (this.#blocked.length > 0 && !this.#queue.isFull) {
      const blocked = this.#blocked.shift() as BlockedPublish;
      this.#accept(blocked.item);
      blocked.resolve();
    }
  }

  // --- run loop -----------------------------------------------------------------------------

  /**
   * Runs the loop in a microtask. `publish` returns this same promise: the event is already
   * accepted, and a publisher awaiting it then costs no promise of its own, which matters because
   * with AsyncLocalStorage on every promise passes through Node's promise hooks. (Not
   * queueMicrotask either: with the hooks on, Node wraps each callback in an AsyncResource.)
   */
  #scheduleDrain(): void {
    if (this.#pendingDrain !== undefined || this.#state === State.Created || this.#state === State.Stopped)
      return;
    this.#pendingDrain = RESOLVED.then(this.#drainBound);
  }

  #drain(): void {
    this.#pendingDrain = undefined;
    if (this.#state === State.Stopped) return;
    while (this.#inFlight < this.#maxConcurrency) {
      const item = this.#queue.shift();
      if (item === undefined) break;
      if (this.#blocked.length > 0) this.#admitBlocked();
      if (item instanceof QueuedItem) {
        this.#dispatch(item.event, item.depth, item.target, item);
      } else {
        this.#dispatch(item, 0, undefined, undefined);
      }
    }
    if (this.#blocked.length > 0) this.#admitBlocked();
    this.#checkIdle();
  }

  #dispatch(
    event: EventEnvelope,
    depth: number,
    target: Sub | undefined,
    item: QueuedItem | undefined,
  ): void {
    const entry = this.#entryFor(event.type);
    this.#stats.dispatched++;
    entry.stats.dispatched++;
    const context: HandlingContext = item ?? { event, depth };
    if (target !== undefined) {
      if (target.active) this.#inContext(context, [target]);
      else if (item?.requeued !== undefined) this.#keepUndelivered(item.requeued);
      return;
    }
    if (entry.routes.length > 0) this.#inContext(context, entry.routes);
  }

  #inContext(context: HandlingContext, routes: Route[]): void {
    if (this.#propagateContext) runInHandlingContext(context, this.#deliverAllBound, context, routes);
    else this.#deliverAll(context, routes);
  }

  /**
   * Hands one event to each route, inside its handling context. The clock is read once per event
   * and again only after a synchronous handler: a delivery's latency runs from the moment its
   * event was dispatched (so it includes the synchronous part of the handlers called before it).
   */
  #deliverAll(context: HandlingContext, routes: Route[]): void {
    let now = this.#now();
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i] as Route;
      let sub: Sub | undefined;
      if ("members" in route) sub = route.members[route.next++ % route.members.length];
      else sub = route;
      if (sub !== undefined) now = this.#deliver(sub, context, now);
    }
  }

  /** Starts (or queues in its lane) one delivery; returns the clock after the handler returned. */
  #deliver(sub: Sub, context: HandlingContext, now: number): number {
    const laneKey =
      sub.keyOf === undefined ? undefined : laneKeyOf(sub.keyOf, context.event, sub.ref, this.#logger);
    const delivery = new Delivery(sub, context, laneKey);
    this.#inFlight++;
    this.#link(delivery);
    if (laneKey !== undefined) {
      const lanes = sub.lanes as Map<string, Delivery[]>;
      const lane = lanes.get(laneKey);
      if (lane !== undefined) {
        lane.push(delivery); // runs when the deliveries before it in this lane are done
        return now;
      }
      lanes.set(laneKey, []);
    }
    return this.#invoke(delivery, now);
  }

  /**
   * Runs one attempt; the caller is inside the delivery's handling context. Returns the clock
   * after a synchronous handler (read anyway to time it), else `startedAt` unchanged.
   */
  #invoke(delivery: Delivery, startedAt: number): number {
    const { sub, event } = delivery;
    const attempt = ++delivery.attempt;
    let context: DeliveryContext | undefined;
    if (sub.wantsContext || sub.timeoutMs !== undefined) {
      delivery.abort = new AbortController();
      context = { attempt, signal: delivery.abort.signal };
      if (sub.timeoutMs !== undefined) {
        const timeoutMs = sub.timeoutMs;
        delivery.timer = setTimeout(() => {
          const timeout = new HandlerTimeoutError(timeoutMs);
          delivery.abort?.abort(timeout);
          this.#failed(delivery, attempt, timeout);
        }, timeoutMs);
      }
    }
    delivery.running = true;
    delivery.startedAt = startedAt;
    let result: void | Promise<void>;
    try {
      result = sub.handler(event, context as DeliveryContext);
    } catch (error) {
      this.#failed(delivery, attempt, error);
      return this.#now();
    }
    if (result !== undefined && typeof (result as Promise<void>).then === "function") {
      (result as Promise<void>).then(
        () => this.#asyncSucceeded(delivery, attempt),
        (error: unknown) => this.#failed(delivery, attempt, error),
      );
      return startedAt;
    }
    const now = this.#now();
    delivery.running = false;
    this.#succeededAt(delivery, now);
    return now;
  }

  /** Retries and serial lanes start outside the event's dispatch: enter its context first. */
  #invokeInContext(delivery: Delivery): void {
    if (this.#propagateContext) runInHandlingContext(delivery.context, this.#invokeNowBound, delivery);
    else this.#invoke(delivery, this.#now());
  }

  #asyncSucceeded(delivery: Delivery, attempt: number): void {
    if (!delivery.running || delivery.attempt !== attempt) return; // timed out, or given up on at stop
    delivery.running = false;
    this.#succeededAt(delivery, this.#now());
  }

  #succeededAt(delivery: Delivery, now: number): void {
    if (delivery.done) return;
    this.#measure(delivery, now);
    this.#stats.delivered++;
    this.#finish(delivery);
  }

  #measure(delivery: Delivery, now: number): void {
    recordHandlerTime(
      {
        event: delivery.event,
        handler: delivery.sub.ref,
        startedAt: delivery.startedAt,
        slowLog: delivery.sub.slowLog,
      },
      now,
      this.#slowHandlerMs,
      this.#stats,
      this.#logger,
    );
  }

  #failed(delivery: Delivery, attempt: number, error: unknown): void {
    if (!delivery.running || delivery.attempt !== attempt) return;
    delivery.running = false;
    if (delivery.timer !== undefined) clearTimeout(delivery.timer);
    delivery.timer = undefined;
    this.#measure(delivery, this.#now());
    const { sub, event } = delivery;
    const willRetry = attempt < sub.retry.maxAttempts && this.#state !== State.Stopped;
    const timedOut = error instanceof HandlerTimeoutError;
    delivery.lastError = error;
    reportHandlerFailure(
      { event, handler: sub.ref, attempt, willRetry, error },
      this.#stats,
      this.#logger,
      this.#onError,
    );
    if (willRetry) {
      this.#stats.retried++;
      delivery.timer = setTimeout(
        () => {
          delivery.timer = undefined;
          if (!delivery.done) this.#invokeInContext(delivery);
        },
        backoffDelay(sub.retry, attempt),
      );
      return;
    }
    this.#deadLetter(delivery, timedOut ? "handler-timeout" : "handler-failed");
    this.#finish(delivery);
  }

  /** A requeued dead letter whose handler unsubscribed before it ran goes back to the store. */
  #keepUndelivered(entry: DeadLetter): void {
    this.deadLetters.add(entry);
    this.#logger.error(
      { eventId: entry.event.id, eventType: entry.event.type, handler: entry.handler?.handlerName },
      "requeued event not delivered: its handler unsubscribed; dead letter kept",
    );
  }

  #deadLetter(delivery: Delivery, reason: DeadLetterReason): void {
    this.#stats.deadLettered++;
    const entry: DeadLetter = {
      id: randomUUID(),
      event: delivery.event,
      handler: delivery.sub.ref,
      reason,
      error: toDeadLetterError(delivery.lastError),
      attempts: delivery.attempt,
      deadLetteredAt: new Date(),
    };
    this.deadLetters.add(entry);
    this.#logger.error(
      {
        eventId: delivery.event.id,
        eventType: delivery.event.type,
        handler: delivery.sub.ref.handlerName,
        reason,
        attempts: entry.attempts,
      },
      "delivery dead-lettered",
    );
  }

  #finish(delivery: Delivery): void {
    delivery.done = true;
    if (delivery.timer !== undefined) clearTimeout(delivery.timer);
    this.#unlink(delivery);
    this.#inFlight--;
    if (delivery.laneKey !== undefined) {
      const lanes = delivery.sub.lanes as Map<string, Delivery[]>;
      const lane = lanes.get(delivery.laneKey);
      const next = lane?.shift();
      if (next !== undefined) this.#invokeInContext(next);
      else lanes.delete(delivery.laneKey);
    }
    if (this.#queue.size > 0) {
      if (this.#inFlight < this.#maxConcurrency) this.#scheduleDrain();
    } else if (this.#inFlight === 0) {
      this.#checkIdle();
    }
  }

  // --- idle and stop ------------------------------------------------------------------------

  #isIdle(): boolean {
    return this.#queue.size === 0 && this.#inFlight === 0 && this.#blocked.length === 0;
  }

  #checkIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async #stop(timeoutMs: number): Promise<void> {
    if (this.#state === State.Stopped) return;
    this.#state = State.Stopping;
    // Publishers still waiting for room were never accepted: tell them, rather than drop their events.
    for (const blocked of this.#blocked.splice(0)) {
      this.#stats.rejected++;
      const event = blocked.item instanceof QueuedItem ? blocked.item.event : blocked.item;
      blocked.reject(new BusStoppedError(event.type));
    }
    this.#scheduleDrain(); // a bus stopped before it ran still delivers what it accepted
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([this.idle().then(() => "idle" as const), deadline]);
    clearTimeout(timer);
    this.#state = State.Stopped;
    if (outcome === "timeout") this.#abandonRemaining(timeoutMs);
    this.#checkIdle();
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
    this.#resolveRun?.();
  }

  /** At the stop deadline: everything not finished goes to the dead-letter store, each counted and logged. */
  #abandonRemaining(timeoutMs: number): void {
    let queued = 0;
    for (const item of this.#queue.drain()) {
      queued++;
      const event = item instanceof QueuedItem ? item.event : item;
      const target = item instanceof QueuedItem ? item.target : undefined;
      this.#stats.deadLettered++;
      this.deadLetters.add({
        id: randomUUID(),
        event,
        handler: target?.ref,
        reason: "shutdown",
        error: undefined,
        attempts: 0,
        deadLetteredAt: new Date(),
      });
    }
    let running = 0;
    for (let d = this.#deliveries; d !== undefined; d = d.next) {
      running++;
      if (d.timer !== undefined) clearTimeout(d.timer);
      d.abort?.abort(new BusStoppedError(d.event.type));
      this.#deadLetter(d, "shutdown");
      d.done = true;
      d.running = false;
    }
    this.#deliveries = undefined;
    this.#inFlight = 0;
    for (const sub of this.#subs) sub.lanes?.clear();
    this.#logger.error(
      { queued, running, timeoutMs },
      "stop deadline reached: unfinished events moved to the dead-letter store",
    );
  }

  // --- subscriptions and routing ------------------------------------------------------------

  #addSub(sub: Sub): void {
    this.#subs.push(sub);
    this.#patternCounts.set(sub.ref.pattern, (this.#patternCounts.get(sub.ref.pattern) ?? 0) + 1);
    if (sub.ref.group === undefined) {
      this.#routes.push(sub);
    } else {
      const key = `${sub.ref.group}\u0000${sub.ref.pattern}`;
      let group = this.#groups.get(key);
      if (group === undefined) {
        group = { key, members: [], next: 0 };
        this.#groups.set(key, group);
        this.#routes.push(group);
      }
      group.members.push(sub);
    }
    this.#typeEntries.clear();
  }

  #removeSub(sub: Sub): void {
    if (!sub.active) return;
    sub.active = false;
    this.#subs.splice(this.#subs.indexOf(sub), 1);
    const count = (this.#patternCounts.get(sub.ref.pattern) ?? 1) - 1;
    if (count === 0) this.#patternCounts.delete(sub.ref.pattern);
    else this.#patternCounts.set(sub.ref.pattern, count);
    if (sub.ref.group === undefined) {
      this.#routes = this.#routes.filter((r) => r !== sub);
    } else {
      const key = `${sub.ref.group}\u0000${sub.ref.pattern}`;
      const group = this.#groups.get(key) as Group;
      group.members.splice(group.members.indexOf(sub), 1);
      if (group.members.length === 0) {
        this.#groups.delete(key);
        this.#routes = this.#routes.filter((r) => r !== group);
      }
    }
    this.#typeEntries.clear();
  }

  #entryFor(type: string): TypeEntry {
    let entry = this.#typeEntries.get(type);
    if (entry === undefined) {
      const routes = this.#routes.filter((r) =>
        ("members" in r ? (r.members[0] as Sub).matcher : r.matcher).matches(type),
      );
      // Types seen are bounded by the registry in production; without one, cap the cache anyway.
      if (this.#typeEntries.size >= 10_000) this.#typeEntries.clear();
      entry = { routes, stats: this.#stats.forType(type) };
      this.#typeEntries.set(type, entry);
    }
    return entry;
  }

  // --- helpers ------------------------------------------------------------------------------

  #link(delivery: Delivery): void {
    delivery.next = this.#deliveries;
    if (this.#deliveries !== undefined) this.#deliveries.prev = delivery;
    this.#deliveries = delivery;
  }

  #unlink(delivery: Delivery): void {
    if (delivery.prev !== undefined) delivery.prev.next = delivery.next;
    else if (this.#deliveries === delivery) this.#deliveries = delivery.next;
    if (delivery.next !== undefined) delivery.next.prev = delivery.prev;
    delivery.prev = undefined;
    delivery.next = undefined;
  }

  #safely(fn: () => void, hook: string): void {
    try {
      fn();
    } catch (error) {
      this.#logger.error({ hook, error: errorMessage(error) }, `${hook} hook threw`);
    }
  }
}
