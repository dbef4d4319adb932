import type { DeliveryContext, EventEnvelope } from "@qt/eventbus";
import { describe, expect, it } from "vitest";
import { probe, probes } from "../conformance-events.js";
import type { SuiteContext } from "../suite-context.js";

const fastRetry = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, jitter: "none" as const };

/** Redelivery after errors (every bus), dead letters and foreign messages (where declared). */
export function registerFailureTests(ctx: SuiteContext): void {
  describe("handler errors", () => {
    it(
      "redelivers an event after its handler fails, with the attempt number",
      async () => {
        const bus = await ctx.world().connect();
        const attempts = new Map<string, number[]>();
        bus.subscribe(
          "conformance.flaky",
          (event: EventEnvelope, context: DeliveryContext) => {
            const list = attempts.get(event.id) ?? [];
            list.push(context.attempt);
            attempts.set(event.id, list);
            if (context.attempt === 1) throw new Error("first try fails");
          },
          { name: "flaky", retry: fastRetry },
        );
        await bus.idle();
        const events = probes("conformance.flaky", 20);
        for (const event of events) await bus.publish(event);
        await bus.idle();
        for (const event of events) expect(attempts.get(event.id)).toEqual([1, 2]);
      },
      ctx.timeoutMs,
    );
  });

  if (ctx.features.deadLetters) {
    describe("dead letters", () => {
      it(
        "after maxAttempts, dead-letters the event with its handler, reason, attempts and error",
        async () => {
          const world = ctx.world();
          const bus = await world.connect();
          let calls = 0;
          const group = ctx.features.consumerGroups ? "dead-letter-group" : undefined;
          bus.subscribe(
            "conformance.poison.*",
            () => {
              calls++;
              throw Object.assign(new TypeError("cannot digest"), { code: "E_POISON" });
            },
            { name: "always-fails", retry: fastRetry, ...(group === undefined ? {} : { group }) },
          );
          await bus.idle();
          const events = [
            probe("conformance.poison.a", { seq: 1, at: new Date("2026-01-01T00:00:00.001Z") }),
            probe("conformance.poison.b", { seq: 2, nested: { list: [1, 2, 3] } }),
            probe("conformance.poison.a", { seq: 3 }),
          ];
          for (const event of events) await bus.publish(event);
          await bus.idle();
          expect(calls).toBe(9);
          const letters = await world.deadLetters();
          expect(letters).toHaveLength(3);
          const byEvent = new Map(letters.map((l) => [l.event?.id, l]));
          for (const event of events) {
            const letter = byEvent.get(event.id);
            expect(letter?.event).toEqual(event);
            expect(letter).toMatchObject({ reason: "handler-failed", attempts: 3 });
            expect(letter?.handler).toMatchObject({
              handlerName: "always-fails",
              pattern: "conformance.poison.*",
              group,
            });
            expect(letter?.error).toMatchObject({
              name: "TypeError",
              message: "cannot digest",
              code: "E_POISON",
            });
          }
          expect(bus.getStats().deadLettered).toBe(3);
        },
        ctx.timeoutMs,
      );
    });
  }

  if (ctx.features.foreignMessages) {
    describe("foreign messages", () => {
      it(
        "dead-letters what is not a valid event, never hands it to a handler, and keeps consuming",
        async () => {
          const world = ctx.world();
          const inject = world.injectForeign?.bind(world);
          if (inject === undefined)
            throw new Error("foreignMessages declared but the world has no injectForeign()");
          const bus = await world.connect();
          const received: EventEnvelope[] = [];
          bus.subscribe(">", (event) => {
            received.push(event);
          });
          await bus.idle();
          const envelope = (type: string, payload: unknown) => ({
            id: `foreign-${type}-${Math.random()}`,
            type,
            timestamp: new Date().toISOString(),
            source: "elsewhere",
            correlationId: "c-1",
            causationId: null,
            version: 1,
            payload,
          });
          await inject("conformance.garbage", "{ this is not json");
          await inject("conformance.shapeless", JSON.stringify({ hello: "world" }));
          await inject("unknown.kind", JSON.stringify(envelope("unknown.kind", { seq: 1 })));
          await inject("trade.executed", JSON.stringify(envelope("trade.executed", { size: -1 })));
          await inject("conformance.elsewhere", JSON.stringify(envelope("conformance.mismatch", { seq: 1 })));
          const valid = probe("conformance.after", { seq: 1 });
          await bus.publish(valid);
          await bus.idle();
          expect(received).toEqual([valid]);
          const letters = await world.deadLetters();
          expect(letters.map((l) => l.reason)).toEqual(Array(5).fill("invalid-message"));
          expect(letters.every((l) => l.event === undefined && typeof l.error?.message === "string")).toBe(
            true,
          );
          expect(letters.map((l) => l.error?.code)).toEqual([
            "INVALID_EVENT",
            "INVALID_EVENT",
            "EVENT_VALIDATION",
            "EVENT_VALIDATION",
            "INVALID_EVENT",
          ]);
        },
        ctx.timeoutMs,
      );
    });
  }
}
