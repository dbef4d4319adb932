import type { BusStats } from "@qt/eventbus";
import type { TradeExecutedPayload } from "@qt/events";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { SessionSnapshot, SignalOutcome } from "../session.js";

/** Counters of one notifier, as `/metrics` shows them. */
export interface NotifierCounters {
  readonly sent: number;
  readonly failed: number;
  readonly suppressed: number;
  readonly retried: number;
  /** Alerts waiting or being sent (a gauge). */
  readonly queued: number;
}

/** What the metrics read when scraped. */
export interface MetricsSources {
  readonly busStats: () => BusStats;
  readonly snapshot: () => SessionSnapshot;
  /** Per notifier name (`discord`, `email`). */
  readonly notifiers: () => Readonly<Record<string, NotifierCounters>>;
  readonly sse?: () => { clients: number; sent: number; dropped: number };
}

/**
 * The Prometheus metrics of one trader: a registry of its own (never prom-client's global one, so
 * two traders in one process, as in tests, do not mix), bus counters and latencies read from
 * `getStats()` at scrape time, trades and signals counted as they happen, pnl, equity, drawdown,
 * risk mode, health and notifier counters.
 *
 * @example
 * ```ts
 * const metrics = new TraderMetrics({ busStats: () => bus.getStats(), snapshot, notifiers: () => ({}) });
 * metrics.recordTrade(event.payload);
 * const text = await metrics.registry.metrics();
 * ```
 */
