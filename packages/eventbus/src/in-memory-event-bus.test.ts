import { describe, expect, expectTypeOf, it } from "vitest";
import { createEvent, type EventEnvelope } from "./envelope.js";
import { EventBusError, InvalidEventError, InvalidPatternError } from "./errors.js";
import { InMemoryEventBus } from "./in-memory-event-bus.js";
import { createRecordingLogger, createTestBus, recordEvents } from "./testing/index.js";

type TestMap = {
  "policy.updated": { risk_mode: "AGGRESSIVE" | "NORMAL" | "DEFENSIVE" };
  "trade.executed": { symbol: string; size: number };
  "trade.cancelled": { symbol: string };
  "health.status_changed": { new_status: string };
};

const policy = (risk_mode: TestMap["policy.updated"]["risk_mode"] = "NORMAL") =>
  createEvent("policy.updated", { risk_mode }, { source: "test" });
const trade = (symbol = "BTCUSDT", size = 1) =>
  createEvent("trade.executed", { symbol, size }, { source: "test" });

describe("publish() and subscribe()", () => {
  it("delivers a published event to its handler, envelope intact", async () => {
    await using bus = createTestBus<TestMap>();
    const seen: EventEnvelope[] = [];
    bus.subscribe("policy.updated", (e) => {
      seen.push(e);
    });
    const event = policy("DEFENSIVE");
    await bus.publish(event);
    await bus.idle();
    expect(seen).toEqual([event]);
  });

  it("calls several handlers of one type, each once", async () => {
    await using bus = createTestBus<TestMap>();
    const calls: string[] = [];
    bus.subscribe("trade.executed", () => {
      calls.push("a");
    });
    bus.subscribe("trade.executed", async () => {
      calls.push("b");
    });
    bus.subscribe("trade.executed", () => {
      calls.push("c");
    });
    await bus.publish(trade());
    await bus.idle();
    expect(calls).toEqual(["a", "b", "c"]);
  });

  it("routes by type: a handler never sees another type", async () => {
    await using bus = createTestBus<TestMap>();
    const trades = recordEvents(bus, "trade.executed");
    const policies = recordEvents(bus, "policy.updated");
    await bus.publish(trade());
    await bus.publish(policy());
    await bus.publish(trade("ETHUSDT"));
    await bus.idle();
    expect(trades.events.map((e) => e.type)).toEqual(["trade.executed", "trade.executed"]);
    expect(policies.events.map((e) => e.type)).toEqual(["policy.updated"]);
  });

  it("works with sync and async handlers alike", async () => {
    await using bus = createTestBus<TestMap>();
    let sync = 0;
    let async_ = 0;
    bus.subscribe("trade.executed", (e) => {
      sync += e.payload.size;
    });
    bus.subscribe("trade.executed", async (e) => {
      await Promise.resolve();
      async_ += e.payload.size;
    });
    await bus.publish(trade("X", 2));
    await bus.publish(trade("X", 3));
    await bus.idle();
    expect({ sync, async_ }).toEqual({ sync: 5, async_: 5 });
  });

  it("delivers all of 100 events", async () => {
    await using bus = createTestBus<TestMap>();
    const recorder = recordEvents(bus, "trade.executed");
    for (let i = 0; i < 100; i++) await bus.publish(trade("S", i + 1));
    await bus.idle();
    expect(recorder.payloads().map((p) => p.size)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(bus.getStats()).toMatchObject({ published: 100, dispatched: 100, delivered: 100, errors: 0 });
  });

  it("accepts an event nobody subscribed to, and counts it", async () => {
    await using bus = createTestBus<TestMap>();
    await bus.publish(policy());
    await bus.idle();
    expect(bus.getStats()).toMatchObject({ published: 1, dispatched: 1, delivered: 0, errors: 0 });
  });

  it("queues events published before runForever() and delivers them once it runs", async () => {
    const bus = new InMemoryEventBus<TestMap>({ logger: createRecordingLogger() });
    const recorder = recordEvents(bus, "trade.executed");
    await bus.publish(trade("A"));
    await bus.publish(trade("B"));
    expect(bus.getStats()).toMatchObject({ queueSize: 2, dispatched: 0 });
    const running = bus.runForever();
    await bus.idle();
    expect(recorder.payloads().map((p) => p.symbol)).toEqual(["A", "B"]);
    await bus.stop();
    await running;
  });

  it("rejects a value that is not an event with InvalidEventError naming the fields", async () => {
    await using bus = createTestBus<TestMap>();
    const error = await bus.publish({ type: "trade.executed" } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["id", "source", "timestamp"]),
    );
    expect(bus.getStats()).toMatchObject({ published: 0, rejected: 1, queueSize: 0 });
  });

  it("types handlers from the event map and refuses unknown types at compile time", () => {
    const bus = new InMemoryEventBus<TestMap>({ logger: createRecordingLogger() });
    bus.subscribe("policy.updated", (e) => {
      expectTypeOf(e.payload.risk_mode).toEqualTypeOf<"AGGRESSIVE" | "NORMAL" | "DEFENSIVE">();
    });
    bus.subscribe("trade.*", (e) => {
      expectTypeOf(e.type).toEqualTypeOf<"trade.executed" | "trade.cancelled">();
    });
    // @ts-expect-error: not a type of the map
    expect(() => bus.subscribe("policy.updatd", () => {})).not.toThrow();
    // @ts-expect-error: payload does not match the type
    void bus.publish(createEvent("trade.executed", { symbol: 1 }));
  });
});

