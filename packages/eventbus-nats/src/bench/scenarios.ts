import { performance } from "node:perf_hooks";
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import { createEvent, type EventEnvelope, silentLogger } from "@qt/eventbus";
import { NatsEventBus } from "../nats-event-bus.js";

/** What every scenario shares, raw client and adapter alike. */
export interface BenchSettings {
  readonly url: string;
  /** Events of the throughput scenarios. */
  readonly events: number;
  /** Publishes in flight in the end-to-end scenarios. */
  readonly window: number;
  /** The consumer's max_ack_pending and pull batch. */
  readonly maxInFlight: number;
  /** Offered rate of the latency scenarios, events/s. */
  readonly rate: number;
  /** Length of the latency scenarios, ms. */
  readonly durationMs: number;
  /** Publishes in flight in the batched-publish scenario. */
  readonly batch: number;
  /** Events of the sequential-publish scenario. */
  readonly sequentialEvents: number;
}

/** One scenario's outcome. */
export interface ScenarioResult {
  readonly eventsPerSecond?: number;
  /** CPU time of the Node process per event (user + system), in µs: steadier than rates on a busy machine. */
  readonly cpuMicrosPerEvent?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

/** The names of the scenarios, each run in a fresh process. */
export const scenarioNames = [
  "raw-end-to-end",
  "bus-end-to-end",
  "bus-end-to-end-no-context",
  "raw-latency",
  "bus-latency",
  "raw-sequential-publish",
  "bus-sequential-publish",
  "raw-batched-publish",
  "bus-batched-publish",
] as const;

/** A scenario's name. */
export type ScenarioName = (typeof scenarioNames)[number];

// The same event for both: a trade.executed-shaped envelope of about 200 bytes of JSON.
function benchEvent(seq: number, sentAt = 0): EventEnvelope {
  return createEvent(
    "trade.executed",
    {
      order_id: `order-${seq}`,
      symbol: "BTCUSDT",
      side: "BUY",
      size: 0.25,
      price: 64_000.5,
      strategy_id: "trend-v3",
      model: null,
      pnl: null,
      sent_at: sentAt,
    },
    { source: "bench" },
  );
}

const epochNow = () => performance.timeOrigin + performance.now();

async function rawSetup(settings: BenchSettings, ns: string, consumer: boolean) {
  const nc = await connect({ servers: settings.url });
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  await jsm.streams.add({
    name: ns,
    subjects: [`${ns}.>`],
    storage: StorageType.File,
    duplicate_window: nanos(120_000),
  });
  if (consumer) {
    await jsm.consumers.add(ns, {
      durable_name: "bench",
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      max_ack_pending: settings.maxInFlight,
      max_deliver: -1,
      filter_subject: `${ns}.>`,
      deliver_policy: DeliverPolicy.New,
    });
  }
  return { nc, jsm, js: jsm.jetstream() };
}

async function cleanup(nc: NatsConnection, jsm: JetStreamManager, ns: string): Promise<void> {
  for (const stream of [ns, `${ns}-dlq`]) await jsm.streams.delete(stream).catch(() => {});
  await nc.close();
}

/** Publishes `count` events with at most `window` in flight, in order. */
async function windowed(
  count: number,
  window: number,
  publish: (seq: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(window, count) }, async () => {
      while (next < count) await publish(next++);
    }),
  );
  return count;
}

/** Publishes at `rate` per second for `durationMs`, not waiting for acks in between (an open loop). */
async function paced(
  rate: number,
  durationMs: number,
  publish: (seq: number) => Promise<unknown>,
): Promise<number> {
  const total = Math.round((rate * durationMs) / 1_000);
  const started = performance.now();
  const inFlight: Promise<unknown>[] = [];
  let seq = 0;
  while (seq < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1_000) + 1);
    while (seq < due) inFlight.push(publish(seq++));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  return total;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function latencyResult(latencies: number[]): ScenarioResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

function waitUntil(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 1));
    poll();
  });
}

/**
 * Runs one scenario against the server at `settings.url`, in a stream of its own, deleted after.
 *
 * @example
 * ```ts
 * const result = await runScenario("bus-end-to-end", settings, "bench_1");
 * ```
 */
export async function runScenario(
  name: ScenarioName,
  settings: BenchSettings,
  ns: string,
): Promise<ScenarioResult> {
  const cpuBefore = process.cpuUsage();
  const { measured, events } = await runMeasured(name, settings, ns);
  const cpu = process.cpuUsage(cpuBefore);
  return { ...measured, cpuMicrosPerEvent: Math.round(((cpu.user + cpu.system) / events) * 10) / 10 };
}

