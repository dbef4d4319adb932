import type { EventEnvelope } from "@qt/eventbus";
import { validationIssues } from "@qt/eventbus/testing";
import { describe, expect, expectTypeOf, it } from "vitest";
import { StrategyLifecycle } from "./enums.js";
import { StrategyPromotedEvent, type StrategyPromotedPayload } from "./strategy-promoted.js";

type Input = Parameters<typeof StrategyPromotedEvent.create>[0];

const valid: Input = {
  strategy_id: "trend-v3",
  from_stage: StrategyLifecycle.SHADOW,
  to_stage: StrategyLifecycle.LIVE,
  reason: "30 days above baseline",
  metrics: { sharpe: 1.8, win_rate: 0.56 },
};

describe("StrategyPromotedEvent.create()", () => {
  it("creates a version 1 strategy.promoted envelope with exactly the payload", () => {
    const event = StrategyPromotedEvent.create(valid, { source: "sg-ai" });
    expect(event).toMatchObject({ type: "strategy.promoted", version: 1, source: "sg-ai" });
    expect(event.payload).toEqual(valid);
  });

  it("accepts empty metrics and a demotion", () => {
    const demotion = {
      ...valid,
      from_stage: StrategyLifecycle.LIVE,
      to_stage: StrategyLifecycle.RETIRED,
      metrics: {},
    };
    expect(StrategyPromotedEvent.create(demotion).payload.to_stage).toBe("RETIRED");
  });

  it.each([
    [
      "an empty strategy_id",
      { strategy_id: "" },
      "payload.strategy_id",
      "expected a non-empty string, received empty string",
    ],
    [
      "an unknown stage",
      { to_stage: "PAPER" },
      "payload.to_stage",
      'expected "BACKTEST" | "SHADOW" | "LIVE" | "RETIRED", received string',
    ],
    [
      "an empty reason",
      { reason: "" },
      "payload.reason",
      "expected a non-empty string, received empty string",
    ],
    [
      "a NaN metric",
      { metrics: { sharpe: Number.NaN } },
      "payload.metrics.sharpe",
      "expected number, received NaN",
    ],
    [
      "an infinite metric",
      { metrics: { sharpe: Number.NEGATIVE_INFINITY } },
      "payload.metrics.sharpe",
      "expected number, received -Infinity",
    ],
    [
      "a string metric",
      { metrics: { sharpe: "1.8" } },
      "payload.metrics.sharpe",
      "expected number, received string",
    ],
    ["an unknown key", { stage: "LIVE" }, "payload.stage", "unknown key"],
  ])("refuses %s", (_name, patch, path, message) => {
    expect(validationIssues(() => StrategyPromotedEvent.create({ ...valid, ...patch } as Input))).toEqual([
      { path, message },
    ]);
  });

  it("is typed: returns EventEnvelope<'strategy.promoted', StrategyPromotedPayload>", () => {
    const event = StrategyPromotedEvent.create(valid);
    expectTypeOf(event).toEqualTypeOf<EventEnvelope<"strategy.promoted", StrategyPromotedPayload>>();
    expectTypeOf(event.payload.to_stage).toEqualTypeOf<StrategyLifecycle>();
    expectTypeOf(event.payload.metrics).toEqualTypeOf<Record<string, number>>();
  });
});
