import { OpportunitiesUpdatedEvent, StrategyPromotedEvent } from "@qt/events";
import { describe, expect, it } from "vitest";
import { payloadFields } from "./alert.js";
import { defaultStormKey } from "./storm-key.js";
import { healthChanged, policy, trade } from "./testing/fixtures.js";

describe("payloadFields()", () => {
  it("lists top-level fields with values as text", () => {
    expect(
      payloadFields({
        s: "x",
        n: 1.5,
        b: false,
        none: null,
        list: ["a", "b"],
        empty: [],
        nested: { x: 1, y: { z: 2 } },
        at: new Date(0),
        blank: "",
      }),
    ).toEqual([
      { name: "s", value: "x" },
      { name: "n", value: "1.5" },
      { name: "b", value: "false" },
      { name: "none", value: "none" },
      { name: "list", value: "a, b" },
      { name: "empty", value: "none" },
      { name: "nested", value: "x: 1\ny: z: 2" },
      { name: "at", value: "1970-01-01T00:00:00.000Z" },
      { name: "blank", value: "(empty)" },
    ]);
  });

  it("wraps a payload that is not an object", () => {
    expect(payloadFields(42)).toEqual([{ name: "payload", value: "42" }]);
  });
});

describe("defaultStormKey()", () => {
  it("keys each event type by what it is about and its state", () => {
    expect(defaultStormKey(healthChanged("DEGRADED", "Feed"))).toEqual({
      subject: "Feed",
      status: "DEGRADED",
    });
    expect(defaultStormKey(trade(-5))).toEqual({ subject: "BTCUSDT/trend", status: "loss" });
    expect(defaultStormKey(trade(5))).toEqual({ subject: "BTCUSDT/trend", status: "profit" });
    expect(defaultStormKey(trade(null))).toEqual({ subject: "BTCUSDT/trend", status: "open" });
    expect(defaultStormKey(policy("NORMAL"))).toEqual({ subject: "policy", status: "NORMAL" });
    expect(
      defaultStormKey(
        StrategyPromotedEvent.create({
          strategy_id: "s",
          from_stage: "SHADOW",
          to_stage: "LIVE",
          reason: "r",
          metrics: {},
        }),
      ),
    ).toEqual({ subject: "s", status: "LIVE" });
    expect(
      defaultStormKey(
        OpportunitiesUpdatedEvent.create({ top_symbols: [], scores: {}, criteria: {}, excluded_count: 0 }),
      ),
    ).toEqual({ subject: "opportunities", status: "updated" });
  });
});
