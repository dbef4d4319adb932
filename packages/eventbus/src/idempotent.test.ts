import { describe, expect, it } from "vitest";
import { createEvent } from "./envelope.js";
import { idempotent } from "./idempotent.js";
import { createTestBus } from "./testing/index.js";

describe("idempotent()", () => {
  it("handles a redelivered event id once", async () => {
    await using bus = createTestBus();
    const handled: number[] = [];
    bus.subscribe(
      "tick",
      idempotent((e) => {
        handled.push((e.payload as { n: number }).n);
      }),
    );
    const event = createEvent("tick", { n: 1 });
    await bus.publish(event);
    await bus.publish(event);
    await bus.publish(createEvent("tick", { n: 2 }));
    await bus.idle();
    expect(handled).toEqual([1, 2]);
  });

  it("forgets an id whose handler failed, so the bus's retry runs it", async () => {
    await using bus = createTestBus({ retry: { maxAttempts: 2 } });
    const attempts: number[] = [];
    bus.subscribe(
      "tick",
      idempotent(async (_e, context) => {
        attempts.push(context.attempt);
        if (context.attempt === 1) throw new Error("transient");
      }),
    );
    await bus.publish(createEvent("tick", {}));
    await bus.idle();
    expect(attempts).toEqual([1, 2]);
    expect(bus.getStats()).toMatchObject({ delivered: 1, deadLettered: 0 });
  });

  it("keeps the handler's name for logs and is bounded by capacity", async () => {
    await using bus = createTestBus();
    let calls = 0;
    const handler = idempotent(
      function tradeLogger() {
        calls++;
      },
      { capacity: 1 },
    );
    expect(handler.name).toBe("tradeLogger");
    bus.subscribe("tick", handler);
    const [a, b] = [createEvent("tick", {}), createEvent("tick", {})];
    for (const e of [a, b, a]) await bus.publish(e); // a was forgotten when b arrived
    await bus.idle();
    expect(calls).toBe(3);
  });
});
