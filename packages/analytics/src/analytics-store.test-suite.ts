/**
 * The behaviour every {@link AnalyticsStore} implementation must have, run by each backend's test
 * file against a real database: `describeAnalyticsStore("SQLite", makeTarget)`.
 *
 * @packageDocumentation
 */
import { createEvent, type EventEnvelope, type EventMap, InMemoryEventBus } from "@qt/eventbus";
import { createRecordingLogger, createTestBus, recordEvents } from "@qt/eventbus/testing";
import {
  PolicyUpdatedEvent,
  type QtEventMap,
  TradeExecutedEvent,
  type TradeExecutedPayload,
} from "@qt/events";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AnalyticsStore,
  type StoredTrade,
  type StoreOptions,
  tradeFromEvent,
} from "./analytics-store.js";
import { EventLogger } from "./event-logger.js";
import { SCHEMA_VERSION } from "./migrations.js";
import { PerformanceTracker } from "./performance-tracker.js";
import { SqlPolicyStore } from "./sql-policy-store.js";
import { TradeLogger } from "./trade-logger.js";

/** One empty database for one test: open stores on it, then dispose of it all. */
export interface StoreTarget {
  /** Opens a store on this database (migrating it); may be called several times, also concurrently. */
  open(options?: StoreOptions): Promise<AnalyticsStore>;
  /** The versions in `schema_migrations`, read with the raw driver. */
  migrationVersions(): Promise<number[]>;
  /** Makes the database refuse, for good, every trade of `symbol` (a trigger or a CHECK constraint). */
  refuseSymbol(symbol: string): Promise<void>;
  /** Closes every store opened and deletes the database. */
  dispose(): Promise<void>;
}

let orderCounter = 0;

/** A valid `trade.executed` event; unique order id unless given. */
export function tradeEvent(
  payload: Partial<TradeExecutedPayload> = {},
  options: { id?: string; timestamp?: Date } = {},
): ReturnType<typeof TradeExecutedEvent.create> {
  return TradeExecutedEvent.create(
    {
      order_id: `order-${++orderCounter}-${Math.random().toString(36).slice(2)}`,
      symbol: "BTCUSDT",
      side: "BUY",
      size: 0.25,
      price: 64_000,
      strategy_id: "trend",
      model: "xgb-v1",
      pnl: null,
      ...payload,
    },
    { source: "executor", ...options },
  );
}

/** Numbers a float column would round, or a careless conversion would change. */
const AWKWARD_NUMBERS = [
  0.1 + 0.2,
  1e-9,
  123456789.12345679,
  1e21,
  1.7976931348623157e308,
  5e-324,
  -42.125,
  2 ** 53 + 2,
  0.000001234,
];

/**
 * Runs the store conformance suite against the backend `makeTarget` creates.
 *
 * @example
 * ```ts
 * describeAnalyticsStore("SQLite", async () => sqliteTarget());
 * ```
 */