describe("unsubscribe()", () => {
  it("stops delivery through the returned function, unsubscribe(), dispose and AbortSignal", async () => {
    await using bus = createTestBus<TestMap>();
    const counts = { fn: 0, method: 0, named: 0, disposed: 0, signal: 0 };
    const byFunction = bus.subscribe("trade.executed", () => void counts.fn++);
    const byMethod = bus.subscribe("trade.executed", () => void counts.method++);
    const named = () => void counts.named++;
    bus.subscribe("trade.executed", named);
    const controller = new AbortController();
    bus.subscribe("trade.executed", () => void counts.signal++, { signal: controller.signal });
    {
      using _disposed = bus.subscribe("trade.executed", () => void counts.disposed++);
      await bus.publish(trade());
      await bus.idle();
    }
    byFunction();
    byMethod.unsubscribe();
    expect(bus.unsubscribe("trade.executed", named)).toBe(true);
    expect(bus.unsubscribe("trade.executed", named)).toBe(false);
    controller.abort();
    await bus.publish(trade());
    await bus.idle();
    expect(counts).toEqual({ fn: 1, method: 1, named: 1, disposed: 1, signal: 1 });
    expect(byFunction.active).toBe(false);
    expect(bus.getStats().totalHandlers).toBe(0);
  });
});

