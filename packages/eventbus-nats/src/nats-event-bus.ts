import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import {
  connect,
  type MsgHdrs,
  type NatsConnection,
  nanos,
  headers as natsHeaders,
} from "@nats-io/transport-node";
import {
  type AnyEventOf,
  assertEventEnvelope,
  type BusStats,
  BusStoppedError,
  backoffDelay,
  CausationDepthError,
  compilePattern,
  consoleLogger,
  type DeliveryContext,
  defaultRetryPolicy,
  deserializeEvent,
  type EventBus,
  type EventEnvelope,
  type EventForPattern,
  type EventHandler,
  type EventMap,
  type EventSchemaRegistry,
  type HandlerError,
  type HandlerRef,
  HandlerTimeoutError,
  InvalidEventError,
  type Logger,
  type Ordering,
  type PatternOf,
  type RetryPolicy,
  StatsCollector,
  type StopOptions,
  type Subscription,
  serializeEvent,
  type ValidationIssue,
} from "@qt/eventbus";
import {
  currentHandlingContext,
  errorMessage,
  type HandlingContext,
  laneKeyOf,
  neverThrowing,
  nonNegative,
  orderingKey,
  positive,
  positiveInteger,
  recordHandlerTime,
  reportHandlerFailure,
  resolveRetryPolicy,
  runInHandlingContext,
  type TimedAttempt,
  toDeadLetterError,
  toSubscription,
  withCausation,
} from "@qt/eventbus/internal";
import { encodeDeadLetter, type NatsDeadLetter, type NatsDeadLetterReason } from "./dead-letter.js";
import { AckedPublisher } from "./internal/acked-publisher.js";
import { readDeadLetterStream } from "./internal/read-dead-letters.js";
import { type NatsNames, natsNames } from "./naming.js";
import type {
  NatsEventBusOptions,
  NatsSubscribeOptions,
  PublishOutagePolicy,
  ReplayStart,
} from "./options.js";

/**
 * The header carrying how deep in a causation chain an event is (absent for a root event), so
 * that `maxCausationDepth` cuts an event cycle even when it runs through several processes.
 *
 * @example
 * ```ts
 * const depth = Number(message.headers?.get(DEPTH_HEADER) ?? 0);
 * ```
 */
export const DEPTH_HEADER = "Qt-Depth";

/**
 * The contract's stats, plus what only a broker has.
 *
 * @example
 * ```ts
 * const { consumerLag, publishing } = bus.getStats();
 * if ((consumerLag.analytics ?? 0) > 10_000) alert("analytics is falling behind");
 * ```
 */
export interface NatsBusStats extends BusStats {
  /**
   * Events stored and not yet delivered, per subscription of this bus: keyed by group (summed
   * over the group's patterns), or by subscription id for a subscription without a group. Read
   * from the server every few seconds while running, and by `idle()` and `refreshConsumerLag()`.
   */
  readonly consumerLag: Readonly<Record<string, number>>;
  /** Publishes waiting for the server's ack (or for the connection to come back). */
  readonly publishing: number;
  /** Whether the connection to NATS is up. */
  readonly connected: boolean;
  /** Reconnections since the bus connected. */
  readonly reconnects: number;
}

enum State {
  Created,
  Running,
  Stopping,
  Stopped,
}

interface Sub {
  readonly ref: HandlerRef;
  readonly handler: EventHandler;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number | undefined;
  readonly keyOf: ((event: EventEnvelope) => string) | undefined;
  readonly lanes: Map<string, Delivery[]> | undefined;
  readonly wantsContext: boolean;
  readonly from: ReplayStart | undefined;
  readonly consumerName: string;
  readonly durable: boolean;
  active: boolean;
  /** When a slow attempt of this subscription was last logged. */
  readonly slowLog: { lastLoggedAt: number };
  /** Settles once the consumer exists on the server (or the subscription was dropped). */
  setup: Promise<void>;
  ready: boolean;
  messages: ConsumerMessages | undefined;
  /** True from the moment consuming starts until it is closed: one consume loop per subscription. */
  consuming: boolean;
  /** Deliveries and dead-letter writes of this subscription not yet finished. */
  busy: number;
  /** The last message received (its sequence is parsed only when a lost consumer is recreated). */
  lastMessage: JsMsg | undefined;
  recovering: boolean;
}

/** One message of one subscription, from receipt until it is acked, naked or dead-lettered. */
class Delivery implements HandlingContext, TimedAttempt {
  /** Tries made in this process; the attempt number adds the server's earlier deliveries. */
  tries = 0;
  /** Deliveries before this one (redeliveries after a nak, a crash or an expired ack wait); read lazily. */
  #earlier = -1;
  #depth = -1;
  startedAt = 0;
  lastWorkingAt: number;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  abort: AbortController | undefined = undefined;
  lastError: unknown = undefined;
  running = false;
  done = false;

  constructor(
    readonly sub: Sub,
    readonly msg: JsMsg,
    readonly event: EventEnvelope,
    readonly laneKey: string | undefined,
    receivedAt: number,
  ) {
    this.lastWorkingAt = receivedAt;
  }

  get handler(): HandlerRef {
    return this.sub.ref;
  }

  get slowLog(): { lastLoggedAt: number } {
    return this.sub.slowLog;
  }