export class TraderMetrics {
  readonly registry = new Registry();
  readonly #trades: Counter<"symbol" | "side" | "strategy">;
  readonly #volume: Counter<"symbol">;
  readonly #signals: Counter<"strategy" | "kind" | "outcome">;
  readonly #rejections: Counter<"reason">;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "qt_process_" });
    this.#trades = new Counter({
      name: "qt_trades_total",
      help: "Trades executed by the paper executor.",
      labelNames: ["symbol", "side", "strategy"],
      registers,
    });
    this.#volume = new Counter({
      name: "qt_traded_notional_total",
      help: "Notional traded, in quote currency.",
      labelNames: ["symbol"],
      registers,
    });
    this.#signals = new Counter({
      name: "qt_signals_total",
      help: "Strategy signals by outcome (executed or rejected by the orchestrator).",
      labelNames: ["strategy", "kind", "outcome"],
      registers,
    });
    this.#rejections = new Counter({
      name: "qt_signal_rejections_total",
      help: "Orchestrator rejection reasons (a signal may have several).",
      labelNames: ["reason"],
      registers,
    });

    // Bus counters are owned by the bus: mirror them at scrape time by the increase since the last scrape.
    const busCounter = (name: string, help: string, read: (s: BusStats) => number) => {
      let seen = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const value = read(sources.busStats());
          if (value > seen) this.inc(value - seen);
          seen = Math.max(seen, value);
        },
      });
    };
    busCounter("qt_bus_published_total", "Events accepted by publish.", (s) => s.published);
    busCounter("qt_bus_dispatched_total", "Events handed to their handlers.", (s) => s.dispatched);
    busCounter("qt_bus_delivered_total", "Handler invocations that succeeded.", (s) => s.delivered);
    busCounter("qt_bus_errors_total", "Failed handler invocations.", (s) => s.errors);
    busCounter("qt_bus_retried_total", "Retries scheduled.", (s) => s.retried);
    busCounter("qt_bus_dead_lettered_total", "Deliveries given up on.", (s) => s.deadLettered);
    busCounter("qt_bus_dropped_total", "Events dropped by a full queue.", (s) => s.dropped);
    busCounter("qt_bus_rejected_total", "Publishes refused.", (s) => s.rejected);
    busCounter(
      "qt_bus_slow_handlers_total",
      "Handler invocations slower than the threshold.",
      (s) => s.slowHandlers,
    );

    const seenByType = new Map<string, number>();
    new Counter({
      name: "qt_bus_events_published_total",
      help: "Events accepted by publish, per type.",
      labelNames: ["type"],
      registers,
      collect() {
        for (const [type, stats] of Object.entries(sources.busStats().byType)) {
          const seen = seenByType.get(type) ?? 0;
          if (stats.published > seen) this.inc({ type }, stats.published - seen);
          seenByType.set(type, Math.max(seen, stats.published));
        }
      },
    });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge("qt_bus_queue_size", "Events waiting in the queue.", () => sources.busStats().queueSize);
    gauge("qt_bus_in_flight", "Deliveries started and not finished.", () => sources.busStats().inFlight);
    gauge("qt_bus_handlers", "Live subscriptions.", () => sources.busStats().totalHandlers);
    new Gauge({
      name: "qt_bus_handler_latency_seconds",
      help: "Handler run time percentiles (p50, p99) and maximum, from the bus's histogram.",
      labelNames: ["quantile"],
      registers,
      collect() {
        const latency = sources.busStats().handlerLatencyMs;
        this.set({ quantile: "0.5" }, latency.p50 / 1000);
        this.set({ quantile: "0.99" }, latency.p99 / 1000);
        this.set({ quantile: "1" }, latency.max / 1000);
      },
    });
    gauge(
      "qt_realised_pnl",
      "Sum of the pnl of executed trades (quote currency).",
      () => sources.snapshot().realisedPnl,
    );
    gauge("qt_fees_paid", "Fees paid (quote currency).", () => sources.snapshot().fees);
    gauge("qt_equity", "Paper account equity, marked to market.", () => sources.snapshot().equity);
    gauge(
      "qt_drawdown_percent",
      "Drawdown reported to the health monitor.",
      () => sources.snapshot().drawdownPct,
    );
    gauge("qt_open_positions", "Open positions.", () => sources.snapshot().positions.length);
    gauge("qt_trading_halted", "1 while the safety governor halts trading.", () =>
      sources.snapshot().halted ? 1 : 0,
    );
    gauge("qt_session_tick", "Market ticks processed.", () => Math.max(0, sources.snapshot().tick));
    new Gauge({
      name: "qt_risk_mode",
      help: "1 for the MSC AI's current risk mode.",
      labelNames: ["mode"],
      registers,
      collect() {
        const mode = sources.snapshot().riskMode;
        for (const m of ["AGGRESSIVE", "NORMAL", "DEFENSIVE"]) this.set({ mode: m }, m === mode ? 1 : 0);
      },
    });
    new Gauge({
      name: "qt_health_status",
      help: "Component health: 0 HEALTHY, 1 DEGRADED, 2 CRITICAL.",
      labelNames: ["component"],
      registers,
      collect() {
        this.reset();
        for (const [component, status] of Object.entries(sources.snapshot().health)) {
          this.set({ component }, status === "CRITICAL" ? 2 : status === "DEGRADED" ? 1 : 0);
        }
      },
    });
    const seenAlerts = new Map<string, number>();
    new Counter({
      name: "qt_notifier_alerts_total",
      help: "Alerts per notifier (discord, email) by outcome: sent, failed, suppressed (storm), retried.",
      labelNames: ["notifier", "outcome"],
      registers,
      collect() {
        for (const [notifier, counters] of Object.entries(sources.notifiers())) {
          for (const outcome of ["sent", "failed", "suppressed", "retried"] as const) {
            const key = `${notifier}\0${outcome}`;
            const seen = seenAlerts.get(key) ?? 0;
            if (counters[outcome] > seen) this.inc({ notifier, outcome }, counters[outcome] - seen);
            seenAlerts.set(key, Math.max(seen, counters[outcome]));
          }
        }
      },
    });
    new Gauge({
      name: "qt_notifier_queued",
      help: "Alerts waiting or being sent, per notifier.",
      labelNames: ["notifier"],
      registers,
      collect() {
        for (const [notifier, counters] of Object.entries(sources.notifiers()))
          this.set({ notifier }, counters.queued);
      },
    });
    if (sources.sse !== undefined) {
      const sse = sources.sse;
      gauge("qt_sse_clients", "Connected /events streams.", () => sse().clients);
    }
  }

  recordTrade(fill: TradeExecutedPayload): void {
    this.#trades.inc({ symbol: fill.symbol, side: fill.side, strategy: fill.strategy_id });
    this.#volume.inc({ symbol: fill.symbol }, fill.price * fill.size);
  }

  recordSignal(outcome: SignalOutcome): void {
    this.#signals.inc({
      strategy: outcome.strategyId,
      kind: outcome.kind,
      outcome: outcome.executed ? "executed" : "rejected",
    });
    if (!outcome.executed) for (const reason of outcome.reasons) this.#rejections.inc({ reason });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
