import type { EventEnvelope } from "@qt/eventbus";
import { describe, expect, it } from "vitest";
import { probes } from "../conformance-events.js";
import { eventually, inBatches } from "../eventually.js";
import type { SuiteContext } from "../suite-context.js";

/** Replay from the stream, and a broker restart in the middle of 10,000 events. */
export function registerDurabilityTests(ctx: SuiteContext): void {
  if (ctx.features.replay) {
    describe("replay", () => {
      it(
        'a new subscription with from: "beginning" gets the events published before it, in order',
        async () => {
          const bus = await ctx.world().connect();
          const events = probes("conformance.history", 20);
          for (const event of events) await bus.publish(event);
          const received: EventEnvelope[] = [];
          bus.subscribe("conformance.history", (e) => void received.push(e), { from: "beginning" } as object);
          await bus.idle();
          expect(received).toEqual(events);
        },
        ctx.timeoutMs,
      );

      it(
        "a new subscription with from: { time } gets the events published since then",
        async () => {
          const bus = await ctx.world().connect();
          const before = probes("conformance.since", 10, { part: "before" });
          for (const event of before) await bus.publish(event);
          await new Promise((resolve) => setTimeout(resolve, 50));
          const time = new Date();
          await new Promise((resolve) => setTimeout(resolve, 50));
          const after = probes("conformance.since", 10, { part: "after" });
          for (const event of after) await bus.publish(event);
          const received: EventEnvelope[] = [];
          bus.subscribe("conformance.since", (e) => void received.push(e), { from: { time } } as object);
          await bus.idle();
          expect(received).toEqual(after);
        },
        ctx.timeoutMs,
      );
    });
  }

  if (ctx.features.brokerRestart) {
    describe("broker restart", () => {
      it(
        "a broker restart in the middle of 10,000 events loses none",
        async () => {
          const world = ctx.world();
          const restart = world.restartBroker?.bind(world);
          if (restart === undefined)
            throw new Error("brokerRestart declared but the world has no restartBroker()");
          const [publisher, subscriber] = await Promise.all([world.connect(), world.connect()]);
          const seen = new Set<string>();
          subscriber.subscribe("conformance.restart", (e) => void seen.add(e.id), { group: "survivors" });
          await subscriber.idle();
          const events = probes("conformance.restart", 10_000);
          let acked = 0;
          const publishing = inBatches(events, 200, (e) => publisher.publish(e).then(() => void acked++));
          await eventually(() => acked >= 5_000, ctx.timeoutMs / 3, "half the events acknowledged");
          await restart();
          await publishing;
          await eventually(
            () => seen.size === events.length,
            ctx.timeoutMs / 2,
            "every event after the restart",
            () => `${seen.size} of ${events.length}`,
          );
          expect(events.every((e) => seen.has(e.id))).toBe(true);
        },
        ctx.timeoutMs,
      );
    });
  }
}