  /** How deep in its causation chain the event is: read from its header only if the handler publishes. */
  get depth(): number {
    if (this.#depth < 0) {
      const header = this.msg.headers?.get(DEPTH_HEADER);
      this.#depth = header ? Number.parseInt(header, 10) || 0 : 0;
    }
    return this.#depth;
  }

  /** 1 on the first delivery, counting the server's redeliveries too. Parsing them costs, so only when asked. */
  get attempt(): number {
    if (this.#earlier < 0) this.#earlier = this.msg.info.deliveryCount - 1;
    return this.#earlier + this.tries;
  }
}

interface Connected {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
}

const NO_ISSUES: readonly ValidationIssue[] = [];
const textDecoder = new TextDecoder();
const LAG_REFRESH_MS = 5_000;
const IDLE_POLL_MS = 15;
const SETUP_RETRY_MS = 1_000;

/**
 * The {@link EventBus} over NATS JetStream: the same contract as `InMemoryEventBus`, with events
 * stored in a stream and delivered through durable pull consumers, so they survive restarts and
 * are shared by processes.
 *
 * - Events go to subject `<namespace>.<type>` of stream `<namespace>` (created if missing);
 *   `publish` resolves on the server's ack; the event id is the `Nats-Msg-Id`, so a repeated
 *   publish is stored once within `dedupWindowMs`.
 * - A subscription with a `group` is the durable consumer `<namespace>_<group>_<pattern>_<hash>`:
 *   every process subscribing the same group and pattern shares its events. Without a group, a
 *   subscription gets its own consumer, deleted when it ends.
 * - A handler's success acks; a failure naks with the retry policy's backoff (ordered
 *   subscriptions retry in place, to keep their order); after `maxAttempts` the event is written
 *   to `<namespace>-dlq.<type>` with the reason, handler, attempts and error, then terminated.
 *   Messages that are not valid events are dead-lettered the same way, never handed to a handler.
 *
 * @typeParam M - the event map, e.g. `QtEventMap` from `@qt/events`.
 *
 * @example
 * ```ts
 * const bus: EventBus<QtEventMap> = new NatsEventBus({ servers: "127.0.0.1:4222", registry: qtEventRegistry });
 * bus.subscribe("trade.executed", (e) => ledger.record(e.payload), { group: "analytics" });
 * void bus.runForever();
 * await bus.publish(TradeExecutedEvent.create({ ... })); // resolves on the server's ack
 * await bus.stop(); // stops fetching, finishes handlers in flight, acks, closes
 * ```
 */
export class NatsEventBus<M extends EventMap = EventMap> implements EventBus<M> {
  /** The stream, subject and consumer names this bus uses. */
  readonly names: NatsNames;

  readonly #options: NatsEventBusOptions;
  readonly #registry: EventSchemaRegistry | undefined;
  readonly #retry: RetryPolicy;
  readonly #ackWaitMs: number;
  readonly #maxInFlight: number;
  readonly #handlerTimeoutMs: number | undefined;
  readonly #slowHandlerMs: number;
  readonly #stopTimeoutMs: number;
  readonly #maxDepth: number;
  readonly #propagateContext: boolean;
  readonly #logger: Logger;
  readonly #onError: ((error: HandlerError) => void) | undefined;
  readonly #stats: StatsCollector;
  readonly #publisher: AckedPublisher;
  readonly #now: () => number = performance.now.bind(performance);

  #state = State.Created;
  #connecting: Promise<Connected> | undefined;
  #conn: Connected | undefined;
  #connected = false;
  #reconnects = 0;
  readonly #subs: Sub[] = [];
  #nextSubId = 1;
  /** Subscriptions whose consumer is being created: publishes wait for them, so they see what follows. */
  #settingUp = 0;
  /** Deliveries and dead-letter writes in flight, across subscriptions. */
  #busy = 0;
  readonly #held = new Set<Delivery>();
  #lag: Record<string, number> = {};
  #workingTimer: ReturnType<typeof setInterval> | undefined;
  #lagTimer: ReturnType<typeof setInterval> | undefined;
  #runPromise: Promise<void> | undefined;
  #resolveRun: (() => void) | undefined;
  #stopPromise: Promise<void> | undefined;

  readonly #invokeBound = (delivery: Delivery) => {
    this.#invoke(delivery);
  };

