import {
  type AnalyticsStore,
  createPostgresStore,
  createSqliteStore,
  EventLogger,
  PerformanceTracker,
  SqlPolicyStore,
  TradeLogger,
} from "@qt/analytics";
import { type DeadLetterStore, type EventBus, InMemoryEventBus } from "@qt/eventbus";
import { NatsEventBus } from "@qt/eventbus-nats";
import { type QtEventBus, type QtEventMap, qtEventRegistry } from "@qt/events";
import { PaperExecutor } from "@qt/executor";
import { HealthMonitor } from "@qt/health-monitor";
import { ModelRegistry } from "@qt/model-registry";
import { MetaStrategyController } from "@qt/msc-ai";
import { DiscordNotifier, defaultRules, EmailNotifier, type Notifier } from "@qt/notifiers";
import { OpportunityRanker } from "@qt/opportunity-ranker";
import { Orchestrator } from "@qt/orchestrator";
import { StrategyLifecycleManager } from "@qt/strategy-lifecycle";
import type { TraderConfig } from "./config.js";
import { describeConfig, redactUrl } from "./config.js";
import { EquityCurve } from "./equity-curve.js";
import { createHttpApi } from "./http/api.js";
import { type NotifierCounters, TraderMetrics } from "./http/metrics.js";
import { type HttpServer, startHttpServer } from "./http/server.js";
import { SseHub } from "./http/sse.js";
import type { MarketFeed } from "./market/candle.js";
import { CsvCandleFeed } from "./market/csv-candles.js";
import { MarketState } from "./market/market-state.js";
import { deriveSeed, mulberry32 } from "./market/random.js";
import { DEFAULT_SIMULATION_START, MarketSimulator } from "./market/simulator.js";
import { atMarketTime } from "./market-time-bus.js";
import { Portfolio } from "./portfolio.js";
import { type SessionEnd, type SessionSnapshot, TradingSession } from "./session.js";
import { SimClock } from "./sim-clock.js";
import { formatStatus } from "./status/format-status.js";
import type { TraderSummary } from "./status/format-summary.js";
import { type AppLogger, createLogger } from "./status/logger.js";
import { RateMeter } from "./status/rate-meter.js";
import { type StatusStream, TerminalStatus } from "./status/terminal-status.js";
import { countingStore } from "./store-counter.js";
import { MeanRevertStrategy } from "./strategies/mean-revert.js";
import { TrendFollowStrategy } from "./strategies/trend-follow.js";

/**
 * What `createTrader` needs besides its configuration: where to write, and seams for tests.
 *
 * @example
 * ```ts
 * const deps: TraderDeps = { stdout: process.stdout, stderr: process.stderr };
 * ```
 */
export interface TraderDeps {
  /** Startup lines, the live status and the summary. */
  readonly stdout: StatusStream;
  /** Logs (warnings, errors). */
  readonly stderr: { write(text: string): unknown };
  /** Replaces the market data source (tests). */
  readonly feed?: MarketFeed;
  /** The Discord API base URL (tests point it at a local server). */
  readonly discordApi?: string;
}

/** Why a run ended on its own. */
export type TraderEnd = Exclude<SessionEnd, "stopped"> | "duration";

/**
 * A wired trader: `start()` opens the store, binds the HTTP server and starts the bus and the
 * session; `finished` settles when the run ends on its own (or rejects on a fatal error);
 * `stop()` shuts everything down in order and returns the summary.
 *
 * @example
 * ```ts
 * const trader = createTrader(config, { stdout: process.stdout, stderr: process.stderr });
 * await trader.start();
 * await trader.finished;
 * const summary = await trader.stop("until-trades");
 * ```
 */
export interface Trader {
  start(): Promise<void>;
  /** The HTTP server's URL once started (undefined with `--no-http`). */
  readonly url: string | undefined;
  readonly finished: Promise<TraderEnd>;
  /**
   * Stops intake (no new tick), drains the bus and flushes the stores; returns the summary. The
   * store stays readable and the HTTP server up (the API and dashboard show the finished run)
   * until `stop()`. Idempotent.
   */
  halt(reason: string): Promise<TraderSummary>;
  /**
   * `halt()`, then closes the store and the HTTP server. Idempotent: later calls return the same
   * summary. Rejects with the first error of a shutdown step (every step still runs).
   */
  stop(reason: string): Promise<TraderSummary>;
  snapshot(): SessionSnapshot;
  /** Writes a line to stderr without tearing the live status line (for the entry point's notices). */
  notice(line: string): void;
  /** The bus (its stats, for tests). */
  readonly bus: QtEventBus;
  /** The analytics store, while open. */
  readonly store: AnalyticsStore | undefined;
}

