import { describe, expect, it } from "vitest";
import { createEvent } from "../envelope.js";
import { createTestBus, nextEvent, publishAll, recordEvents } from "./index.js";

describe("recordEvents()", () => {
  it("records matching events in order and waitForCount() resolves once they are in", async () => {
    await using bus = createTestBus();
    const recorder = recordEvents(bus, "a.*");
    const waiting = recorder.waitForCount(2);
    await publishAll(bus, [
      createEvent("a.x", { n: 1 }),
      createEvent("b.x", {}),
      createEvent("a.y", { n: 2 }),
    ]);
    expect((await waiting).map((e) => e.type)).toEqual(["a.x", "a.y"]);
    expect(recorder.payloads()).toEqual([{ n: 1 }, { n: 2 }]);
    recorder.clear();
    recorder.stop();
    await bus.publish(createEvent("a.z", {}));
    await bus.idle();
    expect(recorder.events).toEqual([]);
  });

  it("waitForCount() rejects after its timeout instead of hanging", async () => {
    await using bus = createTestBus();
    const recorder = recordEvents(bus, "never");
    await expect(recorder.waitForCount(1, { timeoutMs: 5 })).rejects.toThrow(
      /Timed out after 5 ms waiting for 1 "never" events/,
    );
  });
});

describe("nextEvent()", () => {
  it("resolves with the first event matching the predicate and then unsubscribes", async () => {
    await using bus = createTestBus();
    const found = nextEvent(bus, "tick", (e) => (e.payload as { n: number }).n > 1);
    await publishAll(
      bus,
      [1, 2, 3].map((n) => createEvent("tick", { n })),
    );
    expect((await found).payload).toEqual({ n: 2 });
    await bus.idle();
    expect(bus.getStats().totalHandlers).toBe(0);
  });

  it("rejects after its timeout", async () => {
    await using bus = createTestBus();
    await expect(nextEvent(bus, "tick", () => true, { timeoutMs: 5 })).rejects.toThrow(/Timed out/);
    expect(bus.getStats().totalHandlers).toBe(0);
  });
});

describe("createTestBus()", () => {
  it("runs at once, records handler errors and log lines instead of printing them", async () => {
    await using bus = createTestBus({ retry: { maxAttempts: 2 } });
    bus.subscribe("tick", () => {
      throw new Error("x");
    });
    await bus.publish(createEvent("tick", {}));
    await bus.idle();
    expect(bus.handlerErrors).toHaveLength(2);
    expect(bus.logger.entries.map((e) => e.message)).toEqual([
      "event handler failed",
      "event handler failed",
      "delivery dead-lettered",
    ]);
  });
});