  constructor(options: NatsEventBusOptions = {}) {
    this.#options = options;
    this.names = natsNames(options.namespace ?? "qt");
    if (options.connection === undefined && options.servers === undefined) {
      throw new TypeError("NatsEventBus needs `servers` or a `connection`");
    }
    this.#registry = options.registry;
    this.#retry = resolveRetryPolicy(defaultRetryPolicy, options.retry);
    this.#ackWaitMs = positive("ackWaitMs", options.ackWaitMs ?? 30_000);
    this.#maxInFlight = positiveInteger("maxInFlight", options.maxInFlight ?? 512);
    this.#handlerTimeoutMs = options.handlerTimeoutMs;
    if (this.#handlerTimeoutMs !== undefined) positive("handlerTimeoutMs", this.#handlerTimeoutMs);
    this.#slowHandlerMs = nonNegative("slowHandlerMs", options.slowHandlerMs ?? 100);
    this.#stopTimeoutMs = nonNegative("stopTimeoutMs", options.stopTimeoutMs ?? 10_000);
    this.#maxDepth = positiveInteger("maxCausationDepth", options.maxCausationDepth ?? 32);
    this.#propagateContext = options.propagateContext ?? true;
    this.#logger = neverThrowing(options.logger ?? consoleLogger());
    this.#onError = options.onError;
    this.#stats = new StatsCollector(options.maxTrackedTypes);
    const policy: PublishOutagePolicy = options.onPublishOutage ?? "wait";
    if (policy !== "wait" && policy !== "reject") {
      throw new RangeError(`onPublishOutage must be "wait" or "reject", got ${String(policy)}`);
    }
    positive("dedupWindowMs", options.dedupWindowMs ?? 120_000);
    this.#publisher = new AckedPublisher({
      policy,
      publishTimeoutMs: positive("publishTimeoutMs", options.publishTimeoutMs ?? 5_000),
      outageWaitMs: positive("outageWaitMs", options.outageWaitMs ?? 30_000),
      now: this.#now,
      onAck: (type) => {
        this.#stats.published++;
        this.#stats.forType(type).published++;
      },
      onGiveUp: () => {
        this.#stats.rejected++;
      },
    });
  }

  // --- the contract ---------------------------------------------------------------------------

  publish(event: AnyEventOf<M>): Promise<void> {
    const context = this.#propagateContext ? currentHandlingContext() : undefined;
    let envelope = event as EventEnvelope;
    let depth = 0;
    let data: string;
    try {
      if (this.#state >= State.Stopping) throw new BusStoppedError(envelope?.type);
      if (this.#registry !== undefined) this.#registry.validate(envelope);
      else if (typeof envelope?.id !== "string" || typeof envelope.type !== "string")
        assertEventEnvelope(envelope);
      if (context !== undefined) {
        depth = context.depth + 1;
        envelope = withCausation(envelope, context);
        if (depth > this.#maxDepth)
          throw new CausationDepthError(envelope.type, envelope.correlationId, this.#maxDepth);
      }
      data = serializeEvent(envelope);
    } catch (error) {
      this.#stats.rejected++;
      return Promise.reject(error);
    }
    let headers: MsgHdrs | undefined;
    if (depth > 0) {
      headers = natsHeaders();
      headers.set(DEPTH_HEADER, String(depth));
    }
    if (this.#conn === undefined) void this.#connect().catch(() => {}); // the publisher reports it
    const subject = this.names.subjectOf(envelope.type);
    if (this.#settingUp === 0)
      return this.#publisher.publish(subject, data, envelope.id, envelope.type, headers);
    const { id, type } = envelope;
    return this.#afterSetups().then(() => this.#publisher.publish(subject, data, id, type, headers));
  }

  subscribe<P extends PatternOf<M>>(
    pattern: P,
    handler: EventHandler<EventForPattern<M, P>>,
    options: NatsSubscribeOptions<EventForPattern<M, P>> = {},
  ): Subscription {
    compilePattern(pattern); // throws InvalidPatternError
    if (typeof handler !== "function")
      throw new TypeError(`subscribe("${pattern}"): handler must be a function`);
    const timeoutMs = options.timeoutMs ?? this.#handlerTimeoutMs;
    if (timeoutMs !== undefined) positive("timeoutMs", timeoutMs);
    checkReplayStart(options.from);
    const keyOf = orderingKey(options.ordering as Ordering | undefined);
    const group = options.group;
    if (group !== undefined && (typeof group !== "string" || group === "")) {
      throw new TypeError(`subscribe("${pattern}"): group must be a non-empty string`);
    }
    const subscriptionId = `sub-${this.#nextSubId++}`;
    const sub: Sub = {
      ref: {
        subscriptionId,
        pattern,
        handlerName: options.name ?? (handler.name || "anonymous"),
        group,
      },
      handler: handler as EventHandler,
      retry: resolveRetryPolicy(this.#retry, options.retry),
      timeoutMs,
      keyOf,
      lanes: keyOf === undefined ? undefined : new Map(),
      wantsContext: handler.length >= 2,
      from: options.from,
      consumerName:
        group === undefined
          ? this.names.ephemeralConsumer(pattern, randomBytes(6).toString("hex"))
          : this.names.groupConsumer(group, pattern),
      durable: group !== undefined,
      active: true,
      slowLog: { lastLoggedAt: Number.NEGATIVE_INFINITY },
      setup: Promise.resolve(),
      ready: false,
      messages: undefined,
      consuming: false,
      busy: 0,
      lastMessage: undefined,
      recovering: false,
    };
    this.#subs.push(sub);
    if (this.#state < State.Stopping) {
      this.#settingUp++;
      sub.setup = this.#setUp(sub).finally(() => {
        this.#settingUp--;
      });
    }
    const unsubscribe = () => this.#removeSub(sub);
    return toSubscription(unsubscribe, {
      id: subscriptionId,
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

  /** Connects (if not yet), starts every subscription's consumer, and resolves once `stop()` has finished. */
  runForever(): Promise<void> {
    if (this.#runPromise === undefined) {
      this.#runPromise = new Promise((resolve) => {
        this.#resolveRun = resolve;
      });
      if (this.#state === State.Created) {
        this.#state = State.Running;
        for (const sub of this.#subs) void this.#startConsuming(sub);
        this.#workingTimer = setInterval(() => this.#extendAckDeadlines(), this.#workingIntervalMs());
        this.#lagTimer = setInterval(() => {
          this.refreshConsumerLag().catch(() => {});
        }, LAG_REFRESH_MS);
        this.#lagTimer.unref?.();
        void this.#connect().catch(() => {}); // logged by #connect; subscriptions retry
      } else if (this.#state === State.Stopped) {
        this.#resolveRun?.();
      }
    }
    return this.#runPromise;
  }

  /**
   * Drains: refuses new publishes, stops fetching, lets handlers in flight finish (acking them)
   * and waits for publishes in flight, within `timeoutMs`; events still being handled then are
   * handed back to NATS (nak) for redelivery, not dropped. Then flushes, deletes this process's
   * own consumers and closes the connection it opened. Idempotent.
   */
  stop(options: StopOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.#stopTimeoutMs;
    nonNegative("timeoutMs", timeoutMs);
    this.#stopPromise ??= this.#stop(timeoutMs);
    return this.#stopPromise;
  }

  /**
   * Resolves when this bus has nothing left to do: every publish acknowledged, every
   * subscription's consumer set up, and none of them has events pending or awaiting ack on the
   * server (retries included), nor handlers running here.
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#state === State.Stopped) return;
      if (this.#settingUp > 0) await this.#afterSetups();
      await this.#publisher.settled();
      if (this.#busy === 0) {
        const live = this.#subs.filter((s) => s.ready);
        if (live.length === 0) return;
        const infos = await this.#consumerInfos(live);
        if (
          infos?.every((i) => i.num_pending === 0 && i.num_ack_pending === 0) &&
          this.#busy === 0 &&
          this.#publisher.pending === 0 &&
          this.#settingUp === 0
        ) {
          return;
        }
      }
      await sleep(IDLE_POLL_MS);
    }
  }

  getStats(): NatsBusStats {
    let queued = 0;
    for (const pending of Object.values(this.#lag)) queued += pending;
    const snapshot = this.#stats.snapshot({
      queueSize: queued,
      inFlight: this.#busy,
      handlerTypes: new Set(this.#subs.map((s) => s.ref.pattern)).size,
      totalHandlers: this.#subs.length,
    });
    return {
      ...snapshot,
      consumerLag: { ...this.#lag },
      publishing: this.#publisher.pending,
      connected: this.#connected,
      reconnects: this.#reconnects,
    };
  }

  // --- beyond the contract ---------------------------------------------------------------------

  /**
   * Connects and creates the streams if needed. Optional: the bus connects by itself at the
   * first publish, subscribe or `runForever()`.
   *
   * @example
   * ```ts
   * const bus = new NatsEventBus({ servers: "127.0.0.1:4222" });
   * await bus.connect(); // fail fast at start-up if NATS is misconfigured
   * ```
   */
  async connect(): Promise<void> {
    await this.#connect();
  }

  /**
   * Resolves once connected and every subscription made so far has its consumer on the server:
   * from then on, events published by any process reach them.
   *
   * @example
   * ```ts
   * bus.subscribe("policy.updated", apply, { group: "orchestrator" });
   * await bus.ready();
   * ```
   */
  async ready(): Promise<void> {
    await this.#connect();
    await this.#afterSetups();
  }

  /**
   * Reads the dead letters of this namespace, oldest first (at most `limit`, default 1,000).
   *
   * @example
   * ```ts
   * const letters = await bus.readDeadLetters();
   * letters.filter((l) => l.reason === "invalid-message").map((l) => l.issues);
   * ```
   */
  async readDeadLetters(options: { limit?: number } = {}): Promise<NatsDeadLetter[]> {
    const { js, jsm } = await this.#connect();
    return readDeadLetterStream(js, jsm, this.names.deadLetterStream, options.limit ?? 1_000);
  }

  /**
   * Reads every subscription's pending count from the server now, and returns it as `consumerLag`
   * in {@link NatsBusStats} does.
   *
   * @example
   * ```ts
   * const lag = await bus.refreshConsumerLag(); // { analytics: 1200, "sub-3": 0 }
   * ```
   */
  async refreshConsumerLag(): Promise<Record<string, number>> {
    await this.#consumerInfos(this.#subs.filter((s) => s.ready));
    return { ...this.#lag };
  }

  // --- connection -----------------------------------------------------------------------------

  #connect(): Promise<Connected> {
    if (this.#conn !== undefined) return Promise.resolve(this.#conn);
    this.#connecting ??= this.#open().catch((error: unknown) => {
      this.#connecting = undefined;
      this.#logger.error(
        { namespace: this.names.namespace, error: errorMessage(error) },
        "could not connect to NATS or set up the streams",
      );
      throw error;
    });
    return this.#connecting;
  }

  async #open(): Promise<Connected> {
    const owned = this.#options.connection === undefined;
    const nc =
      this.#options.connection ??
      (await connect({
        servers: this.#options.servers as string | string[],
        name: `qt-eventbus:${this.names.namespace}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        waitOnFirstConnect: true,
        ...this.#options.connectionOptions,
      }));
    if (this.#state === State.Stopped && owned) {
      await nc.close();
      throw new BusStoppedError("connect");
    }
    this.#watchStatus(nc);
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const js = jsm.jetstream();
    await this.#ensureStream(jsm, this.names.stream, `${this.names.namespace}.>`);
    await this.#ensureStream(jsm, this.names.deadLetterStream, `${this.names.deadLetterStream}.>`);
    const conn: Connected = { nc, jsm, js };
    this.#conn = conn;
    this.#connected = !nc.isClosed();
    this.#publisher.setConnected(this.#connected);
    this.#publisher.attach(js);
    return conn;
  }

  async #ensureStream(jsm: JetStreamManager, name: string, subject: string): Promise<void> {
    try {
      await jsm.streams.info(name);
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await jsm.streams.add({
        name,
        subjects: [subject],
        storage: this.#options.storage === "memory" ? StorageType.Memory : StorageType.File,
        num_replicas: this.#options.replicas ?? 1,
        duplicate_window: nanos(this.#options.dedupWindowMs ?? 120_000),
        max_age: nanos(this.#options.maxAgeMs ?? 0),
      });
    } catch (error) {
      // Another process created it meanwhile: fine, as long as it is there now.
      await jsm.streams.info(name).catch(() => {
        throw error;
      });
    }
  }

  #watchStatus(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === "disconnect") {
          this.#connected = false;
          this.#publisher.setConnected(false);
          this.#logger.warn({ namespace: this.names.namespace }, "disconnected from NATS: reconnecting");
        } else if (status.type === "reconnect") {
          this.#connected = true;
          this.#reconnects++;
          this.#publisher.setConnected(true);
          this.#logger.warn({ namespace: this.names.namespace }, "reconnected to NATS");
        } else if (status.type === "close") {
          this.#connected = false;
          this.#publisher.setConnected(false);
        }
      }
    })().catch(() => {});
  }

  // --- consumers ------------------------------------------------------------------------------

  /** Creates (or finds) the subscription's consumer, retrying while NATS is unreachable. */
  async #setUp(sub: Sub): Promise<void> {
    for (;;) {
      if (!sub.active || this.#state >= State.Stopping) return;
      try {
        const { jsm } = await this.#connect();
        await this.#ensureConsumer(jsm, sub, startConfig(sub.from));
        sub.ready = true;
        void this.#startConsuming(sub);
        return;
      } catch (error) {
        this.#logger.error(
          { consumer: sub.consumerName, pattern: sub.ref.pattern, error: errorMessage(error) },
          "could not create the subscription's consumer: retrying",
        );
        await sleep(SETUP_RETRY_MS);
      }
    }
  }

  async #ensureConsumer(jsm: JetStreamManager, sub: Sub, start: Partial<ConsumerConfig>): Promise<void> {
    const stream = this.names.stream;
    const config: Partial<ConsumerConfig> = {
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.#ackWaitMs),
      max_ack_pending: this.#maxInFlight,
      max_deliver: -1,
      filter_subject: this.names.filterOf(sub.ref.pattern),
      ...start,
    };
    if (sub.durable) {
      const existing = await jsm.consumers.info(stream, sub.consumerName).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (existing !== undefined) {
        const { ack_wait, max_ack_pending } = existing.config;
        if (ack_wait !== config.ack_wait || max_ack_pending !== config.max_ack_pending) {
          await jsm.consumers.update(stream, sub.consumerName, {
            ack_wait: config.ack_wait as number,
            max_ack_pending: config.max_ack_pending as number,
          });
        }
        return;
      }
      await jsm.consumers.add(stream, { ...config, durable_name: sub.consumerName });
    } else {
      await jsm.consumers.add(stream, {
        ...config,
        name: sub.consumerName,
        inactive_threshold: nanos(this.#options.ephemeralInactiveMs ?? 300_000),
      });
    }
  }

  async #startConsuming(sub: Sub): Promise<void> {
    if (!sub.active || !sub.ready || this.#state !== State.Running || sub.consuming) return;
    sub.consuming = true;
    try {
      const { js } = await this.#connect();
      const consumer = await js.consumers.get(this.names.stream, sub.consumerName);
      if (!sub.active || this.#state !== State.Running) {
        sub.consuming = false;
        return;
      }
      const messages = await consumer.consume({
        max_messages: this.#maxInFlight,
        callback: (msg) => this.#onMessage(sub, msg),
      });
      sub.messages = messages;
      void this.#watchConsumer(sub, messages);
    } catch (error) {
      this.#logger.error(
        { consumer: sub.consumerName, error: errorMessage(error) },
        "could not start consuming: retrying",
      );
      sub.consuming = false;
      await sleep(SETUP_RETRY_MS);
      void this.#startConsuming(sub);
    }
  }

  /** A consumer deleted under us (by an operator, or an ephemeral one timed out) is recreated where we were. */
  async #watchConsumer(sub: Sub, messages: ConsumerMessages): Promise<void> {
    try {
      for await (const status of messages.status()) {
        if (
          (status.type === "consumer_deleted" || status.type === "consumer_not_found") &&
          sub.active &&
          this.#state === State.Running &&
          !sub.recovering
        ) {
          sub.recovering = true;
          this.#logger.warn({ consumer: sub.consumerName }, "consumer lost: recreating it");
          sub.messages = undefined;
          sub.consuming = false;
          await messages.close().catch(() => {});
          const start = this.#lowestUnfinished(sub);
          try {
            const { jsm } = await this.#connect();
            await this.#ensureConsumer(jsm, sub, {
              deliver_policy: DeliverPolicy.StartSequence,
              opt_start_seq: start,
            });
          } catch (error) {
            this.#logger.error({ consumer: sub.consumerName, error: errorMessage(error) }, "recreate failed");
          }
          sub.recovering = false;
          void this.#startConsuming(sub);
          return;
        }
      }
    } catch {
      // the iterator ends with the consumer; nothing to do
    }
  }

  /**
   * Ends a subscription's pull. Draining the underlying subscription (rather than just
   * unsubscribing) lets the messages already on their way reach `#onMessage`, which hands them
   * straight back (nak) for another member, instead of leaving them to expire after the ack wait.
   */
  async #stopFetching(sub: Sub): Promise<void> {
    const messages = sub.messages;
    sub.messages = undefined;
    sub.consuming = false;
    if (messages === undefined) return;
    const inner = (messages as unknown as { sub?: { drain?: () => Promise<void>; isClosed?: () => boolean } })
      .sub;
    if (typeof inner?.drain === "function" && inner.isClosed?.() !== true) {
      await withTimeout(inner.drain(), 2_000).catch(() => {});
    }
    await messages.close().catch(() => {});
  }

  #lowestUnfinished(sub: Sub): number {
    let lowest = (sub.lastMessage?.seq ?? 0) + 1;
    for (const d of this.#held) if (d.sub === sub && d.msg.seq < lowest) lowest = d.msg.seq;
    return lowest;
  }

  #removeSub(sub: Sub): void {
    if (!sub.active) return;
    sub.active = false;
    this.#subs.splice(this.#subs.indexOf(sub), 1);
    void this.#closeSub(sub, this.#stopTimeoutMs);
  }

  /** Stops fetching, lets deliveries in flight finish (up to `timeoutMs`), deletes an ephemeral consumer. */
  async #closeSub(sub: Sub, timeoutMs: number): Promise<void> {
    await sub.setup;
    await this.#stopFetching(sub);
    const deadline = this.#now() + timeoutMs;
    while (sub.busy > 0 && this.#now() < deadline) await sleep(5);
    if (!sub.durable && sub.ready && this.#conn !== undefined && !this.#conn.nc.isClosed()) {
      await this.#conn.jsm.consumers.delete(this.names.stream, sub.consumerName).catch(() => {});
    }
  }

  // --- delivery -------------------------------------------------------------------------------

  #onMessage(sub: Sub, msg: JsMsg): void {
    if (!sub.active || this.#state !== State.Running) {
      msg.nak(); // not ours any more: straight back to the stream for another member
      return;
    }
    // Roughly the highest sequence seen (a redelivery is lower: then a recreated consumer repeats more, losing nothing).
    sub.lastMessage = msg;
    let event: EventEnvelope;
    try {
      event = deserializeEvent(textDecoder.decode(msg.data));
      const expected = this.names.typeOf(msg.subject);
      if (event.type !== expected) {
        throw new InvalidEventError([
          { path: "type", message: `"${event.type}" does not match its subject ${msg.subject}` },
        ]);
      }
      this.#registry?.validate(event);
    } catch (error) {
      this.#deadLetterInvalid(sub, msg, error);
      return;
    }
    this.#stats.dispatched++;
    this.#stats.forType(event.type).dispatched++;
    const laneKey =
      sub.keyOf === undefined
        ? undefined
        : laneKeyOf(sub.keyOf as (event: EventEnvelope) => string, event, sub.ref, this.#logger);
    const delivery = new Delivery(sub, msg, event, laneKey, this.#now());
    this.#hold(delivery);
    if (laneKey !== undefined) {
      const lanes = sub.lanes as Map<string, Delivery[]>;
      const lane = lanes.get(laneKey);
      if (lane !== undefined) {
        lane.push(delivery);
        return;
      }
      lanes.set(laneKey, []);
    }
    this.#start(delivery);
  }

  #start(delivery: Delivery): void {
    if (this.#propagateContext) runInHandlingContext(delivery, this.#invokeBound, delivery);
    else this.#invoke(delivery);
  }

  #invoke(delivery: Delivery): void {
    const { sub, event } = delivery;
    const attempt = ++delivery.tries;
    let context: DeliveryContext | undefined;
    if (sub.wantsContext || sub.timeoutMs !== undefined) {
      delivery.abort = new AbortController();
      context = { attempt: delivery.attempt, signal: delivery.abort.signal };
      if (sub.timeoutMs !== undefined) {
        const timeoutMs = sub.timeoutMs;
        delivery.timer = setTimeout(() => {
          delivery.abort?.abort(new HandlerTimeoutError(timeoutMs));
          this.#failed(delivery, attempt, new HandlerTimeoutError(timeoutMs));
        }, timeoutMs);
      }
    }
    delivery.running = true;
    delivery.startedAt = this.#now();
    let result: void | Promise<void>;
    try {
      result = sub.handler(event, context as DeliveryContext);
    } catch (error) {
      this.#failed(delivery, attempt, error);
      return;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === "function") {
      (result as Promise<void>).then(
        () => this.#succeeded(delivery, attempt),
        (error: unknown) => this.#failed(delivery, attempt, error),
      );
      return;
    }
    this.#succeeded(delivery, attempt);
  }

  #succeeded(delivery: Delivery, tries: number): void {
    if (!delivery.running || delivery.tries !== tries || delivery.done) return;
    delivery.running = false;
    this.#measure(delivery);
    delivery.msg.ack();
    this.#stats.delivered++;
    this.#finish(delivery);
  }

  #failed(delivery: Delivery, tries: number, error: unknown): void {
    if (!delivery.running || delivery.tries !== tries || delivery.done) return;
    delivery.running = false;
    const attempt = delivery.attempt;
    if (delivery.timer !== undefined) clearTimeout(delivery.timer);
    delivery.timer = undefined;
    this.#measure(delivery);
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
    if (!willRetry) {
      this.#deadLetter(delivery, timedOut ? "handler-timeout" : "handler-failed");
      return;
    }
    this.#stats.retried++;
    const delayMs = backoffDelay(sub.retry, attempt);
    if (delivery.laneKey !== undefined && this.#state === State.Running) {
      // An ordered subscription retries in place: the events behind it in its lane must wait.
      delivery.timer = setTimeout(() => {
        delivery.timer = undefined;
        if (!delivery.done) this.#start(delivery);
      }, delayMs);
      return;
    }
    delivery.msg.nak(delayMs);
    this.#finish(delivery);
  }

  #measure(delivery: Delivery): void {
    recordHandlerTime(
      {
        event: delivery.event,
        handler: delivery.sub.ref,
        startedAt: delivery.startedAt,
        slowLog: delivery.sub.slowLog,
      },
      this.#now(),
      this.#slowHandlerMs,
      this.#stats,
      this.#logger,
    );
  }

  /** Writes the dead letter, then terminates the message; if the write fails, the message is naked to try again. */
  #deadLetter(delivery: Delivery, reason: NatsDeadLetterReason): void {
    const { sub, msg, event } = delivery;
    const entry: NatsDeadLetter = {
      id: `${sub.consumerName}:${msg.seq}`,
      event,
      handler: sub.ref,
      reason,
      error: toDeadLetterError(delivery.lastError),
      attempts: delivery.attempt,
      deadLetteredAt: new Date(),
      source: { subject: msg.subject, sequence: msg.seq, consumer: sub.consumerName },
      raw: undefined,
      issues: NO_ISSUES,
    };
    this.#writeDeadLetter(entry, msg, sub).finally(() => this.#finish(delivery));
  }

  #deadLetterInvalid(sub: Sub, msg: JsMsg, error: unknown): void {
    const issues =
      typeof error === "object" && error !== null && Array.isArray((error as { issues?: unknown }).issues)
        ? ((error as { issues: ValidationIssue[] }).issues as readonly ValidationIssue[])
        : NO_ISSUES;
    const entry: NatsDeadLetter = {
      // Every group receives the same foreign message: one id for all, so the stream keeps it once.
      id: `invalid:${this.names.stream}:${msg.seq}`,
      event: undefined,
      handler: undefined,
      reason: "invalid-message",
      error: toDeadLetterError(error),
      attempts: msg.info.deliveryCount,
      deadLetteredAt: new Date(),
      source: { subject: msg.subject, sequence: msg.seq, consumer: sub.consumerName },
      raw: new Uint8Array(msg.data),
      issues,
    };
    sub.busy++;
    this.#busy++;
    void this.#writeDeadLetter(entry, msg, sub).finally(() => {
      sub.busy--;
      this.#busy--;
    });
  }

  async #writeDeadLetter(entry: NatsDeadLetter, msg: JsMsg, sub: Sub): Promise<void> {
    try {
      const { js } = await this.#connect();
      const { data, headers } = encodeDeadLetter(entry);
      const subject = this.names.deadLetterSubjectOf(entry.event?.type ?? this.names.typeOf(msg.subject));
      await js.publish(subject, data, { msgID: entry.id, headers, timeout: this.#ackWaitMs });
      msg.term();
      this.#stats.deadLettered++;
      this.#logger.error(
        {
          eventId: entry.event?.id,
          eventType: entry.event?.type,
          subject: msg.subject,
          sequence: msg.seq,
          handler: entry.handler?.handlerName,
          reason: entry.reason,
          attempts: entry.attempts,
          error: entry.error?.message,
        },
        entry.reason === "invalid-message" ? "invalid message dead-lettered" : "delivery dead-lettered",
      );
    } catch (error) {
      // Never lose it: the server redelivers, and the next failure tries to dead-letter again.
      msg.nak(backoffDelay(sub.retry, Math.max(1, entry.attempts)));
      this.#logger.error(
        { subject: msg.subject, sequence: msg.seq, error: errorMessage(error) },
        "could not write the dead letter: message handed back for redelivery",
      );
    }
  }

  #hold(delivery: Delivery): void {
    this.#held.add(delivery);
    delivery.sub.busy++;
    this.#busy++;
  }

  #finish(delivery: Delivery): void {
    if (delivery.done) return;
    delivery.done = true;
    if (delivery.timer !== undefined) clearTimeout(delivery.timer);
    this.#held.delete(delivery);
    delivery.sub.busy--;
    this.#busy--;
    if (delivery.laneKey !== undefined) {
      const lanes = delivery.sub.lanes as Map<string, Delivery[]>;
      const lane = lanes.get(delivery.laneKey);
      const next = lane?.shift();
      if (next !== undefined) this.#start(next);
      else lanes.delete(delivery.laneKey);
    }
  }

  /** Working acks: every message held longer than a third of the ack wait gets its deadline reset. */
  #extendAckDeadlines(): void {
    const now = this.#now();
    const every = this.#ackWaitMs / 3;
    for (const delivery of this.#held) {
      if (now - delivery.lastWorkingAt >= every) {
        delivery.lastWorkingAt = now;
        delivery.msg.working();
      }
    }
  }

  #workingIntervalMs(): number {
    return Math.max(50, Math.min(5_000, this.#ackWaitMs / 6));
  }

  // --- idle, lag and stop --------------------------------------------------------------------

  async #afterSetups(): Promise<void> {
    await Promise.all(this.#subs.map((s) => s.setup));
  }

  /** Consumer infos of these subscriptions (one request per consumer), also refreshing `consumerLag`. */
  async #consumerInfos(subs: Sub[]): Promise<ConsumerInfo[] | undefined> {
    const conn = this.#conn;
    if (conn === undefined || !this.#connected) return undefined;
    const names = [...new Set(subs.map((s) => s.consumerName))];
    try {
      const infos = await Promise.all(names.map((n) => conn.jsm.consumers.info(this.names.stream, n)));
      const byName = new Map(infos.map((i) => [i.name, i]));
      const consumersByKey = new Map<string, Set<string>>();
      for (const sub of subs) {
        const key = sub.ref.group ?? sub.ref.subscriptionId;
        const set = consumersByKey.get(key) ?? new Set<string>();
        set.add(sub.consumerName);
        consumersByKey.set(key, set);
      }
      const lag: Record<string, number> = {};
      for (const [key, consumers] of consumersByKey) {
        let pending = 0;
        for (const name of consumers) pending += byName.get(name)?.num_pending ?? 0;
        lag[key] = pending;
      }
      this.#lag = lag;
      return infos;
    } catch {
      return undefined;
    }
  }

  async #stop(timeoutMs: number): Promise<void> {
    if (this.#state === State.Stopped) return;
    const wasRunning = this.#state === State.Running;
    this.#state = State.Stopping;
    const deadline = this.#now() + timeoutMs;
    if (wasRunning || this.#conn !== undefined) {
      // Stop fetching first, so nothing new arrives while we drain.
      await Promise.all(this.#subs.map((sub) => this.#stopFetching(sub)));
    }
    while ((this.#busy > 0 || this.#publisher.pending > 0) && this.#now() < deadline) await sleep(5);
    this.#state = State.Stopped;
    if (this.#busy > 0) this.#handBack();
    if (this.#publisher.pending > 0) this.#publisher.abandonAll("the bus stopped before NATS acknowledged");
    clearInterval(this.#workingTimer);
    clearInterval(this.#lagTimer);
    const conn = this.#conn;
    if (conn !== undefined && !conn.nc.isClosed()) {
      await withTimeout(conn.nc.flush(), 2_000).catch(() => {});
      await Promise.all(
        this.#subs
          .filter((s) => !s.durable && s.ready)
          .map((s) => conn.jsm.consumers.delete(this.names.stream, s.consumerName).catch(() => {})),
      );
      if (this.#options.connection === undefined) await conn.nc.close().catch(() => {});
    } else if (conn === undefined && this.#connecting !== undefined) {
      // Still connecting: close the connection when it comes.
      void this.#connecting
        .then((c) => (this.#options.connection === undefined ? c.nc.close() : undefined))
        .catch(() => {});
    }
    this.#resolveRun?.();
  }

  /** At the stop deadline: events still being handled go back to NATS for redelivery, not to the dead letters. */
  #handBack(): void {
    let handedBack = 0;
    for (const delivery of this.#held) {
      handedBack++;
      if (delivery.timer !== undefined) clearTimeout(delivery.timer);
      delivery.abort?.abort(new BusStoppedError(delivery.event.type));
      delivery.msg.nak();
      delivery.done = true;
      delivery.running = false;
    }
    this.#held.clear();
    for (const sub of this.#subs) {
      sub.lanes?.clear();
      sub.busy = 0;
    }
    this.#busy = 0;
    this.#logger.error({ handedBack }, "stop deadline reached: unfinished events handed back to NATS");
  }
}

function startConfig(from: ReplayStart | undefined): Partial<ConsumerConfig> {
  if (from === undefined || from === "new") return { deliver_policy: DeliverPolicy.New };
  if (from === "beginning") return { deliver_policy: DeliverPolicy.All };
  if ("sequence" in from)
    return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from.sequence };
  return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.time.toISOString() };
}

function checkReplayStart(from: unknown): void {
  if (from === undefined || from === "beginning" || from === "new") return;
  if (typeof from === "object" && from !== null) {
    // Exactly one of the two, each valid: the consumer config reads `sequence` first.
    const keys = Object.keys(from);
    const { sequence, time } = from as { sequence?: unknown; time?: unknown };
    if (keys.length === 1 && typeof sequence === "number" && Number.isInteger(sequence) && sequence >= 1)
      return;
    if (keys.length === 1 && time instanceof Date && !Number.isNaN(time.getTime())) return;
  }
  throw new RangeError(
    `from must be "beginning", "new", { sequence: n >= 1 } or { time: Date } (one of them)`,
  );
}

function isNotFound(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, status } = error as { name?: unknown; status?: unknown };
  return name === "StreamNotFoundError" || name === "ConsumerNotFoundError" || status === 404;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