/** 5 bps per fill and 2 bps of slippage: a liquid venue's taker costs. */
const FEE_RATE = 0.0005;
const SLIPPAGE_BPS = 2;

/** Strategies every run trades, in the order their signals are evaluated each tick. */
const STRATEGY_IDS = ["trend-follow", "mean-revert"] as const;

/**
 * Builds a trader from a parsed configuration: the composition root. Every component gets the
 * one bus; nothing here reads the environment.
 *
 * @example
 * ```ts
 * const result = parseConfig(["--until-trades", "10", "--no-http"], {});
 * if (result.ok) {
 *   const trader = createTrader(result.config, { stdout: process.stdout, stderr: process.stderr });
 *   await trader.start();
 *   console.log(await trader.finished, await trader.stop("done"));
 * }
 * ```
 */
export function createTrader(config: TraderConfig, deps: TraderDeps): Trader {
  return new TraderApp(config, deps);
}

interface Running {
  readonly store: AnalyticsStore;
  readonly counted: { events(): number; trades(): number };
  readonly eventLogger: EventLogger;
  readonly tradeLogger: TradeLogger;
  readonly tracker: PerformanceTracker;
  readonly msc: MetaStrategyController;
  readonly orchestrator: Orchestrator;
  readonly notifiers: ReadonlyMap<string, Notifier>;
  readonly session: TradingSession;
  readonly feed: MarketFeed;
  readonly sse: SseHub;
  readonly metrics: TraderMetrics;
  readonly busRunning: Promise<void>;
  http: HttpServer | undefined;
}

class TraderApp implements Trader {
  readonly #config: TraderConfig;
  readonly #deps: TraderDeps;
  readonly bus: QtEventBus;
  readonly #status: TerminalStatus;
  readonly #log: AppLogger;
  readonly #rate: RateMeter;
  /** Equity over the last 2,000 ticks; drawdown measured from the peak of the last 240 (four market hours). */
  readonly #curve = new EquityCurve({ window: 240, capacity: 2_000 });
  readonly #finished: Promise<TraderEnd>;
  #settle: { resolve: (end: TraderEnd) => void; reject: (error: unknown) => void } | undefined;
  #running: Running | undefined;
  #session: TradingSession | undefined;
  #halting: Promise<TraderSummary> | undefined;
  #closing: Promise<void> | undefined;
  #shutdownError: unknown;
  /** Connects a broker bus at start (fail fast); nothing for the in-memory bus. */
  #connectBus: () => Promise<void> = async () => {};
  /** The bus's dead letters: notifiers put what they give up on there too. */
  #deadLetters: DeadLetterStore | undefined;
  #durationTimer: ReturnType<typeof setTimeout> | undefined;
  #startedAt = 0;
  #badRows = 0;
  #state: "created" | "starting" | "running" | "stopping" | "finished" | "stopped" = "created";

