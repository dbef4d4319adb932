import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  createEvent,
  type EventBus,
  type EventEnvelope,
  type HandlerError,
  silentLogger,
} from "@qt/eventbus";
import { type QtEventMap, qtEventRegistry, TradeExecutedEvent } from "@qt/events";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DeadLetterHeaders } from "./dead-letter.js";
import { BrokerUnavailableError } from "./errors.js";
import { DEPTH_HEADER, NatsEventBus } from "./nats-event-bus.js";
import type { NatsEventBusOptions } from "./options.js";
import { startNatsServer, type TestNatsServer } from "./testing/nats-server.js";

let server: TestNatsServer;
let admin: NatsConnection;
const buses: { stop(options?: { timeoutMs?: number }): Promise<void> }[] = [];
const namespaces: string[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  admin = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}, 30_000);

afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.stop({ timeoutMs: 1_000 })));
  if (server.pid === undefined) await server.start();
  const jsm = await adminManager();
  for (const ns of namespaces.splice(0)) {
    for (const stream of [ns, `${ns}-dlq`]) await jsm.streams.delete(stream).catch(() => {});
  }
});

/** The admin connection's JetStream manager, once the connection is back after a restart. */
async function adminManager() {
  for (let tries = 0; ; tries++) {
    try {
      await admin.flush();
      return await jetstreamManager(admin);
    } catch (error) {
      if (tries > 100) throw error;
      await sleep(100);
    }
  }
}

afterAll(async () => {
  await admin?.close();
  await server?.stop();
});

