import type { DeliveryContext, EventEnvelope } from "@qt/eventbus";
import { describe, expect, it } from "vitest";
import { probe } from "../conformance-events.js";
import type { SuiteContext } from "../suite-context.js";

/** `ordering: { key }`: per-key order, even when some deliveries fail and are retried. */
export function registerOrderingTests(ctx: SuiteContext): void {
  if (!ctx.features.ordered) return;
  describe("ordering", () => {
    it(
      "keeps per-key order with ordering: { key }, retries included",
      async () => {
        const bus = await ctx.world().connect();
        const handled = new Map<string, number[]>();
        bus.subscribe(
          "conformance.ordered",
          async (event: EventEnvelope, context: DeliveryContext) => {
            const { key, seq } = event.payload as { key: string; seq: number };
            await new Promise((resolve) => setTimeout(resolve, seq % 3));
            if (seq % 10 === 3 && context.attempt === 1) throw new Error("retry me");
            handled.set(key, [...(handled.get(key) ?? []), seq]);
          },
          {
            ordering: { key: (event) => (event.payload as { key: string }).key },
            retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 10 },
          },
        );
        await bus.idle();
        const keys = ["BTC", "ETH", "SOL", "XRP"];
        const publishes: Promise<void>[] = [];
        for (let seq = 0; seq < 50; seq++) {
          for (const key of keys) publishes.push(bus.publish(probe("conformance.ordered", { seq, key })));
        }
        await Promise.all(publishes);
        await bus.idle();
        const expected = Array.from({ length: 50 }, (_, i) => i);
        for (const key of keys) expect(handled.get(key)).toEqual(expected);
      },
      ctx.timeoutMs,
    );
  });
}