describe("error isolation", () => {
  it("a throwing handler beside a good one: the good one still runs and the bus goes on", async () => {
    await using bus = createTestBus<TestMap>({ retry: { maxAttempts: 1 } });
    const good: number[] = [];
    bus.subscribe("trade.executed", function failing() {
      throw new Error("boom");
    });
    bus.subscribe("trade.executed", async function rejecting() {
      throw new Error("async boom");
    });
    bus.subscribe("trade.executed", (e) => {
      good.push(e.payload.size);
    });
    for (let i = 1; i <= 3; i++) await bus.publish(trade("X", i));
    await bus.idle();
    expect(good).toEqual([1, 2, 3]);
    expect(bus.getStats()).toMatchObject({ errors: 6, delivered: 3, deadLettered: 6 });
    expect(bus.handlerErrors.map((e) => e.handler.handlerName)).toEqual([
      "failing",
      "rejecting",
      "failing",
      "rejecting",
      "failing",
      "rejecting",
    ]);
    const logged = bus.logger.entries.filter((e) => e.message === "event handler failed");
    expect(logged[0]?.fields).toMatchObject({
      eventType: "trade.executed",
      handler: "failing",
      error: "boom",
    });
  });

  it("an onError hook that throws is logged, not fatal", async () => {
    await using bus = createTestBus<TestMap>({
      retry: { maxAttempts: 1 },
      onError: () => {
        throw new Error("hook broke");
      },
    });
    bus.subscribe("trade.executed", () => {
      throw new Error("boom");
    });
    await bus.publish(trade());
    await bus.idle();
    expect(bus.logger.entries.some((e) => e.message === "onError hook threw")).toBe(true);
  });

  it("a non-Error throw is reported too", async () => {
    await using bus = createTestBus<TestMap>({ retry: { maxAttempts: 1 } });
    bus.subscribe("trade.executed", () => {
      throw "a string"; // eslint-disable-line no-throw-literal
    });
    await bus.publish(trade());
    await bus.idle();
    expect(bus.handlerErrors[0]?.message).toContain("a string");
    expect(bus.deadLetters.list()[0]?.error).toMatchObject({ name: "NonError", message: "a string" });
  });
});

describe("secrets", () => {
  it("never puts payload values in logs, handler errors or stats", async () => {
    await using bus = createTestBus({ retry: { maxAttempts: 2 }, slowHandlerMs: 0 });
    const secret = "https://discord.com/api/webhooks/123/very-secret-token";
    bus.subscribe("alert.sent", function notifier() {
      throw new Error("webhook rejected the request");
    });
    await bus.publish(createEvent("alert.sent", { webhook_url: secret, smtp_password: "hunter2" }));
    await bus.idle();
    const exposed = JSON.stringify({
      logs: bus.logger.entries,
      errors: bus.handlerErrors.map((e) => ({ message: e.message, handler: e.handler })),
      stats: bus.getStats(),
    });
    expect(bus.logger.entries.length).toBeGreaterThan(0);
    expect(exposed).not.toContain("very-secret-token");
    expect(exposed).not.toContain("hunter2");
  });
});

describe("getStats()", () => {
  it("reports the original six counters and the extended ones", async () => {
    await using bus = createTestBus<TestMap>({ retry: { maxAttempts: 1 } });
    bus.subscribe("trade.executed", () => {});
    bus.subscribe("trade.executed", () => {
      throw new Error("x");
    });
    bus.subscribe("policy.updated", () => {});
    bus.subscribe("trade.*", () => {});
    await bus.publish(trade());
    await bus.publish(policy());
    await bus.idle();
    const stats = bus.getStats();
    expect(stats).toMatchObject({
      published: 2,
      dispatched: 2,
      errors: 1,
      queueSize: 0,
      handlerTypes: 3,
      totalHandlers: 4,
      delivered: 3,
      deadLettered: 1,
      retried: 0,
      dropped: 0,
      inFlight: 0,
      slowHandlers: 0,
    });
    expect(stats.byType).toEqual({
      "trade.executed": { published: 1, dispatched: 1, errors: 1 },
      "policy.updated": { published: 1, dispatched: 1, errors: 0 },
    });
    expect(stats.handlerLatencyMs.count).toBe(4);
    expect(stats.handlerLatencyMs.p99).toBeGreaterThanOrEqual(stats.handlerLatencyMs.p50);
  });

  it("counts and logs handlers slower than slowHandlerMs", async () => {
    let clock = 0;
    await using bus = createTestBus<TestMap>({ slowHandlerMs: 100, now: () => clock });
    bus.subscribe("trade.executed", function slow() {
      clock += 150;
    });
    bus.subscribe("trade.executed", function quick() {
      clock += 5;
    });
    await bus.publish(trade());
    await bus.idle();
    expect(bus.getStats().slowHandlers).toBe(1);
    expect(bus.getStats().handlerLatencyMs.max).toBeCloseTo(150, 1);
    expect(bus.logger.entries.find((e) => e.message.startsWith("slow handler"))?.fields).toMatchObject({
      handler: "slow",
      elapsedMs: 150,
    });
  });
});