function newBus(options: Partial<NatsEventBusOptions> = {}, namespace?: string): NatsEventBus {
  const ns = namespace ?? `it_${randomBytes(4).toString("hex")}`;
  if (!namespaces.includes(ns)) namespaces.push(ns);
  const bus = new NatsEventBus({ servers: server.url, namespace: ns, logger: silentLogger, ...options });
  buses.push(bus);
  return bus;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("NatsEventBus", () => {
  it("needs servers or a connection, and a namespace that is one subject token", () => {
    expect(() => new NatsEventBus({})).toThrow(/servers/);
    expect(() => new NatsEventBus({ servers: "x", namespace: "a.b" })).toThrow(RangeError);
    expect(() => new NatsEventBus({ servers: "x", onPublishOutage: "maybe" as "wait" })).toThrow(RangeError);
  });

  it("is one line of wiring away from InMemoryEventBus: typed events, same contract", async () => {
    const namespace = `it_${randomBytes(4).toString("hex")}`;
    namespaces.push(namespace);
    const nats = new NatsEventBus<QtEventMap>({
      servers: server.url,
      namespace,
      registry: qtEventRegistry,
      logger: silentLogger,
    });
    buses.push(nats);
    const bus: EventBus<QtEventMap> = nats;
    const symbols: string[] = [];
    bus.subscribe("trade.executed", (event) => void symbols.push(event.payload.symbol), { group: "wiring" });
    void bus.runForever();
    await bus.idle();
    await bus.publish(
      TradeExecutedEvent.create({
        order_id: "o-1",
        symbol: "BTCUSDT",
        side: "BUY",
        size: 1,
        price: 2,
        strategy_id: "s",
      }),
    );
    await bus.idle();
    expect(symbols).toEqual(["BTCUSDT"]);
  });

  it("uses a connection it is given, and leaves it open when stopping", async () => {
    const connection = await connect({ servers: server.url });
    const bus = newBus({ connection });
    await bus.publish(createEvent("borrowed.x", {}));
    await bus.stop();
    expect(connection.isClosed()).toBe(false);
    await connection.close();
  });

  describe("publish()", () => {
    it("stores events on <namespace>.<type> and a republished event once (Nats-Msg-Id)", async () => {
      const bus = newBus();
      const event = createEvent("trade.executed", { n: 1 });
      await bus.publish(event);
      await bus.publish(event);
      await bus.publish(createEvent("trade.executed", { n: 2 }));
      const jsm = await jetstreamManager(admin);
      const info = await jsm.streams.info(bus.names.stream);
      expect(info.config.subjects).toEqual([`${bus.names.namespace}.>`]);
      expect(info.config.duplicate_window).toBe(120_000 * 1_000_000); // dedupWindowMs, in ns
      expect(info.state.messages).toBe(2);
      const first = await jsm.streams.getMessage(bus.names.stream, { seq: 1 });
      expect(first?.subject).toBe(`${bus.names.namespace}.trade.executed`);
      expect(first?.header.get("Nats-Msg-Id")).toBe(event.id);
      expect(bus.getStats().published).toBe(3);
    });

    it('with onPublishOutage: "reject", rejects at once while NATS is down', async () => {
      const bus = newBus({ onPublishOutage: "reject" });
      await bus.publish(createEvent("a.b", {}));
      await server.kill();
      await sleep(100);
      const started = Date.now();
      const error = await bus.publish(createEvent("a.b", {})).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokerUnavailableError);
      expect((error as BrokerUnavailableError).code).toBe("BROKER_UNAVAILABLE");
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(bus.getStats()).toMatchObject({ connected: false, rejected: 1 });
    });

    it('with onPublishOutage: "wait", rides out a restart, but gives up after outageWaitMs', async () => {
      const bus = newBus({ onPublishOutage: "wait", outageWaitMs: 600 });
      await bus.publish(createEvent("a.b", {}));
      await server.kill();
      const started = Date.now();
      const error = await bus.publish(createEvent("a.b", { lost: true })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BrokerUnavailableError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(550);
      expect(Date.now() - started).toBeLessThan(3_000);
      const waiting = bus.publish(createEvent("a.b", { kept: true }));
      await sleep(100);
      await server.start();
      await expect(waiting).resolves.toBeUndefined();
      const jsm = await adminManager();
      expect((await jsm.streams.info(bus.names.stream)).state.messages).toBe(2);
    }, 20_000);
  });

  describe("subscribe()", () => {
    it("gives a group a durable consumer named after it, filtering on the pattern", async () => {
      const bus = newBus();
      bus.subscribe("trade.*", () => {}, { group: "analytics" });
      await bus.ready();
      const jsm = await jetstreamManager(admin);
      const info = await jsm.consumers.info(
        bus.names.stream,
        bus.names.groupConsumer("analytics", "trade.*"),
      );
      expect(info.config).toMatchObject({
        durable_name: bus.names.groupConsumer("analytics", "trade.*"),
        filter_subject: `${bus.names.namespace}.trade.*`,
        ack_policy: "explicit",
        max_ack_pending: 512,
      });
    });

    it("a subscription without a group gets its own consumer, deleted by stop()", async () => {
      const bus = newBus();
      bus.subscribe("trade.*", () => {});
      void bus.runForever();
      await bus.ready();
      const jsm = await jetstreamManager(admin);
      const before = await jsm.consumers.list(bus.names.stream).next();
      expect(before.map((c) => c.config.durable_name)).toEqual([undefined]);
      await bus.stop();
      expect(await jsm.consumers.list(bus.names.stream).next()).toEqual([]);
    });

    it("recreates a consumer deleted under it, from where it was, losing nothing", async () => {
      const bus = newBus();
      const seen: number[] = [];
      bus.subscribe("recreate.x", (e) => void seen.push((e.payload as { n: number }).n), {
        group: "phoenix",
      });
      void bus.runForever();
      await bus.ready();
      for (let n = 0; n < 3; n++) await bus.publish(createEvent("recreate.x", { n }));
      await bus.idle();
      const jsm = await jetstreamManager(admin);
      // nats-server 2.9.10 sometimes refuses while the consumer's files are busy ("directory not empty").
      await vi.waitFor(
        () => jsm.consumers.delete(bus.names.stream, bus.names.groupConsumer("phoenix", "recreate.x")),
        {
          timeout: 5_000,
          interval: 100,
        },
      );
      for (let n = 3; n < 6; n++) await bus.publish(createEvent("recreate.x", { n }));
      await vi.waitFor(() => expect(seen).toEqual([0, 1, 2, 3, 4, 5]), { timeout: 20_000, interval: 50 });
    }, 30_000);

    it("replays from a stream sequence", async () => {
      const bus = newBus();
      const events = Array.from({ length: 5 }, (_, n) => createEvent("replay.x", { n }));
      for (const event of events) await bus.publish(event);
      const received: EventEnvelope[] = [];
      bus.subscribe("replay.x", (e) => void received.push(e), { from: { sequence: 3 } });
      void bus.runForever();
      await bus.idle();
      expect(received).toEqual(events.slice(2));
      expect(() => bus.subscribe("replay.x", () => {}, { from: { sequence: 0 } })).toThrow(RangeError);
      const both = { sequence: 0, time: new Date() } as unknown as { sequence: number };
      expect(() => bus.subscribe("replay.x", () => {}, { from: both })).toThrow(RangeError);
    });

    it("extends the ack deadline of a long handler (working acks) so it is not redelivered", async () => {
      const bus = newBus({ ackWaitMs: 600 });
      const attempts: number[] = [];
      bus.subscribe("slow.job", async (_event, context) => {
        attempts.push(context.attempt);
        await sleep(2_000);
      });
      void bus.runForever();
      await bus.ready();
      await bus.publish(createEvent("slow.job", {}));
      await bus.idle();
      expect(attempts).toEqual([1]);
    }, 15_000);
  });

  describe("dead letters", () => {
    it("writes the reason, handler, attempts and error into the dead-letter stream's headers", async () => {
      const bus = newBus();
      const errors: HandlerError[] = [];
      const failing = newBus({ onError: (e) => errors.push(e) }, bus.names.namespace);
      failing.subscribe(
        "order.placed",
        () => {
          throw new Error("no route");
        },
        { name: "router", group: "routing", retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 } },
      );
      void failing.runForever();
      await failing.ready();
      const event = createEvent("order.placed", { id: 1 });
      await bus.publish(event);
      await failing.idle();
      expect(errors.map((e) => [e.attempt, e.willRetry])).toEqual([
        [1, true],
        [2, false],
      ]);
      const jsm = await jetstreamManager(admin);
      const stored = await jsm.streams.getMessage(bus.names.deadLetterStream, { seq: 1 });
      expect(stored?.subject).toBe(`${bus.names.namespace}-dlq.order.placed`);
      expect(stored?.header.get(DeadLetterHeaders.Reason)).toBe("handler-failed");
      expect(stored?.header.get(DeadLetterHeaders.Handler)).toBe("router");
      expect(stored?.header.get(DeadLetterHeaders.Group)).toBe("routing");
      expect(stored?.header.get(DeadLetterHeaders.Attempts)).toBe("2");
      expect(stored?.header.get(DeadLetterHeaders.Error)).toBe("no route");
      const [letter] = await bus.readDeadLetters();
      expect(letter?.event).toEqual(event);
      expect(letter?.source.sequence).toBe(1);
    });

    it("dead-letters a handler that times out with reason handler-timeout", async () => {
      const bus = newBus({ handlerTimeoutMs: 50, retry: { maxAttempts: 1 } });
      bus.subscribe("slow.thing", () => sleep(1_000));
      void bus.runForever();
      await bus.ready();
      await bus.publish(createEvent("slow.thing", {}));
      await bus.idle();
      const letters = await bus.readDeadLetters();
      expect(letters.map((l) => [l.reason, l.error?.code])).toEqual([["handler-timeout", "HANDLER_TIMEOUT"]]);
    });
  });

  describe("correlation across processes", () => {
    it(`carries the causation depth in ${DEPTH_HEADER}, so a cycle through the broker is cut`, async () => {
      const ticker = newBus({ maxCausationDepth: 3, retry: { maxAttempts: 1 } });
      const depths: string[] = [];
      ticker.subscribe("loop.tick", async (event) => {
        depths.push(event.causationId === null ? "root" : "caused");
        await ticker.publish(createEvent("loop.tick", {}));
      });
      void ticker.runForever();
      await ticker.ready();
      await ticker.publish(createEvent("loop.tick", {}));
      await ticker.idle();
      expect(depths).toEqual(["root", "caused", "caused", "caused"]);
      const letters = await ticker.readDeadLetters();
      expect(letters.map((l) => l.error?.code)).toEqual(["CAUSATION_DEPTH_EXCEEDED"]);
    });
  });

  describe("getStats()", () => {
    it("reports consumer lag per group", async () => {
      const bus = newBus();
      bus.subscribe("lag.x", () => {}, { group: "laggard" });
      await bus.ready();
      for (let n = 0; n < 5; n++) await bus.publish(createEvent("lag.x", { n }));
      expect(await bus.refreshConsumerLag()).toEqual({ laggard: 5 });
      expect(bus.getStats().consumerLag).toEqual({ laggard: 5 });
      expect(bus.getStats().queueSize).toBe(5);
      void bus.runForever();
      await bus.idle();
      expect(bus.getStats().consumerLag).toEqual({ laggard: 0 });
      expect(bus.getStats().delivered).toBe(5);
    });
  });

  describe("stop()", () => {
    it("finishes handlers in flight and acks them before closing", async () => {
      const bus = newBus();
      let done = 0;
      bus.subscribe(
        "drain.x",
        async () => {
          await sleep(200);
          done++;
        },
        { group: "drainers" },
      );
      void bus.runForever();
      await bus.ready();
      for (let n = 0; n < 20; n++) await bus.publish(createEvent("drain.x", { n }));
      await sleep(50);
      await bus.stop();
      expect(done).toBe(20);
      const jsm = await jetstreamManager(admin);
      const info = await jsm.consumers.info(bus.names.stream, bus.names.groupConsumer("drainers", "drain.x"));
      expect(info.num_ack_pending).toBe(0);
      expect(info.num_pending).toBe(0);
      await expect(bus.publish(createEvent("drain.x", {}))).rejects.toMatchObject({ code: "BUS_STOPPED" });
    });

    it("at its deadline hands unfinished events back to NATS, and another member gets them", async () => {
      const first = newBus();
      const handledBySecond: number[] = [];
      first.subscribe("handoff.x", () => sleep(5_000), { group: "handoff" });
      void first.runForever();
      await first.ready();
      await first.publish(createEvent("handoff.x", { n: 1 }));
      await sleep(100);
      await first.stop({ timeoutMs: 100 });
      const second = newBus({}, first.names.namespace);
      second.subscribe("handoff.x", (e) => void handledBySecond.push((e.payload as { n: number }).n), {
        group: "handoff",
      });
      void second.runForever();
      await second.idle();
      expect(handledBySecond).toEqual([1]);
    });
  });
});
