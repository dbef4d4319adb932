import type { EventEnvelope } from "@qt/eventbus";
import { describe, expect, it } from "vitest";
import { probe, probes } from "../conformance-events.js";
import { eventually } from "../eventually.js";
import type { SuiteContext } from "../suite-context.js";

const byId = (a: EventEnvelope, b: EventEnvelope) => a.id.localeCompare(b.id);

/** Publish, subscribe, topics, payload round trips, unsubscribe, stats and correlation: every bus. */
export function registerDeliveryTests(ctx: SuiteContext): void {
  describe("publish() and subscribe()", () => {
    it(
      "delivers every event with its id, payload and metadata intact",
      async () => {
        const bus = await ctx.world().connect();
        const received: EventEnvelope[] = [];
        bus.subscribe("conformance.>", (event) => {
          received.push(event);
        });
        await bus.idle();
        const root = probe("conformance.meta.root", { seq: 0 }, { source: "suite" });
        const events = [
          root,
          probe(
            "conformance.meta.child",
            { seq: 1, key: "k" },
            {
              source: "suite-child",
              correlationId: root.correlationId,
              causationId: root.id,
              timestamp: new Date("2026-01-02T03:04:05.678Z"),
            },
          ),
          ...probes("conformance.meta.bulk", 48, { note: "bulk" }),
        ];
        for (const event of events) await bus.publish(event);
        await bus.idle();
        expect([...received].sort(byId)).toEqual([...events].sort(byId));
      },
      ctx.timeoutMs,
    );

    it(
      "concurrent publishers and subscribers lose nothing",
      async () => {
        const world = ctx.world();
        const subscribers = await Promise.all([world.connect(), world.connect(), world.connect()]);
        const seen = subscribers.map(() => new Set<string>());
        subscribers.forEach((bus, i) => {
          bus.subscribe("conformance.concurrent", (event) => {
            seen[i]?.add(event.id);
          });
        });
        await Promise.all(subscribers.map((bus) => bus.idle()));
        const publishers = await Promise.all([world.connect(), world.connect(), world.connect()]);
        const batches = publishers.map((_, p) => probes("conformance.concurrent", 200, { publisher: p }));
        await Promise.all(
          publishers.map((bus, p) => Promise.all((batches[p] ?? []).map((e) => bus.publish(e)))),
        );
        const ids = batches.flat().map((e) => e.id);
        await Promise.all(subscribers.map((bus) => bus.idle()));
        for (const set of seen) {
          expect(set.size).toBe(ids.length);
          expect(ids.every((id) => set.has(id))).toBe(true);
        }
      },
      ctx.timeoutMs,
    );

    it(
      "keeps topics isolated: each pattern gets exactly the types it matches",
      async () => {
        const bus = await ctx.world().connect();
        const got: Record<string, string[]> = {};
        const patterns = [
          "conformance.orders.created",
          "conformance.orders.*",
          "conformance.*.created",
          "conformance.deep.>",
          "conformance.fills.created",
        ];
        for (const pattern of patterns) {
          got[pattern] = [];
          bus.subscribe(pattern, (event) => {
            got[pattern]?.push(event.type);
          });
        }
        await bus.idle();
        const types = [
          "conformance.orders.created",
          "conformance.orders.cancelled",
          "conformance.fills.created",
          "conformance.deep.a",
          "conformance.deep.a.b.c",
          "conformance.other",
        ];
        for (const [seq, type] of types.entries()) await bus.publish(probe(type, { seq }));
        await bus.idle();
        const sorted = (list: string[] | undefined) => [...(list ?? [])].sort();
        expect(sorted(got["conformance.orders.created"])).toEqual(["conformance.orders.created"]);
        expect(sorted(got["conformance.orders.*"])).toEqual(
          ["conformance.orders.cancelled", "conformance.orders.created"].sort(),
        );
        expect(sorted(got["conformance.*.created"])).toEqual(
          ["conformance.fills.created", "conformance.orders.created"].sort(),
        );
        expect(sorted(got["conformance.deep.>"])).toEqual(["conformance.deep.a", "conformance.deep.a.b.c"]);
        expect(sorted(got["conformance.fills.created"])).toEqual(["conformance.fills.created"]);
      },
      ctx.timeoutMs,
    );

    it(
      "round-trips dates and nested payloads exactly",
      async () => {
        const bus = await ctx.world().connect();
        const received: EventEnvelope[] = [];
        bus.subscribe("conformance.shapes", (event) => {
          received.push(event);
        });
        await bus.idle();
        const event = probe(
          "conformance.shapes",
          {
            seq: 1,
            at: new Date("2026-03-04T05:06:07.089Z"),
            nested: {
              fills: [
                { when: new Date(0), price: 64_000.125, tags: ["a", "b"] },
                { when: new Date("1999-12-31T23:59:59.999Z"), price: -0.5, tags: [] },
              ],
              deep: { a: { b: { c: "ünïcode ✓", n: null, t: true } } },
              lookalike: { $date: "not a date, just a key" },
            },
          },
          { timestamp: new Date("2026-05-06T07:08:09.012Z") },
        );
        await bus.publish(event);
        await bus.idle();
        expect(received).toEqual([event]);
        const payload = received[0]?.payload as { at: unknown; nested: { fills: { when: unknown }[] } };
        expect(payload.at).toBeInstanceOf(Date);
        expect(payload.nested.fills[1]?.when).toBeInstanceOf(Date);
      },
      ctx.timeoutMs,
    );

    it(
      "unsubscribe() stops deliveries to that handler only",
      async () => {
        const bus = await ctx.world().connect();
        const first: number[] = [];
        const second: number[] = [];
        const handler = (event: EventEnvelope) => {
          first.push((event.payload as { seq: number }).seq);
        };
        const subscription = bus.subscribe("conformance.unsub", handler);
        bus.subscribe("conformance.unsub", (event) => {
          second.push((event.payload as { seq: number }).seq);
        });
        await bus.idle();
        await bus.publish(probe("conformance.unsub", { seq: 1 }));
        await bus.idle();
        subscription.unsubscribe();
        expect(subscription.active).toBe(false);
        await bus.publish(probe("conformance.unsub", { seq: 2 }));
        await bus.idle();
        expect(first).toEqual([1]);
        expect(second).toEqual([1, 2]);
      },
      ctx.timeoutMs,
    );

    it(
      "an event a handler publishes joins the handled event's correlation chain",
      async () => {
        const bus = await ctx.world().connect();
        const caused: EventEnvelope[] = [];
        bus.subscribe("conformance.chain.start", async (event) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          await bus.publish(probe("conformance.chain.next", { seq: (event.payload as { seq: number }).seq }));
        });
        bus.subscribe("conformance.chain.next", (event) => {
          caused.push(event);
        });
        await bus.idle();
        const start = probe("conformance.chain.start", { seq: 7 });
        await bus.publish(start);
        await eventually(() => caused.length === 1, ctx.timeoutMs / 2, "the caused event");
        await bus.idle();
        expect(caused[0]?.correlationId).toBe(start.correlationId);
        expect(caused[0]?.causationId).toBe(start.id);
      },
      ctx.timeoutMs,
    );

    it(
      "getStats() counts publishes, deliveries, failures and retries",
      async () => {
        const bus = await ctx.world().connect();
        const failedOnce = new Set<string>();
        bus.subscribe("conformance.stats", () => {});
        bus.subscribe(
          "conformance.stats",
          (event) => {
            if (!failedOnce.has(event.id)) {
              failedOnce.add(event.id);
              throw new Error("first try fails");
            }
          },
          { name: "flaky", retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 } },
        );
        await bus.idle();
        for (const event of probes("conformance.stats", 5)) await bus.publish(event);
        await bus.idle();
        const stats = bus.getStats();
        expect(stats.published).toBe(5);
        expect(stats.delivered).toBe(10);
        expect(stats.errors).toBe(5);
        expect(stats.retried).toBe(5);
        expect(stats.deadLettered).toBe(0);
        expect(stats.totalHandlers).toBe(2);
        expect(stats.byType["conformance.stats"]?.published).toBe(5);
      },
      ctx.timeoutMs,
    );
  });

  describe("stop()", () => {
    it(
      "a stopped publisher has flushed everything it accepted",
      async () => {
        const world = ctx.world();
        const subscriber = await world.connect();
        const seen = new Set<string>();
        subscriber.subscribe("conformance.flush", (event) => {
          seen.add(event.id);
        });
        await subscriber.idle();
        const publisher = await world.connect();
        const events = probes("conformance.flush", 500);
        const outcomes = events.map((event) =>
          publisher.publish(event).then(
            () => "ok",
            (error: unknown) => String(error),
          ),
        );
        await publisher.stop();
        expect(new Set(await Promise.all(outcomes))).toEqual(new Set(["ok"]));
        if (subscriber !== publisher) await subscriber.idle();
        expect(seen.size).toBe(events.length);
      },
      ctx.timeoutMs,
    );
  });
}
