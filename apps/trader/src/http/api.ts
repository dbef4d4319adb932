import type { AnalyticsStore, EventQuery, PerformanceTracker, TradeQuery } from "@qt/analytics";
import { compilePattern, EventBusError } from "@qt/eventbus";
import { type QtEventBus, qtEventRegistry } from "@qt/events";
import type { EquityCurve } from "../equity-curve.js";
import type { TradingSession } from "../session.js";
import type { TraderMetrics } from "./metrics.js";
import { BadRequestError, type HttpApi } from "./server.js";
import type { SseHub } from "./sse.js";

/** What the HTTP API is built from. */
export interface HttpApiSources {
  readonly bus: QtEventBus;
  readonly session: TradingSession;
  readonly store: AnalyticsStore;
  readonly tracker: PerformanceTracker;
  readonly metrics: TraderMetrics;
  readonly sse: SseHub;
  readonly curve: EquityCurve;
  readonly health: () => { ready: boolean; body: unknown };
  /** Events per second published on the bus. */
  readonly rate: () => number;
}

const MAX_LIMIT = 10_000;

/** An integer query parameter within bounds, or its default. */
export function integerParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadRequestError(name, `expected an integer in [${min}, ${max}]`);
  }
  return value;
}

/** A time query parameter: an ISO 8601 date or epoch milliseconds. */
export function timeParam(query: URLSearchParams, name: string): Date | undefined {
  const text = query.get(name);
  if (text === null || text === "") return undefined;
  const date = /^\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new BadRequestError(name, "expected an ISO 8601 date or epoch milliseconds");
  }
  return date;
}

/**
 * The `type` parameter of `/api/events`: types or bus patterns (`trade.*`, `health.>`),
 * comma-separated, expanded to the known event types they match.
 */
export function typesParam(query: URLSearchParams): string[] | undefined {
  const text = query.get("type");
  if (text === null || text.trim() === "") return undefined;
  const known = qtEventRegistry.types();
  const types = new Set<string>();
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    try {
      const pattern = compilePattern(part);
      for (const type of known) if (pattern.matches(type)) types.add(type);
    } catch (error) {
      throw new BadRequestError("type", EventBusError.isInstance(error) ? error.message : "invalid type");
    }
  }
  return [...types];
}

/**
 * The HTTP API over the running trader: the store for trades and events, the performance
 * tracker, the bus's stats, the session's snapshot and the equity curve.
 *
 * @example
 * ```ts
 * const server = await startHttpServer({ host: "127.0.0.1", port: 0, api: createHttpApi(sources) });
 * ```
 */
export function createHttpApi(sources: HttpApiSources): HttpApi {
  const status = () => ({
    snapshot: sources.session.snapshot(),
    bus: sources.bus.getStats(),
    eventsPerSecond: sources.rate(),
    equityTail: sources.curve.points().slice(-100),
  });
  return {
    sse: sources.sse,
    health: sources.health,
    stats: () => sources.bus.getStats(),
    metrics: () => sources.metrics.render(),
    status,
    equity: (query) => {
      const since = timeParam(query, "since");
      return { points: sources.curve.points(since?.getTime()) };
    },
    async trades(query) {
      const strategy = query.get("strategy");
      const tradeQuery: TradeQuery = {
        limit: integerParam(query, "limit", 1_000, 1, MAX_LIMIT),
        afterSequence: integerParam(query, "after", 0, 0, Number.MAX_SAFE_INTEGER),
        ...(strategy === null || strategy === "" ? {} : { strategyId: strategy }),
      };
      const trades = await sources.store.listTrades(tradeQuery);
      return { count: trades.length, last: trades.at(-1)?.sequence ?? null, trades };
    },
    async performance() {
      const snapshot = sources.session.snapshot();
      return {
        ready: sources.tracker.ready,
        ...sources.tracker.snapshot,
        session: {
          trades: snapshot.trades,
          realisedPnl: snapshot.realisedPnl,
          fees: snapshot.fees,
          equity: snapshot.equity,
          maxDrawdownPct: snapshot.maxDrawdownPct,
        },
      };
    },
    async events(query) {
      const types = typesParam(query);
      const since = timeParam(query, "since");
      const until = timeParam(query, "until");
      const correlation = query.get("correlation");
      const eventQuery: EventQuery = {
        limit: integerParam(query, "limit", 1_000, 1, MAX_LIMIT),
        afterSequence: integerParam(query, "after", 0, 0, Number.MAX_SAFE_INTEGER),
        ...(types === undefined ? {} : { types }),
        ...(since === undefined ? {} : { from: since }),
        ...(until === undefined ? {} : { to: until }),
        ...(correlation === null || correlation === "" ? {} : { correlationId: correlation }),
      };
      // A filter that matches no known type matches nothing (an empty list would mean "all").
      const stored =
        types !== undefined && types.length === 0 ? [] : await sources.store.findEvents(eventQuery);
      return {
        count: stored.length,
        last: stored.at(-1)?.sequence ?? null,
        events: stored.map(({ sequence, event }) => ({ sequence, ...event })),
      };
    },
  };
}
