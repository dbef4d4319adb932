import { createTestBus, recordEvents } from "@qt/eventbus/testing";
import { type QtEventMap, qtEventRegistry } from "@qt/events";
import { describe, expect, it } from "vitest";
import { OpportunityRankerError } from "./errors.js";
import { OpportunityRanker, type OpportunityRankerOptions } from "./opportunity-ranker.js";
import type { Candidate } from "./scoring.js";

const at = new Date("2025-01-02T03:04:05.000Z");

const market: Candidate[] = [
  { symbol: "BTCUSDT", volume: 999_999, volatility: 0.03, trendStrength: 0.9 }, // best on volume and trend
  { symbol: "ETHUSDT", volume: 99_999, volatility: 0.05, trendStrength: -0.5 }, // best on volatility
  { symbol: "SOLUSDT", volume: 9_999, volatility: 0.01, trendStrength: 0.1 }, // worst everywhere
  { symbol: "DOGEUSDT", volume: 9, volatility: 0.2, trendStrength: 0 }, // thin: excluded by minVolume
];

describe("new OpportunityRanker()", () => {
  it.each([
    ["topN 0", { topN: 0 }, "options.topN"],
    ["a fractional topN", { topN: 2.5 }, "options.topN"],
    ["a negative criterion", { criteria: { minVolume: -1 } }, "options.criteria.minVolume"],
    ["an unknown criterion", { criteria: { minPrice: 1 } as never }, "options.criteria.minPrice"],
    ["a negative weight", { weights: { volume: -0.1 } }, "options.weights.volume"],
  ])("refuses %s with INVALID_OPTIONS", async (_, options: Partial<OpportunityRankerOptions>, field) => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    expect(() => new OpportunityRanker({ eventBus: bus, ...options })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", field }),
    );
  });
});

