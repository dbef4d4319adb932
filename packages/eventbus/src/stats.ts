import { LatencyHistogram, type LatencySummary } from "./latency-histogram.js";

/** Counters of one event type. */
export interface TypeStats {
  /** Events of this type accepted by `publish`. */
  readonly published: number;
  /** Events of this type taken off the queue and handed to their handlers. */
  readonly dispatched: number;
  /** Failed handler invocations for this type (each failed attempt counts). */
  readonly errors: number;
}

/**
 * A snapshot of a bus's counters. The first six are the original design's; counters only grow,
 * gauges (`queueSize`, `inFlight`, `handlerTypes`, `totalHandlers`) are current values.
 */
export interface BusStats {
  /** Events accepted by `publish`. */
  readonly published: number;
  /** Events taken off the queue and handed to every matching handler. */
  readonly dispatched: number;
  /** Failed handler invocations (throws, rejections, timeouts); each failed attempt counts. */
  readonly errors: number;
  /** Events waiting in the queue. */
  readonly queueSize: number;
  /** Distinct types and patterns that have at least one handler. */
  readonly handlerTypes: number;
  /** Live subscriptions. */
  readonly totalHandlers: number;
  /** Handler invocations that succeeded. */
  readonly delivered: number;
  /** Retries scheduled after a failure. */
  readonly retried: number;
  /** Deliveries given up on and written to the dead-letter store. */
  readonly deadLettered: number;
  /** Events discarded by the `drop-oldest` policy. */
  readonly dropped: number;
  /** `publish` calls refused (validation, full queue, stopped, causation depth). */
  readonly rejected: number;
  /** Deliveries started and not yet finished, including those waiting to retry or for their turn in order. */
  readonly inFlight: number;
  /** Handler invocations slower than `slowHandlerMs`. */
  readonly slowHandlers: number;
  /** Run time of handler invocations. */
  readonly handlerLatencyMs: LatencySummary;
  /** Counters per event type (at most `maxTrackedTypes` types; the rest are summed under `"*other*"`). */
  readonly byType: Readonly<Record<string, TypeStats>>;
}

/** The gauges a bus reports at snapshot time. */
export interface StatsGauges {
  /** Events waiting in the queue (publishers blocked on a full queue included). */
  queueSize: number;
  /** Deliveries started and not yet finished, those waiting to retry or for their turn included. */
  inFlight: number;
  /** Distinct patterns with at least one live subscription. */
  handlerTypes: number;
  /** Live subscriptions. */
  totalHandlers: number;
}

const OTHER = "*other*";

/** The live counters of one type, as a bus increments them. */
export interface MutableTypeStats {
  published: number;
  dispatched: number;
  errors: number;
}

/**
 * The counters every bus implementation keeps; written once here so adapters report the same
 * numbers the same way. Memory is bounded: at most `maxTrackedTypes` entries per type.
 */
export class StatsCollector {
  /** Events accepted by `publish`. */
  published = 0;
  /** Events taken off the queue and handed to their handlers. */
  dispatched = 0;
  /** Failed handler invocations; each failed attempt counts. */
  errors = 0;
  /** Handler invocations that succeeded. */
  delivered = 0;
  /** Retries scheduled after a failure. */
  retried = 0;
  /** Deliveries (and, at a stop deadline, queued events) written to the dead-letter store. */
  deadLettered = 0;
  /** Events discarded by the `drop-oldest` policy. */
  dropped = 0;
  /** `publish` calls refused: validation, full queue, stopped bus, causation depth. */
  rejected = 0;
  /** Handler invocations slower than the bus's `slowHandlerMs`. */
  slowHandlers = 0;
  /** Run time of handler invocations, failed ones included, in milliseconds. */
  readonly latency = new LatencyHistogram();
  readonly #byType = new Map<string, MutableTypeStats>();
  readonly #maxTrackedTypes: number;

  constructor(maxTrackedTypes = 1000) {
    this.#maxTrackedTypes = maxTrackedTypes;
  }

  /** The counters of `type`, created on first use. */
  forType(type: string): MutableTypeStats {
    let entry = this.#byType.get(type);
    if (entry === undefined) {
      const key = this.#byType.size < this.#maxTrackedTypes ? type : OTHER;
      entry = this.#byType.get(key);
      if (entry === undefined) {
        entry = { published: 0, dispatched: 0, errors: 0 };
        this.#byType.set(key, entry);
      }
    }
    return entry;
  }

  /** An immutable snapshot including the given gauges. */
  snapshot(gauges: StatsGauges): BusStats {
    const byType: Record<string, TypeStats> = {};
    for (const [type, s] of this.#byType) byType[type] = { ...s };
    return {
      published: this.published,
      dispatched: this.dispatched,
      errors: this.errors,
      queueSize: gauges.queueSize,
      handlerTypes: gauges.handlerTypes,
      totalHandlers: gauges.totalHandlers,
      delivered: this.delivered,
      retried: this.retried,
      deadLettered: this.deadLettered,
      dropped: this.dropped,
      rejected: this.rejected,
      inFlight: gauges.inFlight,
      slowHandlers: this.slowHandlers,
      handlerLatencyMs: this.latency.summary(),
      byType,
    };
  }
}