async function runMeasured(
  name: ScenarioName,
  settings: BenchSettings,
  ns: string,
): Promise<{ measured: ScenarioResult; events: number }> {
  switch (name) {
    case "raw-end-to-end":
    case "raw-latency": {
      const { nc, jsm, js } = await rawSetup(settings, ns, true);
      const consumer = await js.consumers.get(ns, "bench");
      let handled = 0;
      const latencies: number[] = [];
      const measure = name === "raw-latency";
      const messages = await consumer.consume({
        max_messages: settings.maxInFlight,
        callback: (m) => {
          const event = JSON.parse(m.string()) as { payload: { sent_at: number } };
          if (measure) latencies.push(epochNow() - event.payload.sent_at);
          handled++;
          m.ack();
        },
      });
      const publish = (seq: number) => {
        const event = benchEvent(seq, measure ? epochNow() : 0);
        return js.publish(`${ns}.${event.type}`, JSON.stringify(event), { msgID: event.id });
      };
      const started = performance.now();
      const total = measure
        ? await paced(settings.rate, settings.durationMs, publish)
        : await windowed(settings.events, settings.window, publish);
      await waitUntil(() => handled >= total);
      const elapsed = performance.now() - started;
      await messages.close();
      await cleanup(nc, jsm, ns);
      return {
        measured: measure ? latencyResult(latencies) : { eventsPerSecond: (total * 1_000) / elapsed },
        events: total,
      };
    }
    case "bus-end-to-end":
    case "bus-end-to-end-no-context":
    case "bus-latency": {
      const measure = name === "bus-latency";
      const bus = new NatsEventBus({
        servers: settings.url,
        namespace: ns,
        maxInFlight: settings.maxInFlight,
        propagateContext: name !== "bus-end-to-end-no-context",
        logger: silentLogger,
      });
      let handled = 0;
      const latencies: number[] = [];
      bus.subscribe(
        "trade.executed",
        (event) => {
          if (measure) latencies.push(epochNow() - (event.payload as { sent_at: number }).sent_at);
          handled++;
        },
        { group: "bench" },
      );
      void bus.runForever();
      await bus.ready();
      const publish = (seq: number) => bus.publish(benchEvent(seq, measure ? epochNow() : 0));
      const started = performance.now();
      const total = measure
        ? await paced(settings.rate, settings.durationMs, publish)
        : await windowed(settings.events, settings.window, publish);
      await waitUntil(() => handled >= total);
      const elapsed = performance.now() - started;
      await bus.stop();
      const admin = await connect({ servers: settings.url });
      await cleanup(admin, await jetstreamManager(admin), ns);
      return {
        measured: measure ? latencyResult(latencies) : { eventsPerSecond: (total * 1_000) / elapsed },
        events: total,
      };
    }
    case "raw-sequential-publish":
    case "raw-batched-publish": {
      const { nc, jsm, js } = await rawSetup(settings, ns, false);
      const sequential = name === "raw-sequential-publish";
      const count = sequential ? settings.sequentialEvents : settings.events;
      const started = performance.now();
      await windowed(count, sequential ? 1 : settings.batch, (seq) => {
        const event = benchEvent(seq);
        return js.publish(`${ns}.${event.type}`, JSON.stringify(event), { msgID: event.id });
      });
      const elapsed = performance.now() - started;
      await cleanup(nc, jsm, ns);
      return { measured: { eventsPerSecond: (count * 1_000) / elapsed }, events: count };
    }
    case "bus-sequential-publish":
    case "bus-batched-publish": {
      const bus = new NatsEventBus({ servers: settings.url, namespace: ns, logger: silentLogger });
      await bus.connect();
      const sequential = name === "bus-sequential-publish";
      const count = sequential ? settings.sequentialEvents : settings.events;
      const started = performance.now();
      await windowed(count, sequential ? 1 : settings.batch, (seq) => bus.publish(benchEvent(seq)));
      const elapsed = performance.now() - started;
      await bus.stop();
      const admin = await connect({ servers: settings.url });
      await cleanup(admin, await jetstreamManager(admin), ns);
      return { measured: { eventsPerSecond: (count * 1_000) / elapsed }, events: count };
    }
  }
}
