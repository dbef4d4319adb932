import { describe, expect, it } from "vitest";
import { InMemoryDeadLetterStore } from "./dead-letter-store.js";
import { createEvent, type EventEnvelope } from "./envelope.js";
import {
  BusStoppedError,
  CausationDepthError,
  DeadLetterNotFoundError,
  EventBusError,
  EventValidationError,
  QueueFullError,
} from "./errors.js";
import { InMemoryEventBus } from "./in-memory-event-bus.js";
import type { EventSchemaRegistry } from "./schema-registry.js";
import { createRecordingLogger, createTestBus, recordEvents } from "./testing/index.js";

const tick = (n: number) => createEvent("tick", { n }, { source: "test" });

/** A promise with its resolver: lets a test hold a handler open and release it when it chooses. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe("full queue policies", () => {
  it("block (default): publish waits for room and then resolves, in order, losing nothing", async () => {
    const bus = new InMemoryEventBus({ maxQueueSize: 2, logger: createRecordingLogger() });
    const recorder = recordEvents(bus);
    const settled: number[] = [];
    const publishes = [1, 2, 3, 4].map((n) => bus.publish(tick(n)).then(() => settled.push(n)));
    await Promise.all(publishes.slice(0, 2));
    expect(settled).toEqual([1, 2]);
    expect(bus.getStats().queueSize).toBe(4); // two queued, two waiting for room
    void bus.runForever();
    await Promise.all(publishes);
    await bus.idle();
    expect(settled).toEqual([1, 2, 3, 4]);
    expect(recorder.payloads()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    await bus.stop();
  });

  it("block: publishers that do not await cannot grow memory past maxBlockedPublishers", async () => {
    const bus = new InMemoryEventBus({
      maxQueueSize: 3,
      maxBlockedPublishers: 2,
      logger: createRecordingLogger(),
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, n) => {
        const p = bus.publish(tick(n));
        if (n === 9) void bus.runForever(); // start only after every publish was attempted
        return p;
      }),
    );
    const refused = outcomes.filter((o) => o.status === "rejected");
    expect(refused).toHaveLength(5);
    expect(refused.every((o) => o.status === "rejected" && o.reason instanceof QueueFullError)).toBe(true);
    await bus.idle();
    expect(bus.getStats()).toMatchObject({ published: 5, dispatched: 5, rejected: 5 });
    await bus.stop();
  });

  it("drop-oldest: a publisher in a tight loop never grows the queue past maxQueueSize", async () => {
    const bus = new InMemoryEventBus({
      maxQueueSize: 100,
      fullQueuePolicy: "drop-oldest",
      logger: createRecordingLogger(),
    });
    let peak = 0;
    for (let n = 0; n < 10_000; n++) {
      void bus.publish(tick(n));
      peak = Math.max(peak, bus.getStats().queueSize);
    }
    expect(peak).toBe(100);
    expect(bus.getStats()).toMatchObject({ published: 10_000, dropped: 9_900 });
    await bus.stop();
  });

  it("reject: publish rejects with QueueFullError and nothing is enqueued", async () => {
    const bus = new InMemoryEventBus({
      maxQueueSize: 2,
      fullQueuePolicy: "reject",
      logger: createRecordingLogger(),
    });
    await bus.publish(tick(1));
    await bus.publish(tick(2));
    const error = await bus.publish(tick(3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error).toMatchObject({ code: "QUEUE_FULL", maxQueueSize: 2, eventType: "tick" });
    expect(bus.getStats()).toMatchObject({ queueSize: 2, published: 2, rejected: 1 });
    await bus.stop();
  });

  it("drop-oldest: the oldest event makes room, counted in dropped and passed to onDrop", async () => {
    const dropped: unknown[] = [];
    const logger = createRecordingLogger();
    const bus = new InMemoryEventBus({
      maxQueueSize: 2,
      fullQueuePolicy: "drop-oldest",
      logger,
      onDrop: (e) => dropped.push(e.payload),
    });
    const recorder = recordEvents(bus);
    for (let n = 1; n <= 5; n++) await bus.publish(tick(n));
    expect(bus.getStats()).toMatchObject({ queueSize: 2, dropped: 3 });
    void bus.runForever();
    await bus.idle();
    expect(recorder.payloads()).toEqual([{ n: 4 }, { n: 5 }]);
    expect(dropped).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const warnings = logger.entries.filter((e) => e.message === "queue full: oldest events dropped");
    expect(warnings).toHaveLength(1); // a flood of drops is logged once per second, not per event
    expect(warnings[0]?.fields).toMatchObject({ eventType: "tick", dropped: 1 });
    await bus.stop();
  });

  it("maxConcurrency bounds the handlers in flight; the rest waits in the bounded queue", async () => {
    await using bus = createTestBus({ maxConcurrency: 3, maxQueueSize: 100 });
    const held = gate();
    let running = 0;
    let peak = 0;
    bus.subscribe("tick", async () => {
      running++;
      peak = Math.max(peak, running);
      await held.promise;
      running--;
    });
    for (let n = 0; n < 10; n++) await bus.publish(tick(n));
    await Promise.resolve();
    expect(bus.getStats()).toMatchObject({ inFlight: 3, queueSize: 7 });
    held.open();
    await bus.idle();
    expect(peak).toBe(3);
    expect(bus.getStats()).toMatchObject({ delivered: 10, inFlight: 0, queueSize: 0 });
  });
});

describe("stop()", () => {
  it("drains the queue and the handlers in flight, then resolves runForever()", async () => {
    const bus = new InMemoryEventBus({ logger: createRecordingLogger() });
    const handled: number[] = [];
    bus.subscribe("tick", async (e: EventEnvelope) => {
      await Promise.resolve();
      handled.push((e.payload as { n: number }).n);
    });
    for (let n = 0; n < 50; n++) await bus.publish(tick(n));
    const running = bus.runForever();
    await bus.stop();
    await running;
    expect(handled).toHaveLength(50);
    expect(bus.deadLetters.size).toBe(0);
  });

  it("refuses publish afterwards with BusStoppedError, and is idempotent", async () => {
    const bus = new InMemoryEventBus({ logger: createRecordingLogger() });
    void bus.runForever();
    const first = bus.stop();
    expect(bus.stop()).toBe(first);
    await first;
    await expect(bus.publish(tick(1))).rejects.toBeInstanceOf(BusStoppedError);
    await expect(bus.publish(tick(1))).rejects.toMatchObject({ code: "BUS_STOPPED" });
  });

  it("rejects publishers still blocked on a full queue: they learn their event was not taken", async () => {
    const bus = new InMemoryEventBus({ maxQueueSize: 1, logger: createRecordingLogger() });
    await bus.publish(tick(1));
    const blocked = bus.publish(tick(2));
    const stopped = bus.stop();
    await expect(blocked).rejects.toBeInstanceOf(BusStoppedError);
    await stopped;
    expect(bus.getStats()).toMatchObject({ published: 1, dispatched: 1, rejected: 1 });
  });

  it("at the deadline, dead-letters what is queued and what is running, losing nothing silently", async () => {
    const logger = createRecordingLogger();
    const bus = new InMemoryEventBus({ maxConcurrency: 1, logger });
    let signal: AbortSignal | undefined;
    bus.subscribe("tick", async function stuck(_e, context) {
      signal = context.signal;
      await new Promise(() => {}); // never finishes
    });
    for (let n = 0; n < 3; n++) await bus.publish(tick(n));
    void bus.runForever();
    await bus.stop({ timeoutMs: 20 });
    const letters = bus.deadLetters.list();
    expect(
      letters.map((l) => [l.reason, l.handler?.handlerName, (l.event.payload as { n: number }).n]),
    ).toEqual([
      ["shutdown", undefined, 1],
      ["shutdown", undefined, 2],
      ["shutdown", "stuck", 0],
    ]);
    expect(signal?.aborted).toBe(true);
    expect(bus.getStats()).toMatchObject({ deadLettered: 3, inFlight: 0, queueSize: 0 });
    expect(logger.entries.some((e) => e.message.startsWith("stop deadline reached"))).toBe(true);
  });
});

describe("retries and dead letters", () => {
  it("retries a failing handler up to maxAttempts, then succeeds without a dead letter", async () => {
    await using bus = createTestBus({ retry: { maxAttempts: 3 } });
    const attempts: number[] = [];
    bus.subscribe("tick", (_e, context) => {
      attempts.push(context.attempt);
      if (context.attempt < 3) throw new Error(`try ${context.attempt}`);
    });
    await bus.publish(tick(1));
    await bus.idle();
    expect(attempts).toEqual([1, 2, 3]);
    expect(bus.getStats()).toMatchObject({ errors: 2, retried: 2, delivered: 1, deadLettered: 0 });
    expect(bus.handlerErrors.map((e) => e.willRetry)).toEqual([true, true]);
  });

  it("after the last attempt keeps event, handler, error and attempts in the dead-letter store", async () => {
    await using bus = createTestBus({ retry: { maxAttempts: 2 } });
    bus.subscribe(
      "tick",
      () => {
        throw Object.assign(new Error("database down"), { code: "ECONNREFUSED" });
      },
      { name: "trade-logger", group: "analytics" },
    );
    const event = tick(7);
    await bus.publish(event);
    await bus.idle();
    const [letter] = bus.deadLetters.list();
    expect(letter).toMatchObject({
      event,
      reason: "handler-failed",
      attempts: 2,
      handler: { handlerName: "trade-logger", group: "analytics", pattern: "tick" },
      error: { name: "Error", message: "database down", code: "ECONNREFUSED" },
    });
  });

  it("waits an exponential, jittered backoff between attempts", async () => {
    const delays: number[] = [];
    const bus = createTestBus({ retry: { maxAttempts: 3, initialDelayMs: 5, factor: 2, jitter: "none" } });
    let last = performance.now();
    bus.subscribe("tick", () => {
      const now = performance.now();
      delays.push(now - last);
      last = now;
      throw new Error("x");
    });
    last = performance.now();
    await bus.publish(tick(1));
    await bus.idle();
    await bus.stop();
    expect(delays).toHaveLength(3);
    expect(delays[1]).toBeGreaterThanOrEqual(4);
    expect(delays[2]).toBeGreaterThanOrEqual(9);
  });

  it("requeue() delivers a dead letter again, to the handler that failed only", async () => {
    await using bus = createTestBus({ retry: { maxAttempts: 1 } });
    let healthy = false;
    const flaky: number[] = [];
    const other: number[] = [];
    bus.subscribe(
      "tick",
      (e) => {
        if (!healthy) throw new Error("not yet");
        flaky.push((e.payload as { n: number }).n);
      },
      { name: "flaky" },
    );
    bus.subscribe("tick", (e) => void other.push((e.payload as { n: number }).n), { name: "other" });
    await bus.publish(tick(1));
    await bus.idle();
    const [letter] = bus.deadLetters.list();
    healthy = true;
    await bus.requeue(letter?.id as string);
    await bus.idle();
    expect(flaky).toEqual([1]);
    expect(other).toEqual([1]);
    expect(bus.deadLetters.size).toBe(0);
    await expect(bus.requeue("nope")).rejects.toBeInstanceOf(DeadLetterNotFoundError);
  });

  it("requeue() keeps the entry when the queue refuses it, and does not count a publish", async () => {
    const deadLetters = new InMemoryDeadLetterStore();
    const failing = createTestBus({ deadLetters, retry: { maxAttempts: 1 } });
    failing.subscribe("tick", function flaky() {
      throw new Error("x");
    });
    await failing.publish(tick(1));
    await failing.idle();
    await failing.stop();
    const [letter] = deadLetters.list();
    // A second bus on the same store, not running, whose one-event queue is already full.
    const full = new InMemoryEventBus({
      maxQueueSize: 1,
      fullQueuePolicy: "reject",
      deadLetters,
      logger: createRecordingLogger(),
    });
    full.subscribe("tick", function flaky() {});
    await full.publish(tick(2));
    await expect(full.requeue(letter?.id as string)).rejects.toBeInstanceOf(QueueFullError);
    expect(deadLetters.list().map((l) => l.id)).toEqual([letter?.id]);
    expect(full.getStats().published).toBe(1);
    await full.stop();
  });

  it("requeue() puts the entry back if its handler unsubscribes before the redelivery runs", async () => {
    const deadLetters = new InMemoryDeadLetterStore();
    const failing = createTestBus({ deadLetters, retry: { maxAttempts: 1 } });
    failing.subscribe("tick", function flaky() {
      throw new Error("x");
    });
    await failing.publish(tick(1));
    await failing.idle();
    await failing.stop();
    const [letter] = deadLetters.list();
    const logger = createRecordingLogger();
    const later = new InMemoryEventBus({ deadLetters, logger });
    const sub = later.subscribe("tick", function flaky() {});
    await later.requeue(letter?.id as string); // queued; the bus does not run yet
    expect(deadLetters.size).toBe(0);
    sub();
    void later.runForever();
    await later.idle();
    expect(deadLetters.list().map((l) => l.id)).toEqual([letter?.id]);
    expect(logger.entries.some((e) => e.message.startsWith("requeued event not delivered"))).toBe(true);
    await later.stop();
  });

  it("requeue() after stop() keeps the entry and names the event's type", async () => {
    const bus = createTestBus({ retry: { maxAttempts: 1 } });
    bus.subscribe("tick", () => {
      throw new Error("x");
    });
    await bus.publish(tick(1));
    await bus.idle();
    await bus.stop();
    const [letter] = bus.deadLetters.list();
    await expect(bus.requeue(letter?.id as string)).rejects.toMatchObject({
      code: "BUS_STOPPED",
      eventType: "tick",
    });
    expect(bus.deadLetters.size).toBe(1);
  });

  it("requeue() keeps the entry when its handler is gone", async () => {
    await using bus = createTestBus({ retry: { maxAttempts: 1 } });
    const sub = bus.subscribe("tick", () => {
      throw new Error("x");
    });
    await bus.publish(tick(1));
    await bus.idle();
    sub();
    const [letter] = bus.deadLetters.list();
    const error = await bus.requeue(letter?.id as string).catch((e: unknown) => e);
    expect(EventBusError.isInstance(error) && error.code).toBe("HANDLER_NOT_SUBSCRIBED");
    expect(bus.deadLetters.size).toBe(1);
  });

  it("a handler that exceeds its timeout fails with HANDLER_TIMEOUT and its signal aborts", async () => {
    await using bus = createTestBus({ handlerTimeoutMs: 10, retry: { maxAttempts: 1 } });
    let aborted = false;
    bus.subscribe("tick", (_e, context) => {
      return new Promise<void>((resolve) => {
        context.signal.addEventListener("abort", () => {
          aborted = true;
          resolve();
        });
      });
    });
    await bus.publish(tick(1));
    await bus.idle();
    expect(aborted).toBe(true);
    expect(bus.handlerErrors[0]?.code).toBe("HANDLER_TIMEOUT");
    expect(bus.deadLetters.list()[0]?.reason).toBe("handler-timeout");
    expect(bus.getStats()).toMatchObject({ delivered: 0, deadLettered: 1 });
  });
});

describe("ordering", () => {
  it("starts handlers in publish order (FIFO) and calls a type's handlers in subscription order", async () => {
    await using bus = createTestBus();
    const calls: string[] = [];
    bus.subscribe("tick", (e) => void calls.push(`a${(e.payload as { n: number }).n}`));
    bus.subscribe(">", (e) => void calls.push(`b${(e.payload as { n: number }).n}`));
    for (let n = 0; n < 3; n++) await bus.publish(tick(n));
    await bus.idle();
    expect(calls).toEqual(["a0", "b0", "a1", "b1", "a2", "b2"]);
  });

  it("concurrent (default): a slow event does not hold back the next one", async () => {
    await using bus = createTestBus();
    const first = gate();
    const secondDone = gate();
    const finished: number[] = [];
    bus.subscribe("tick", async (e) => {
      const n = (e.payload as { n: number }).n;
      if (n === 0) await first.promise;
      finished.push(n);
      if (n === 1) secondDone.open();
    });
    await bus.publish(tick(0));
    await bus.publish(tick(1));
    await secondDone.promise; // would never resolve if event 1 waited for event 0
    first.open();
    await bus.idle();
    expect(finished).toEqual([1, 0]);
  });

  it("serial: one event at a time, in publish order, retries included", async () => {
    await using bus = createTestBus({ retry: { maxAttempts: 2 } });
    const log: string[] = [];
    let running = 0;
    bus.subscribe(
      "tick",
      async (e, context) => {
        running++;
        expect(running).toBe(1);
        const n = (e.payload as { n: number }).n;
        log.push(`${n}/${context.attempt}`);
        await Promise.resolve();
        running--;
        if (n === 1 && context.attempt === 1) throw new Error("retry me");
      },
      { ordering: "serial" },
    );
    for (let n = 0; n < 4; n++) await bus.publish(tick(n));
    await bus.idle();
    expect(log).toEqual(["0/1", "1/1", "1/2", "2/1", "3/1"]);
  });

  it("per key: serial within a key (e.g. a symbol), concurrent across keys", async () => {
    await using bus = createTestBus();
    const btcGate = gate();
    const ethDone = gate();
    const log: string[] = [];
    bus.subscribe(
      "trade.executed",
      async (e) => {
        const { symbol, n } = e.payload as { symbol: string; n: number };
        if (symbol === "BTC" && n === 0) await btcGate.promise;
        log.push(`${symbol}${n}`);
        if (symbol === "ETH" && n === 1) ethDone.open();
      },
      { ordering: { key: (e) => (e.payload as { symbol: string }).symbol } },
    );
    const trades = [
      ["BTC", 0],
      ["ETH", 0],
      ["BTC", 1],
      ["ETH", 1],
    ] as const;
    for (const [symbol, n] of trades) await bus.publish(createEvent("trade.executed", { symbol, n }));
    await ethDone.promise;
    expect(log).toEqual(["ETH0", "ETH1"]); // ETH ran on; BTC1 waits behind BTC0
    btcGate.open();
    await bus.idle();
    expect(log).toEqual(["ETH0", "ETH1", "BTC0", "BTC1"]);
  });
});

describe("correlation and causation", () => {
  it("an event published by a handler joins the chain, even after an await", async () => {
    await using bus = createTestBus();
    const recorder = recordEvents(bus, ">");
    bus.subscribe("health.status_changed", async () => {
      await Promise.resolve();
      await bus.publish(createEvent("policy.updated", { risk_mode: "DEFENSIVE" }));
    });
    bus.subscribe("policy.updated", async () => {
      await bus.publish(createEvent("orders.halted", {}));
    });
    const root = createEvent("health.status_changed", { new_status: "CRITICAL" });
    await bus.publish(root);
    await bus.idle();
    const [health, policy, halted] = recorder.events;
    expect(policy).toMatchObject({ correlationId: root.id, causationId: root.id });
    expect(halted).toMatchObject({ correlationId: root.id, causationId: policy?.id });
    expect(health).toMatchObject({ correlationId: root.id, causationId: null });
  });

  it("keeps ids a publisher set explicitly", async () => {
    await using bus = createTestBus();
    const recorder = recordEvents(bus, "b");
    bus.subscribe("a", async () => {
      await bus.publish(createEvent("b", {}, { correlationId: "mine", causationId: "also-mine" }));
    });
    await bus.publish(createEvent("a", {}));
    await bus.idle();
    expect(recorder.events[0]).toMatchObject({ correlationId: "mine", causationId: "also-mine" });
  });

  it("propagateContext: false leaves events published by handlers as root events", async () => {
    await using bus = createTestBus({ propagateContext: false });
    const recorder = recordEvents(bus, "b");
    bus.subscribe("a", async () => {
      await bus.publish(createEvent("b", {}));
    });
    await bus.publish(createEvent("a", {}));
    await bus.idle();
    const [b] = recorder.events;
    expect(b?.causationId).toBeNull();
    expect(b?.correlationId).toBe(b?.id);
  });

  it("refuses an event cycle deeper than maxCausationDepth with CausationDepthError", async () => {
    await using bus = createTestBus({ maxCausationDepth: 5, retry: { maxAttempts: 1 } });
    let published = 0;
    bus.subscribe("ping", async () => {
      await bus.publish(createEvent("ping", {}));
      published++;
    });
    await bus.publish(createEvent("ping", {}));
    await bus.idle();
    expect(published).toBe(5);
    const failure = bus.handlerErrors[0];
    expect(failure?.cause).toBeInstanceOf(CausationDepthError);
    expect(failure?.cause).toMatchObject({ code: "CAUSATION_DEPTH_EXCEEDED", maxDepth: 5 });
  });
});

describe("validation with a schema registry", () => {
  const registry: EventSchemaRegistry = {
    validate(event) {
      const n = (event.payload as { n?: unknown }).n;
      if (typeof n !== "number") {
        throw new EventValidationError(event.type, [
          { path: "payload.n", message: `expected number, received ${typeof n}` },
        ]);
      }
    },
  };

  it("rejects an invalid event with EventValidationError naming the field, and enqueues nothing", async () => {
    await using bus = createTestBus({ registry });
    const recorder = recordEvents(bus);
    const error = await bus.publish(createEvent("tick", { n: "1" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).issues).toEqual([
      { path: "payload.n", message: "expected number, received string" },
    ]);
    await bus.publish(tick(1));
    await bus.idle();
    expect(recorder.payloads()).toEqual([{ n: 1 }]);
    expect(bus.getStats()).toMatchObject({ published: 1, rejected: 1 });
  });
});