export function describeAnalyticsStore(name: string, makeTarget: () => Promise<StoreTarget>): void {
  describe(`AnalyticsStore conformance: ${name}`, () => {
    let target: StoreTarget;
    const logger = createRecordingLogger();
    const open = (options: StoreOptions = {}) => target.open({ logger, ...options });

    beforeEach(async () => {
      logger.entries.length = 0;
      target = await makeTarget();
    });
    afterEach(async () => {
      await target.dispose();
    });

    describe("migrate()", () => {
      it("runs at open, then finds nothing to do", async () => {
        const store = await open();
        expect(await store.migrate()).toEqual({ applied: [], version: SCHEMA_VERSION });
        expect(await target.migrationVersions()).toEqual([1]);
      });

      it("is safe from several stores at once: no error, one row per version", async () => {
        const stores = await Promise.all([1, 2, 3, 4].map(() => open()));
        const results = await Promise.all(stores.map((s) => s.migrate()));
        expect(results.every((r) => r.version === SCHEMA_VERSION)).toBe(true);
        expect(await target.migrationVersions()).toEqual([1]);
      });
    });

    describe("appendTrade()", () => {
      it("stores numbers exactly: what was appended reads back identical", async () => {
        const store = await open();
        const trades = AWKWARD_NUMBERS.map((n, i) =>
          tradeFromEvent(tradeEvent({ size: Math.abs(n), price: Math.abs(n), pnl: i % 2 === 0 ? n : -n })),
        );
        await Promise.all(trades.map((t) => store.appendTrade(t)));
        const stored = await store.listTrades();
        expect(stored.map(withoutSequence)).toEqual(trades);
        for (const [i, t] of stored.entries()) {
          expect(Object.is(t.pnl, trades[i]?.pnl)).toBe(true);
          expect(Object.is(t.size, trades[i]?.size)).toBe(true);
        }
      });

      it("stores a trade once by event id and by order id, within a batch and across batches", async () => {
        const store = await open();
        const first = tradeFromEvent(tradeEvent());
        const sameOrder = { ...first, eventId: "another-event-id" };
        await Promise.all([store.appendTrade(first), store.appendTrade(first), store.appendTrade(sameOrder)]);
        await store.appendTrade(first);
        await store.appendTrade(sameOrder);
        const stored = await store.listTrades();
        expect(stored).toHaveLength(1);
        expect(stored[0]?.eventId).toBe(first.eventId);
      });

      it("group-commits concurrent appends, resolving each once its batch committed", async () => {
        const store = await open({ maxBatchSize: 64, flushIntervalMs: 5 });
        const trades = Array.from({ length: 500 }, () => tradeFromEvent(tradeEvent()));
        await Promise.all(trades.map((t) => store.appendTrade(t)));
        const stored = await store.listTrades();
        expect(stored.map((t) => t.eventId)).toEqual(trades.map((t) => t.eventId));
        const sequences = stored.map((t) => t.sequence);
        expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
      });

      it("rejects a non-finite number without writing the batch it would have joined", async () => {
        const store = await open();
        const good = tradeFromEvent(tradeEvent());
        const bad = { ...tradeFromEvent(tradeEvent()), price: Number.NaN };
        const results = await Promise.allSettled([store.appendTrade(good), store.appendTrade(bad)]);
        expect(results[0]?.status).toBe("fulfilled");
        expect(results[1]).toMatchObject({ status: "rejected", reason: { code: "WRITE_FAILED" } });
        expect((await store.listTrades()).map((t) => t.eventId)).toEqual([good.eventId]);
      });

      it("fails only the refused row of a batch, logging a clear error", async () => {
        const store = await open();
        await target.refuseSymbol("REFUSED");
        const good = [tradeFromEvent(tradeEvent()), tradeFromEvent(tradeEvent())];
        const bad = tradeFromEvent(tradeEvent({ symbol: "REFUSED" }));
        const results = await Promise.allSettled([
          store.appendTrade(good[0] as StoredTrade),
          store.appendTrade(bad),
          store.appendTrade(good[1] as StoredTrade),
        ]);
        expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
        expect(results[1]).toMatchObject({ reason: { code: "WRITE_FAILED", retryable: false } });
        expect((await store.listTrades()).map((t) => t.eventId)).toEqual(good.map((t) => t.eventId));
        expect(logger.entries).toContainEqual(
          expect.objectContaining({
            level: "error",
            fields: expect.objectContaining({ code: "WRITE_FAILED" }),
          }),
        );
      });
    });

    describe("onTradesStored()", () => {
      it("reports newly stored trades only, in sequence order, before appends resolve", async () => {
        const store = await open();
        const seen: StoredTrade[][] = [];
        const unsubscribe = store.onTradesStored((trades) => seen.push([...trades]));
        const a = tradeFromEvent(tradeEvent({ pnl: 1 }));
        const b = tradeFromEvent(tradeEvent());
        await Promise.all([store.appendTrade(a), store.appendTrade(b)]);
        expect(seen.flat().map((t) => t.eventId)).toEqual([a.eventId, b.eventId]);
        await store.appendTrade(a);
        expect(seen.flat()).toHaveLength(2);
        unsubscribe();
        await store.appendTrade(tradeFromEvent(tradeEvent()));
        expect(seen.flat()).toHaveLength(2);
        const [first, second] = seen.flat();
        expect(first).toEqual({ ...a, sequence: first?.sequence });
        expect((second?.sequence ?? 0) > (first?.sequence ?? 0)).toBe(true);
      });
    });

    describe("appendEvent() / findEvents()", () => {
      it("round-trips the whole envelope exactly, dates in the payload included, once per id", async () => {
        const store = await open();
        const event = createEvent(
          "custom.measured",
          {
            at: new Date("2025-03-01T12:34:56.789Z"),
            n: 0.1 + 0.2,
            tiny: 1e-9,
            list: [1, "x", null],
            $date: "no",
          },
          {
            source: "test",
            correlationId: "corr-1",
            causationId: "cause-1",
            version: 3,
            timestamp: new Date(1_700_000_000_123),
          },
        );
        await Promise.all([store.appendEvent(event), store.appendEvent(event)]);
        await store.appendEvent(event);
        const found = await store.findEvents();
        expect(found).toHaveLength(1);
        expect(found[0]?.event).toEqual(event);
        expect(found[0]?.event.timestamp).toBeInstanceOf(Date);
      });

      it("queries by type, time range and correlation id, in insertion order", async () => {
        const store = await open();
        const at = (ms: number) => new Date(1_700_000_000_000 + ms);
        const events = [
          createEvent("a.one", { i: 0 }, { timestamp: at(300), correlationId: "x" }),
          createEvent("b.two", { i: 1 }, { timestamp: at(100), correlationId: "y" }),
          createEvent("a.one", { i: 2 }, { timestamp: at(200), correlationId: "y" }),
          createEvent("c.three", { i: 3 }, { timestamp: at(400), correlationId: "x" }),
        ];
        for (const event of events) await store.appendEvent(event);
        const ids = async (query: Parameters<AnalyticsStore["findEvents"]>[0]) =>
          (await store.findEvents(query)).map((s) => (s.event.payload as { i: number }).i);
        expect(await ids({})).toEqual([0, 1, 2, 3]);
        expect(await ids({ types: ["a.one"] })).toEqual([0, 2]);
        expect(await ids({ types: ["a.one", "c.three"] })).toEqual([0, 2, 3]);
        expect(await ids({ types: [] })).toEqual([]);
        expect(await ids({ from: at(200) })).toEqual([0, 2, 3]);
        expect(await ids({ from: at(200), to: at(400) })).toEqual([0, 2]);
        expect(await ids({ correlationId: "y" })).toEqual([1, 2]);
        expect(await ids({ correlationId: "x", types: ["c.three"] })).toEqual([3]);
        const all = await store.findEvents();
        expect(await ids({ afterSequence: all[1]?.sequence as number, limit: 1 })).toEqual([2]);
      });
    });

    describe("readPolicy() / writePolicy()", () => {
      it("starts empty, then upserts only the fields given", async () => {
        const store = await open();
        const defaults = { riskMode: "NORMAL", allowedStrategies: ["trend"] };
        expect(await store.readPolicy()).toBeUndefined();
        await store.writePolicy({ riskMode: "DEFENSIVE" }, defaults);
        expect(await store.readPolicy()).toMatchObject({
          riskMode: "DEFENSIVE",
          allowedStrategies: ["trend"],
        });
        await store.writePolicy({ allowedStrategies: ["a", "b"] }, defaults);
        const policy = await store.readPolicy();
        expect(policy).toMatchObject({ riskMode: "DEFENSIVE", allowedStrategies: ["a", "b"] });
        expect(policy?.updatedAt).toBeInstanceOf(Date);
      });
    });

    describe("close()", () => {
      it("commits what is buffered, then refuses calls with STORE_CLOSED", async () => {
        const store = await open({ flushIntervalMs: 60_000, maxBatchSize: 10_000 });
        const trade = tradeFromEvent(tradeEvent());
        const appended = store.appendTrade(trade);
        await store.close();
        await appended;
        await expect(store.appendTrade(tradeFromEvent(tradeEvent()))).rejects.toMatchObject({
          code: "STORE_CLOSED",
        });
        await expect(store.listTrades()).rejects.toMatchObject({ code: "STORE_CLOSED" });
        await store.close();
        const reopened = await open();
        expect((await reopened.listTrades()).map((t) => t.eventId)).toEqual([trade.eventId]);
      });
    });

    describe("TradeLogger", () => {
      it("stores a redelivered trade.executed once", async () => {
        const store = await open();
        const bus = createTestBus<QtEventMap>();
        try {
          const tradeLogger = new TradeLogger({ eventBus: bus, store });
          const event = tradeEvent({ pnl: 12.5 });
          await bus.publish(event);
          await bus.publish(event);
          await bus.publish(tradeEvent({ order_id: event.payload.order_id }));
          await bus.idle();
          await tradeLogger.stop();
          const stored = await store.listTrades();
          expect(stored.map(withoutSequence)).toEqual([tradeFromEvent(event)]);
          expect(bus.handlerErrors).toEqual([]);
        } finally {
          await bus.stop();
        }
      });

      it("loses nothing buffered on a graceful stop", async () => {
        const store = await open({ flushIntervalMs: 60_000, maxBatchSize: 10_000 });
        const bus = createTestBus<QtEventMap>();
        const tradeLogger = new TradeLogger({ eventBus: bus, store });
        const events = Array.from({ length: 50 }, () => tradeEvent());
        for (const event of events) await bus.publish(event);
        const stopped = bus.stop();
        await tradeLogger.stop();
        await stopped;
        await store.close();
        const reopened = await open();
        expect((await reopened.listTrades()).map((t) => t.eventId)).toEqual(events.map((e) => e.id));
      });
    });

    describe("EventLogger", () => {
      it("stores every event, and replay() publishes them in stored order, equal to the originals", async () => {
        const store = await open();
        const bus = new InMemoryEventBus<EventMap>({ logger, retry: { initialDelayMs: 0, maxDelayMs: 0 } });
        void bus.runForever();
        const eventLogger = new EventLogger<EventMap>({ eventBus: bus, store });
        const originals: EventEnvelope[] = [
          PolicyUpdatedEvent.create({
            risk_mode: "DEFENSIVE",
            allowed_strategies: ["trend"],
            global_min_confidence: 0.7,
            max_risk_per_trade: 0.01,
            max_positions: 3,
          }),
          tradeEvent({ pnl: -3.25 }),
          createEvent("custom.when", { at: new Date("2024-02-29T00:00:00.001Z") }, { correlationId: "c-1" }),
          tradeEvent({ pnl: 0.1 }),
        ];
        for (const event of originals) await bus.publish(event as never);
        await bus.idle();
        await bus.publish(originals[0] as never); // a redelivery: stored once
        await bus.idle();
        await eventLogger.stop();
        await bus.stop();

        const replayBus = new InMemoryEventBus<EventMap>({ logger });
        void replayBus.runForever();
        try {
          const recorder = recordEvents(replayBus, ">");
          const replayer = new EventLogger<EventMap>({ eventBus: new InMemoryEventBus({ logger }), store });
          expect(await replayer.replay({ bus: replayBus, pageSize: 3 })).toBe(4);
          await replayBus.idle();
          expect(recorder.events).toEqual(originals);

          recorder.clear();
          expect(await replayer.replay({ bus: replayBus, types: ["trade.executed"] })).toBe(2);
          await replayBus.idle();
          expect(recorder.events).toEqual([originals[1], originals[3]]);

          recorder.clear();
          await replayer.replay({ bus: replayBus, from: originals[2]?.timestamp as Date });
          await replayBus.idle();
          expect(recorder.events.map((e) => e.id)).toEqual(
            originals.filter((e) => e.timestamp >= (originals[2]?.timestamp as Date)).map((e) => e.id),
          );
          expect(await replayer.query({ correlationId: "c-1" })).toEqual([
            { sequence: expect.any(Number), event: originals[2] },
          ]);
        } finally {
          await replayBus.stop();
        }
      });
    });

    describe("PerformanceTracker", () => {
      const trades: [string, string | null, number | null][] = [
        ["trend", "xgb-v1", null],
        ["trend", "xgb-v1", 100],
        ["trend", "xgb-v1", -40],
        ["mean_revert", null, 0.1],
        ["mean_revert", null, 0.2],
        ["trend", "lstm", -80],
        ["trend", "lstm", 0],
        ["mean_revert", "xgb-v1", 50],
      ];

      it("computes the metrics overall, per strategy and per model, counting duplicates once", async () => {
        const store = await open();
        const bus = createTestBus<QtEventMap>();
        try {
          const tracker = new PerformanceTracker({ eventBus: bus, store });
          new TradeLogger({ eventBus: bus, store });
          await tracker.start();
          const events = trades.map(([strategy_id, model, pnl]) => tradeEvent({ strategy_id, model, pnl }));
          for (const event of events) await bus.publish(event);
          await bus.publish(events[1] as (typeof events)[number]);
          await bus.idle();
          const { overall, byStrategy, byModel, withoutModel, fills } = tracker.snapshot;
          expect(fills).toBe(8);
          expect(overall).toEqual({
            totalPnl: 30.3,
            tradeCount: 7,
            wins: 4,
            losses: 2,
            winRate: 4 / 7,
            grossProfit: 150.3,
            grossLoss: -120,
            averageWin: 150.3 / 4,
            averageLoss: -60,
            profitFactor: 150.3 / 120,
            // The curve: 100, 60, 60.1, 60.3, -19.7, -19.7, 30.3: from the peak of 100 down to -19.7.
            maxDrawdown: 119.7,
          });
          expect(Object.keys(byStrategy)).toEqual(["mean_revert", "trend"]);
          expect(byStrategy.trend).toMatchObject({ totalPnl: -20, tradeCount: 4, maxDrawdown: 120 });
          expect(byStrategy.mean_revert).toMatchObject({
            totalPnl: 50.3,
            profitFactor: null,
            averageLoss: null,
          });
          expect(byModel["xgb-v1"]).toMatchObject({ totalPnl: 110, tradeCount: 3 });
          expect(byModel.lstm).toMatchObject({ totalPnl: -80, tradeCount: 2, wins: 0, winRate: 0 });
          expect(withoutModel).toMatchObject({ totalPnl: 0.3, tradeCount: 2 });
          expect(Object.isFrozen(tracker.snapshot)).toBe(true);
          expect(Object.isFrozen(tracker.snapshot.overall)).toBe(true);
        } finally {
          await bus.stop();
        }
      });

      it("has the same snapshot after a restart (close and reopen)", async () => {
        let before: PerformanceTracker["snapshot"];
        {
          const store = await open();
          const bus = createTestBus<QtEventMap>();
          const tracker = new PerformanceTracker({ eventBus: bus, store });
          await tracker.start();
          for (const [strategy_id, model, pnl] of [...trades, ...trades]) {
            await bus.publish(tradeEvent({ strategy_id, model, pnl: pnl === null ? null : pnl * 1.1 }));
          }
          await bus.stop();
          await tracker.stop();
          await store.close();
          before = tracker.snapshot;
          expect(before.fills).toBe(16);
        }
        const store = await open();
        const bus = createTestBus<QtEventMap>();
        try {
          const tracker = new PerformanceTracker({ eventBus: bus, store });
          expect(tracker.ready).toBe(false);
          await tracker.start();
          expect(tracker.ready).toBe(true);
          expect(tracker.snapshot).toEqual(before);
        } finally {
          await bus.stop();
        }
      });

      it("does not count a trade the database refused: the delivery is dead-lettered with the reason", async () => {
        const store = await open();
        const bus = createTestBus<QtEventMap>();
        try {
          const tracker = new PerformanceTracker({ eventBus: bus, store });
          await tracker.start();
          await target.refuseSymbol("REFUSED");
          await bus.publish(tradeEvent({ pnl: 5 }));
          const refused = tradeEvent({ pnl: 1_000, symbol: "REFUSED" });
          await bus.publish(refused);
          await bus.publish(tradeEvent({ pnl: -2 }));
          await bus.idle();
          expect(tracker.snapshot.overall).toMatchObject({ totalPnl: 3, tradeCount: 2 });
          const [deadLetter, ...others] = bus.deadLetters.list();
          expect(others).toEqual([]);
          expect(deadLetter).toMatchObject({
            event: { id: refused.id },
            reason: "handler-failed",
            attempts: 3,
            handler: { handlerName: "analytics.performance-tracker" },
            error: { code: "WRITE_FAILED" },
          });
          expect(bus.handlerErrors).toHaveLength(3);
          expect(bus.logger.entries.map((e) => e.message)).toContain("delivery dead-lettered");
          expect(logger.entries).toContainEqual(
            expect.objectContaining({
              fields: expect.objectContaining({ table: "trades", code: "WRITE_FAILED" }),
            }),
          );
        } finally {
          await bus.stop();
        }
      });
    });

    describe("SqlPolicyStore", () => {
      it("keeps the risk mode and strategies across a restart; NORMAL until written", async () => {
        const first = await open();
        const policyStore = new SqlPolicyStore({ store: first, allowedStrategies: ["trend"] });
        expect(await policyStore.getPolicy()).toEqual({ riskMode: "NORMAL", allowedStrategies: ["trend"] });
        await policyStore.setRiskMode("DEFENSIVE");
        await policyStore.setAllowedStrategies(["trend", "mean_revert"]);
        await first.close();
        const reopened = new SqlPolicyStore({ store: await open() });
        expect(await reopened.getRiskMode()).toBe("DEFENSIVE");
        expect(await reopened.getAllowedStrategies()).toEqual(["trend", "mean_revert"]);
      });
    });
  });
}

function withoutSequence({ sequence: _sequence, ...trade }: StoredTrade) {
  return trade;
}