  constructor(config: TraderConfig, deps: TraderDeps) {
    this.#config = config;
    this.#deps = deps;
    const mode = config.status === "auto" ? (deps.stdout.isTTY === true ? "tty" : "lines") : config.status;
    this.#status = new TerminalStatus({
      stream: deps.stdout,
      mode,
      intervalMs: config.statusIntervalMs,
      render: ({ color }) => this.#statusLine(color),
    });
    this.#log = createLogger((line) => this.#status.print(deps.stderr, line));
    this.bus = this.#createBus();
    this.#rate = new RateMeter(() => this.bus.getStats().published);
    this.#finished = new Promise<TraderEnd>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // A caller that never awaits `finished` must not see an unhandled rejection.
    this.#finished.catch(() => {});
  }

  get url(): string | undefined {
    return this.#running?.http?.url;
  }

  get finished(): Promise<TraderEnd> {
    return this.#finished;
  }

  get store(): AnalyticsStore | undefined {
    return this.#running?.store;
  }

  snapshot(): SessionSnapshot {
    if (this.#session === undefined) throw new Error("the trader has not started");
    return this.#session.snapshot();
  }

  async start(): Promise<void> {
    if (this.#state !== "created") throw new Error("start() was already called");
    this.#state = "starting";
    this.#startedAt = performance.now();
    const config = this.#config;
    this.#print("Quantum Trader · paper trading");
    for (const line of describeConfig(config)) this.#print(`  ${line}`);
    for (const note of config.notes) this.#print(`note: ${note}`);

    const opened: { close(): Promise<void> }[] = [];
    try {
      await withDeadline(
        this.#connectBus(),
        10_000,
        `cannot reach the broker at ${redactUrl(config.bus.kind === "nats" ? config.bus.url : "")}`,
      );
      const rawStore = await this.#openStore();
      opened.push(rawStore);
      const { store, counted } = countingStore(rawStore);
      const running = await this.#wire(store, counted, opened);
      this.#running = running;
      if (config.http.enabled) {
        running.http = await startHttpServer({
          host: config.http.host,
          port: config.http.port,
          api: createHttpApi({
            bus: this.bus,
            session: running.session,
            store,
            tracker: running.tracker,
            metrics: running.metrics,
            sse: running.sse,
            health: () => this.#health(),
            rate: () => this.#rate.perSecond(),
            curve: this.#curve,
          }),
          onError: (error, request) => this.#log.error({ path: request.url, error }, "HTTP request failed"),
        });
        this.#print(`listening on ${running.http.url} (dashboard, API, /events)`);
      }
    } catch (error) {
      this.#state = "stopped";
      this.#running = undefined;
      await this.bus.stop({ timeoutMs: 1_000 }).catch(() => {});
      for (const resource of opened.reverse()) await resource.close().catch(() => {});
      throw error;
    }

    const running = this.#running;
    this.#state = "running";
    this.#status.start();
    if (config.durationMs !== undefined) {
      this.#durationTimer = setTimeout(() => this.#settle?.resolve("duration"), config.durationMs);
      this.#durationTimer.unref();
    }
    running.session.start().then(
      (end) => {
        if (end !== "stopped") this.#settle?.resolve(end);
      },
      (error: unknown) => this.#settle?.reject(error),
    );
    running.busRunning.catch((error: unknown) => this.#settle?.reject(error));
  }

  halt(reason: string): Promise<TraderSummary> {
    this.#halting ??= this.#halt(reason);
    return this.#halting;
  }

  async stop(reason: string): Promise<TraderSummary> {
    const summary = await this.halt(reason);
    this.#closing ??= this.#close();
    await this.#closing;
    if (this.#shutdownError !== undefined) throw this.#shutdownError;
    return summary;
  }

  #createBus(): QtEventBus {
    const bus = this.#config.bus;
    if (bus.kind === "memory") {
      const memory = new InMemoryEventBus<QtEventMap>({
        maxQueueSize: 10_000,
        registry: qtEventRegistry,
        logger: createLogger((line) => this.#status.print(this.#deps.stderr, line)),
        stopTimeoutMs: this.#config.shutdownTimeoutMs,
      });
      this.#deadLetters = memory.deadLetters;
      return memory satisfies EventBus<QtEventMap>;
    }
    const nats = new NatsEventBus<QtEventMap>({
      servers: bus.servers,
      namespace: bus.namespace,
      registry: qtEventRegistry,
      logger: createLogger((line) => this.#status.print(this.#deps.stderr, line)),
      stopTimeoutMs: this.#config.shutdownTimeoutMs,
    });
    this.#connectBus = () => nats.connect();
    return nats;
  }

  async #openStore(): Promise<AnalyticsStore> {
    const database = this.#config.database;
    const options = { logger: this.#log, flushIntervalMs: 2 };
    return database.kind === "sqlite"
      ? createSqliteStore({ ...options, path: database.path })
      : createPostgresStore({ ...options, connectionString: database.url, applicationName: "qt-trader" });
  }

  /** Builds every component on the bus, in the order the guide wires them. */
  async #wire(
    store: AnalyticsStore,
    counted: Running["counted"],
    opened: { close(): Promise<void> }[],
  ): Promise<Running> {
    const config = this.#config;
    const bus = this.bus;
    const log = this.#log;

    // Analytics first: they subscribe to every event, so nothing published later is missed.
    const eventLogger = new EventLogger({ eventBus: bus, store });
    const tradeLogger = new TradeLogger({ eventBus: bus, store });
    const tracker = new PerformanceTracker({ eventBus: bus, store });
    await tracker.start();

    const sse = new SseHub({ status: () => this.#dashboardStatus() });
    bus.subscribe(">", (event) => sse.publish(event), { name: "http.sse" });

    const notifiers = this.#createNotifiers();
    const metrics = new TraderMetrics({
      busStats: () => bus.getStats(),
      snapshot: () => session.snapshot(),
      notifiers: () => notifierCounters(notifiers),
      sse: () => sse.stats,
    });
    bus.subscribe("trade.executed", (event) => metrics.recordTrade(event.payload), {
      name: "metrics.trades",
    });
    for (const notifier of notifiers.values())
      opened.push({ close: () => notifier.close({ timeoutMs: 2_000 }) });

    const feed = await this.#createFeed();
    opened.push(feed);
    const clock = new SimClock(
      this.#deps.feed === undefined && config.candles === undefined ? DEFAULT_SIMULATION_START : new Date(0),
    );
    const market = new MarketState(feed.symbols);

    const policyStore = new SqlPolicyStore({ store, allowedStrategies: [...STRATEGY_IDS] });
    await policyStore.setAllowedStrategies([...STRATEGY_IDS]);
    const msc = new MetaStrategyController({
      eventBus: atMarketTime(bus, () => clock.now()),
      policyStore,
      // AGGRESSIVE takes more risk than NORMAL here (the package's defaults make them equal).
      modes: { AGGRESSIVE: { global_min_confidence: 0.55, max_risk_per_trade: 0.025, max_positions: 6 } },
      recovery: { delayMs: 30 * 60_000 },
      timers: clock,
      logger: log,
    });
    const orchestrator = new Orchestrator({ eventBus: bus });
    const portfolio = new Portfolio(config.capital);
    const firstOrder = tracker.snapshot.fills;
    let orders = 0;
    const executor = new PaperExecutor({
      eventBus: bus,
      prices: market,
      feeRate: FEE_RATE,
      slippageBps: SLIPPAGE_BPS,
      clock: () => clock.now(),
      // Same seed and same store, same ids; numbering continues after the trades already stored.
      idGenerator: () => `ord-${config.seed}-${String(firstOrder + ++orders).padStart(6, "0")}`,
    });
    const healthMonitor = new HealthMonitor({ eventBus: bus, clock: () => clock.now() });
    const ranker = new OpportunityRanker({
      eventBus: bus,
      topN: Math.max(1, Math.min(3, feed.symbols.length)),
      clock: () => clock.now(),
    });
    const lifecycle = new StrategyLifecycleManager({
      eventBus: bus,
      clock: () => clock.now(),
      thresholds: {
        shadow: { minSharpe: 0.5, minTrades: 5 },
        live: { minSharpe: 0.8, minWinRate: 0.45, maxDrawdownPct: 15, minTrades: 10 },
        liveFloor: { minSharpe: -0.5, maxDrawdownPct: 25 },
      },
    });
    const models = new ModelRegistry({
      eventBus: bus,
      clock: () => clock.now(),
      minShadowImprovement: { metric: "pnl", by: 0 },
    });
    const strategies = [
      new TrendFollowStrategy({ random: mulberry32(deriveSeed(config.seed, "trend-follow")) }),
      new MeanRevertStrategy({ random: mulberry32(deriveSeed(config.seed, "mean-revert")) }),
    ];
    const session = new TradingSession(
      {
        bus,
        feed,
        clock,
        market,
        msc,
        orchestrator,
        executor,
        healthMonitor,
        ranker,
        lifecycle,
        models,
        strategies,
        portfolio,
        curve: this.#curve,
        random: mulberry32(deriveSeed(config.seed, "models")),
      },
      {
        speed: config.speed,
        ...(config.untilTrades === undefined ? {} : { untilTrades: config.untilTrades }),
        onWarning: (message, fields) => log.warn(fields ?? {}, message),
        onSignal: (outcome) => metrics.recordSignal(outcome),
      },
    );
    this.#session = session;
    const busRunning = bus.runForever();
    return {
      store,
      counted,
      eventLogger,
      tradeLogger,
      tracker,
      msc,
      orchestrator,
      notifiers,
      session,
      feed,
      sse,
      metrics,
      busRunning,
      http: undefined,
    };
  }

  #createNotifiers(): Map<string, Notifier> {
    const config = this.#config;
    const notifiers = new Map<string, Notifier>();
    // Every default rule but model promotions: a retrained model every few minutes is not an alert.
    const rules = defaultRules({ pnlThreshold: 1_000 }).filter((rule) => rule.name !== "model-promoted");
    const common = {
      eventBus: this.bus,
      rules,
      logger: this.#log,
      ...(this.#deadLetters === undefined ? {} : { deadLetters: this.#deadLetters }),
    };
    if (config.discord === undefined) {
      this.#print(
        "discord alerts are off: set QT_DISCORD_WEBHOOK_URL (or --discord-webhook) to turn them on",
      );
    } else {
      notifiers.set(
        "discord",
        new DiscordNotifier({
          ...common,
          webhookUrl: config.discord.webhookUrl,
          ...(this.#deps.discordApi === undefined ? {} : { api: this.#deps.discordApi }),
        }),
      );
    }
    if (config.email === undefined) {
      this.#print(
        "email alerts are off: set QT_SMTP_URL and QT_EMAIL_TO (or --smtp-url and --email-to) to turn them on",
      );
    } else {
      notifiers.set(
        "email",
        new EmailNotifier({
          ...common,
          smtpUrl: config.email.smtpUrl,
          from: config.email.from,
          to: config.email.to,
        }),
      );
    }
    return notifiers;
  }

  async #createFeed(): Promise<MarketFeed> {
    const config = this.#config;
    if (this.#deps.feed !== undefined) return this.#deps.feed;
    if (config.candles !== undefined) {
      return CsvCandleFeed.open({
        file: config.candles,
        symbol: config.symbols[0] ?? "BTCUSDT",
        onBadRow: (row) => {
          this.#badRows++;
          this.#log.warn({ file: config.candles, line: row.line }, `bad candle row skipped: ${row.reason}`);
        },
      });
    }
    return new MarketSimulator({ seed: config.seed, symbols: config.symbols });
  }

  #health(): { ready: boolean; body: unknown } {
    const running = this.#running;
    const snapshot = this.#session?.snapshot();
    const stats = this.bus.getStats();
    const ready = this.#state === "running" && snapshot?.state === "running";
    const notifiers: Record<string, unknown> = {
      discord: { state: "off" },
      email: { state: "off" },
    };
    for (const [name, notifier] of running?.notifiers ?? []) {
      const health = notifier.health();
      notifiers[name] = { state: health.healthy ? "up" : "failing", ...health };
    }
    return {
      ready,
      body: {
        status: !ready
          ? this.#state === "running"
            ? "starting"
            : this.#state
          : worstHealth(snapshot?.health ?? {}),
        live: true,
        ready,
        components: {
          bus: {
            state:
              this.#state === "finished" || this.#state === "stopped"
                ? "stopped"
                : this.#state === "stopping"
                  ? "draining"
                  : "running",
            kind: this.#config.bus.kind,
            queueSize: stats.queueSize,
            inFlight: stats.inFlight,
            errors: stats.errors,
            deadLettered: stats.deadLettered,
          },
          session: {
            state: snapshot?.state ?? "created",
            tick: snapshot?.tick ?? -1,
            riskMode: snapshot?.riskMode ?? null,
            halted: snapshot?.halted ?? false,
          },
          store:
            running === undefined
              ? { state: "closed" }
              : { state: "open", dialect: running.store.dialect, target: running.store.target },
          performanceTracker: { state: running?.tracker.ready === true ? "ready" : "starting" },
          health: snapshot?.health ?? {},
          notifiers,
        },
      },
    };
  }

  #dashboardStatus(): unknown {
    const session = this.#session;
    if (session === undefined) return undefined;
    return {
      snapshot: session.snapshot(),
      bus: this.bus.getStats(),
      eventsPerSecond: this.#rate.perSecond(),
      equityTail: this.#curve.points().slice(-100),
    };
  }

  #statusLine(color: boolean): string {
    const session = this.#session;
    if (session === undefined) return "starting…";
    const snapshot = session.snapshot();
    return formatStatus(
      {
        snapshot,
        eventsPerSecond: this.#rate.perSecond(),
        queueSize: this.bus.getStats().queueSize,
        url: this.#running?.http?.url,
      },
      { color },
    );
  }

  /** Phase 1: stop intake, drain the bus, flush the stores; the summary. The HTTP server stays up. */
  async #halt(reason: string): Promise<TraderSummary> {
    const running = this.#running;
    if (this.#durationTimer !== undefined) clearTimeout(this.#durationTimer);
    this.#state = "stopping";
    if (running !== undefined) {
      // 1. intake: no new tick; the one in progress finishes.
      await this.#step("session", () => running.session.stop());
      await this.#step("msc-ai", () => running.msc.idle());
      // 2. drain the bus: every accepted event is handled (stored, streamed, alerted).
      await this.#step("bus", async () => {
        await this.bus.stop({ timeoutMs: this.#config.shutdownTimeoutMs });
        await running.busRunning;
      });
      // 3. flush the stores, close the components.
      await this.#step("analytics", async () => {
        await running.eventLogger.stop();
        await running.tradeLogger.stop();
        await running.tracker.stop();
      });
      await this.#step("components", async () => {
        await running.msc.close();
        running.orchestrator.close();
      });
      for (const [name, notifier] of running.notifiers) {
        await this.#step(`notifier ${name}`, () => notifier.close({ timeoutMs: 2_000 }));
      }
      await this.#step("feed", () => running.feed.close());
    }
    this.#status.stop();
    this.#state = "finished";
    const snapshot = this.#session?.snapshot();
    const stats = this.bus.getStats();
    return {
      reason,
      ticks: Math.max(0, (snapshot?.tick ?? -1) + 1),
      marketStart: snapshot?.marketStart ?? null,
      marketEnd: snapshot?.marketTime ?? null,
      wallMs: Math.round(performance.now() - this.#startedAt),
      trades: snapshot?.trades ?? 0,
      realisedPnl: snapshot?.realisedPnl ?? 0,
      fees: snapshot?.fees ?? 0,
      equity: snapshot?.equity ?? this.#config.capital,
      maxDrawdownPct: snapshot?.maxDrawdownPct ?? 0,
      riskMode: snapshot?.riskMode ?? null,
      bus: {
        published: stats.published,
        delivered: stats.delivered,
        errors: stats.errors,
        deadLettered: stats.deadLettered,
      },
      store: {
        events: running?.counted.events() ?? null,
        trades: running?.counted.trades() ?? null,
      },
      badCandleRows: this.#badRows,
    };
  }

  /** Phase 2: close the store, then the HTTP server (it answered "stopping" while the rest drained). */
  async #close(): Promise<void> {
    const running = this.#running;
    if (running !== undefined) {
      await this.#step("store", () => running.store.close());
      await this.#step("http", async () => running.http?.close());
    }
    this.#state = "stopped";
  }

  async #step(name: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.#shutdownError ??= error;
      this.#log.error({ step: name, error }, "shutdown step failed");
    }
  }

  notice(line: string): void {
    this.#status.print(this.#deps.stderr, line);
  }

  #print(line: string): void {
    this.#status.print(this.#deps.stdout, line);
  }
}

/** Rejects with `message` (and the cause, if the promise failed) unless `promise` settles within `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(message)) throw error;
    throw new Error(message, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

function worstHealth(health: Readonly<Record<string, string>>): string {
  const statuses = Object.values(health);
  if (statuses.includes("CRITICAL")) return "critical";
  if (statuses.includes("DEGRADED")) return "degraded";
  return "ok";
}

function notifierCounters(notifiers: ReadonlyMap<string, Notifier>): Record<string, NotifierCounters> {
  const counters: Record<string, NotifierCounters> = {};
  for (const [name, notifier] of notifiers) {
    const { sent, failed, suppressed, retried, queued } = notifier.getStats();
    counters[name] = { sent, failed, suppressed, retried, queued };
  }
  return counters;
}
