import type { EventEnvelope } from "@qt/eventbus";
import { describe, expect, it } from "vitest";
import { probes } from "../conformance-events.js";
import { eventually, inBatches } from "../eventually.js";
import type { SuiteContext } from "../suite-context.js";

/** Consumer groups, and (when persistent) members leaving and joining mid-stream. */
export function registerGroupTests(ctx: SuiteContext): void {
  if (!ctx.features.consumerGroups) return;
  describe("consumer groups", () => {
    it(
      "two groups each get every event",
      async () => {
        const world = ctx.world();
        const [a, b] = await Promise.all([world.connect(), world.connect()]);
        const seen = { g1: [] as string[], g2: [] as string[] };
        a.subscribe("conformance.group", (e) => void seen.g1.push(e.id), { group: "g1" });
        b.subscribe("conformance.group", (e) => void seen.g2.push(e.id), { group: "g2" });
        await Promise.all([a.idle(), b.idle()]);
        const events = probes("conformance.group", 100);
        await Promise.all(events.map((e) => a.publish(e)));
        await Promise.all([a.idle(), b.idle()]);
        const ids = events.map((e) => e.id).sort();
        expect([...seen.g1].sort()).toEqual(ids);
        expect([...seen.g2].sort()).toEqual(ids);
      },
      ctx.timeoutMs,
    );

    it(
      "members of one group split the events between them, each event handled once",
      async () => {
        const world = ctx.world();
        const [m1, m2] = await Promise.all([world.connect(), world.connect()]);
        const got = { m1: [] as string[], m2: [] as string[] };
        const member = (list: string[]) => async (event: EventEnvelope) => {
          list.push(event.id);
          await new Promise((resolve) => setTimeout(resolve, 2));
        };
        m1.subscribe("conformance.work", member(got.m1), { group: "workers" });
        m2.subscribe("conformance.work", member(got.m2), { group: "workers" });
        await Promise.all([m1.idle(), m2.idle()]);
        const events = probes("conformance.work", 300);
        await inBatches(events, 50, (e) => m1.publish(e));
        await Promise.all([m1.idle(), m2.idle()]);
        const all = [...got.m1, ...got.m2].sort();
        expect(all).toEqual(events.map((e) => e.id).sort());
        expect(got.m1.length).toBeGreaterThan(0);
        expect(got.m2.length).toBeGreaterThan(0);
      },
      ctx.timeoutMs,
    );

    if (ctx.features.persistent) {
      it(
        "subscribers closing and reopening mid-stream lose nothing",
        async () => {
          const world = ctx.world();
          const publisher = await world.connect();
          const seen = new Set<string>();
          const handler = async (event: EventEnvelope) => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            seen.add(event.id);
          };
          const first = await world.connect();
          first.subscribe("conformance.reopen", handler, { group: "reopeners" });
          await first.idle();
          const events = probes("conformance.reopen", 600);
          const publishing = inBatches(events, 20, (e) => publisher.publish(e));
          await eventually(
            () => seen.size >= 100,
            ctx.timeoutMs / 3,
            "the first 100 events",
            () => `${seen.size}`,
          );
          await first.stop();
          const countAtClose = seen.size;
          const second = await world.connect();
          second.subscribe("conformance.reopen", handler, { group: "reopeners" });
          await publishing;
          await eventually(
            () => seen.size === events.length,
            ctx.timeoutMs / 2,
            "every event after reopening",
            () => `${seen.size} of ${events.length}`,
          );
          expect(countAtClose).toBeLessThan(events.length);
          await second.idle();
          expect(events.every((e) => seen.has(e.id))).toBe(true);
        },
        ctx.timeoutMs,
      );
    }
  });
}
