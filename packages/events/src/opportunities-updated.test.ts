import type { EventEnvelope } from "@qt/eventbus";
import { validationIssues } from "@qt/eventbus/testing";
import { describe, expect, expectTypeOf, it } from "vitest";
import { OpportunitiesUpdatedEvent, type OpportunitiesUpdatedPayload } from "./opportunities-updated.js";

type Input = Parameters<typeof OpportunitiesUpdatedEvent.create>[0];

const valid: Input = {
  top_symbols: ["BTCUSDT", "ETHUSDT"],
  scores: { BTCUSDT: 0.92, ETHUSDT: 0.87 },
  criteria: { min_volume: 1e6, exclude: ["USDCUSDT"], weights: { trend: 0.6, volume: 0.4 }, note: null },
  excluded_count: 41,
};

describe("OpportunitiesUpdatedEvent.create()", () => {
  it("creates a version 1 opportunities.updated envelope with exactly the payload", () => {
    const event = OpportunitiesUpdatedEvent.create(valid);
    expect(event).toMatchObject({ type: "opportunities.updated", version: 1 });
    expect(event.payload).toEqual(valid);
  });

  it("accepts an empty ranking with nothing excluded", () => {
    expect(() =>
      OpportunitiesUpdatedEvent.create({ top_symbols: [], scores: {}, criteria: {}, excluded_count: 0 }),
    ).not.toThrow();
  });

  it.each([
    [
      "an empty symbol",
      { top_symbols: ["BTCUSDT", ""] },
      "payload.top_symbols.1",
      "expected a non-empty string, received empty string",
    ],
    [
      "a NaN score",
      { scores: { BTCUSDT: Number.NaN } },
      "payload.scores.BTCUSDT",
      "expected number, received NaN",
    ],
    [
      "a negative excluded_count",
      { excluded_count: -1 },
      "payload.excluded_count",
      "expected number >= 0, received -1",
    ],
    [
      "a fractional excluded_count",
      { excluded_count: 1.5 },
      "payload.excluded_count",
      "expected integer, received 1.5",
    ],
    [
      "Infinity deep in criteria",
      { criteria: { weights: { trend: Number.POSITIVE_INFINITY } } },
      "payload.criteria.weights.trend",
      "expected string | number | boolean | null | array | object, received Infinity",
    ],
    [
      "undefined in a criteria list",
      { criteria: { exclude: ["A", undefined] } },
      "payload.criteria.exclude.1",
      "expected string | number | boolean | null | array | object, received undefined",
    ],
    [
      "a function in criteria",
      { criteria: { rank: () => 1 } },
      "payload.criteria.rank",
      "expected string | number | boolean | null | array | object, received function",
    ],
    ["an unknown key", { top: [] }, "payload.top", "unknown key"],
  ])("refuses %s", (_name, patch, path, message) => {
    expect(validationIssues(() => OpportunitiesUpdatedEvent.create({ ...valid, ...patch } as Input))).toEqual(
      [{ path, message }],
    );
  });

  it("is typed: returns EventEnvelope<'opportunities.updated', OpportunitiesUpdatedPayload>", () => {
    const event = OpportunitiesUpdatedEvent.create(valid);
    expectTypeOf(event).toEqualTypeOf<EventEnvelope<"opportunities.updated", OpportunitiesUpdatedPayload>>();
    expectTypeOf(event.payload.top_symbols).toEqualTypeOf<string[]>();
    expectTypeOf(event.payload.scores).toEqualTypeOf<Record<string, number>>();
    expectTypeOf(event.payload.excluded_count).toEqualTypeOf<number>();
  });
});