describe("OpportunityRanker.rank()", () => {
  it("publishes the top N by score with their scores, the criteria and the excluded count", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const updates = recordEvents(bus, "opportunities.updated");
    const ranker = new OpportunityRanker({
      eventBus: bus,
      topN: 2,
      criteria: { minVolume: 1000 },
      clock: () => at,
    });

    const ranking = await ranker.rank(market);
    await bus.idle();

    // Over the 3 eligible: volume log10 5/4/3 -> 1/0.5/0; volatility 0.03/0.05/0.01 -> 0.5/1/0; |trend| .9/.5/.1 -> 1/.5/0
    const expected = {
      top_symbols: ["BTCUSDT", "ETHUSDT"],
      scores: { BTCUSDT: 0.85, ETHUSDT: 0.65 },
      criteria: { min_volume: 1000 },
      excluded_count: 1,
    };
    expect(ranking).toEqual(expected);
    expect(updates.payloads()).toEqual([expected]);
    expect(updates.events[0]).toMatchObject({ source: "opportunity-ranker", timestamp: at });
    expect(ranker.lastPublished).toEqual(expected);
  });

  it("breaks equal scores by symbol, ascending", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const ranker = new OpportunityRanker({ eventBus: bus });
    const same = { volume: 10, volatility: 0.1, trendStrength: 0.5 };
    const ranking = await ranker.rank([
      { symbol: "XRP", ...same },
      { symbol: "ADA", ...same },
      { symbol: "BNB", ...same },
    ]);
    expect(ranking.top_symbols).toEqual(["ADA", "BNB", "XRP"]);
  });

  it("publishes again only when the top symbols' order or scores change", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const updates = recordEvents(bus, "opportunities.updated");
    const ranker = new OpportunityRanker({ eventBus: bus, topN: 2, criteria: { minVolume: 1000 } });

    await ranker.rank(market); // first: published
    await ranker.rank([...market].reverse()); // same ranking: not published
    await ranker.rank(market.slice(0, 3)); // only excluded_count changed: not published
    // SOL's trend becomes the strongest: same top 2, new scores -> published.
    await ranker.rank(market.map((c) => (c.symbol === "SOLUSDT" ? { ...c, trendStrength: 2 } : c)));
    // ETH falls to SOL's volume and trend, with less volatility: SOL overtakes it -> published.
    const fallen = { volume: 9_999, volatility: 0, trendStrength: 0.1 };
    await ranker.rank(market.map((c) => (c.symbol === "ETHUSDT" ? { ...c, ...fallen } : c)));
    await bus.idle();

    expect(updates.payloads().map((p) => p.scores)).toEqual([
      { BTCUSDT: 0.85, ETHUSDT: 0.65 },
      { BTCUSDT: 0.63, ETHUSDT: 0.5 },
      { BTCUSDT: 1, SOLUSDT: 0.1 },
    ]);
  });

  it("publishes an empty ranking when every candidate is excluded", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const ranker = new OpportunityRanker({ eventBus: bus, criteria: { minVolume: 1e12 } });
    expect(await ranker.rank(market)).toEqual({
      top_symbols: [],
      scores: {},
      criteria: { min_volume: 1e12 },
      excluded_count: 4,
    });
  });

  it("applies maxVolatility and minTrendStrength (on |trendStrength|)", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const ranker = new OpportunityRanker({
      eventBus: bus,
      criteria: { maxVolatility: 0.04, minTrendStrength: 0.5 },
    });
    const ranking = await ranker.rank(market);
    expect(ranking).toMatchObject({
      top_symbols: ["BTCUSDT"],
      criteria: { max_volatility: 0.04, min_trend_strength: 0.5 },
      excluded_count: 3,
    });
  });

  it.each([
    ["duplicate symbols", [market[0], market[0]], "DUPLICATE_SYMBOL", "candidates[1].symbol"],
    ["a NaN volume", [{ ...market[0], volume: Number.NaN }], "INVALID_CANDIDATE", "candidates[0].volume"],
    [
      "a negative volatility",
      [{ ...market[0], volatility: -1 }],
      "INVALID_CANDIDATE",
      "candidates[0].volatility",
    ],
    [
      "an infinite trend",
      [market[1], { ...market[0], trendStrength: Number.POSITIVE_INFINITY }],
      "INVALID_CANDIDATE",
      "candidates[1].trendStrength",
    ],
    ["an empty symbol", [{ ...market[0], symbol: "" }], "INVALID_CANDIDATE", "candidates[0].symbol"],
  ])("refuses %s: typed error, no event, last ranking kept", async (_, candidates, code, field) => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const updates = recordEvents(bus, "opportunities.updated");
    const ranker = new OpportunityRanker({ eventBus: bus });
    const first = await ranker.rank(market);

    const error = await ranker.rank(candidates as Candidate[]).catch((e: unknown) => e);
    await bus.idle();

    expect(OpportunityRankerError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code, field });
    expect(updates.events).toHaveLength(1);
    expect(ranker.lastPublished).toEqual(first);
  });

  it("keeps the last ranking when the bus refuses the event, so the next call publishes", async () => {
    const bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const ranker = new OpportunityRanker({ eventBus: bus });
    await bus.stop();
    await expect(ranker.rank(market)).rejects.toMatchObject({ code: "BUS_STOPPED" });
    expect(ranker.lastPublished).toBeNull();
  });
});

describe("OpportunityRanker.rank() and caller mutation", () => {
  it("a caller changing the returned ranking does not change what the next call compares against", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const ranker = new OpportunityRanker({ eventBus: bus, topN: 2 });
    const candidates = [
      { symbol: "BTCUSDT", volume: 5e9, volatility: 0.03, trendStrength: 0.8 },
      { symbol: "ETHUSDT", volume: 2e9, volatility: 0.04, trendStrength: 0.5 },
    ];
    const events = recordEvents(bus, "opportunities.updated");
    const first = await ranker.rank(candidates);
    first.top_symbols.reverse();
    await ranker.rank(candidates); // same ranking: nothing new to publish
    await bus.idle();
    expect(events.events).toHaveLength(1);
    expect(ranker.lastPublished?.top_symbols).toEqual(["BTCUSDT", "ETHUSDT"]);
  });
});