describe("patterns", () => {
  it("'*' matches one segment, '>' one or more, '>' alone everything", async () => {
    await using bus = createTestBus();
    const star = recordEvents(bus, "trade.*");
    const tail = recordEvents(bus, "trade.>");
    const all = recordEvents(bus, ">");
    for (const type of [
      "trade.executed",
      "trade.cancelled",
      "trade.order.filled",
      "policy.updated",
      "trade",
    ]) {
      await bus.publish(createEvent(type, {}));
    }
    await bus.idle();
    expect(star.events.map((e) => e.type)).toEqual(["trade.executed", "trade.cancelled"]);
    expect(tail.events.map((e) => e.type)).toEqual([
      "trade.executed",
      "trade.cancelled",
      "trade.order.filled",
    ]);
    expect(all.events).toHaveLength(5);
  });

  it("refuses malformed patterns with InvalidPatternError", () => {
    const bus = new InMemoryEventBus({ logger: createRecordingLogger() });
    for (const bad of ["", "trade..executed", ">.trade", "trade.>.x", "trade executed", "trade.ex*"]) {
      expect(() => bus.subscribe(bad, () => {})).toThrow(InvalidPatternError);
    }
    expect(() => createEvent("trade.*", {})).toThrow(InvalidPatternError);
  });
});

describe("consumer groups", () => {
  it("members of a group share the events; each group and each plain handler gets all", async () => {
    await using bus = createTestBus<TestMap>();
    const got = { a1: 0, a2: 0, b1: 0, plain: 0 };
    bus.subscribe("trade.executed", () => void got.a1++, { group: "analytics" });
    bus.subscribe("trade.executed", () => void got.a2++, { group: "analytics" });
    bus.subscribe("trade.executed", () => void got.b1++, { group: "notifiers" });
    bus.subscribe("trade.executed", () => void got.plain++);
    for (let i = 0; i < 10; i++) await bus.publish(trade());
    await bus.idle();
    expect(got).toEqual({ a1: 5, a2: 5, b1: 10, plain: 10 });
  });

  it("a member that leaves hands its share to the others", async () => {
    await using bus = createTestBus<TestMap>();
    const got = { a1: 0, a2: 0 };
    const first = bus.subscribe("trade.executed", () => void got.a1++, { group: "g" });
    bus.subscribe("trade.executed", () => void got.a2++, { group: "g" });
    first();
    for (let i = 0; i < 4; i++) await bus.publish(trade());
    await bus.idle();
    expect(got).toEqual({ a1: 0, a2: 4 });
  });
});

describe("EventBusError", () => {
  it("isInstance() recognises errors by marker, with a code", async () => {
    await using bus = createTestBus();
    const error = await bus.publish(null as never).catch((e: unknown) => e);
    expect(EventBusError.isInstance(error)).toBe(true);
    expect(EventBusError.isInstance(new Error("x"))).toBe(false);
    expect((error as EventBusError).code).toBe("INVALID_EVENT");
  });
});

describe("constructor", () => {
  it("refuses nonsense options with a RangeError naming the option", () => {
    expect(() => new InMemoryEventBus({ maxQueueSize: 0 })).toThrow(/maxQueueSize/);
    expect(() => new InMemoryEventBus({ maxConcurrency: 1.5 })).toThrow(/maxConcurrency/);
    expect(() => new InMemoryEventBus({ fullQueuePolicy: "drop-newest" as never })).toThrow(
      /fullQueuePolicy/,
    );
    expect(() => new InMemoryEventBus({ slowHandlerMs: -1 })).toThrow(/slowHandlerMs/);
    expect(() => new InMemoryEventBus({ retry: { maxAttempts: 0 } })).toThrow(/retry\.maxAttempts/);
  });
});
