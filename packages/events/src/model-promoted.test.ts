import type { EventEnvelope } from "@qt/eventbus";
import { validationIssues } from "@qt/eventbus/testing";
import { describe, expect, expectTypeOf, it } from "vitest";
import { ModelPromotedEvent, type ModelPromotedPayload } from "./model-promoted.js";

type Input = Parameters<typeof ModelPromotedEvent.create>[0];

const valid: Input = {
  model_name: "xgb-btc",
  old_version: "1.4.0",
  new_version: "1.5.0",
  metrics: { auc: 0.71 },
  shadow_performance: { pnl: 1250.5, trades: 88 },
};

describe("ModelPromotedEvent.create()", () => {
  it("creates a version 1 model.promoted envelope with exactly the payload", () => {
    const event = ModelPromotedEvent.create(valid);
    expect(event).toMatchObject({ type: "model.promoted", version: 1 });
    expect(event.payload).toEqual(valid);
  });

  it("defaults old_version and shadow_performance to null (a first model, no shadow run)", () => {
    const event = ModelPromotedEvent.create({ model_name: "lstm-eth", new_version: "1.0.0", metrics: {} });
    expect(event.payload).toEqual({
      model_name: "lstm-eth",
      old_version: null,
      new_version: "1.0.0",
      metrics: {},
      shadow_performance: null,
    });
  });

  it.each([
    [
      "an empty model_name",
      { model_name: "" },
      "payload.model_name",
      "expected a non-empty string, received empty string",
    ],
    [
      "an empty old_version",
      { old_version: "" },
      "payload.old_version",
      "expected a non-empty string, received empty string",
    ],
    ["a numeric new_version", { new_version: 2 }, "payload.new_version", "expected string, received 2"],
    [
      "an infinite metric",
      { metrics: { auc: Number.POSITIVE_INFINITY } },
      "payload.metrics.auc",
      "expected number, received Infinity",
    ],
    [
      "a NaN shadow result",
      { shadow_performance: { pnl: Number.NaN } },
      "payload.shadow_performance.pnl",
      "expected number, received NaN",
    ],
    ["an array as metrics", { metrics: [1, 2] }, "payload.metrics", "expected object, received array"],
    ["an unknown key", { accuracy: 0.9 }, "payload.accuracy", "unknown key"],
  ])("refuses %s", (_name, patch, path, message) => {
    expect(validationIssues(() => ModelPromotedEvent.create({ ...valid, ...patch } as Input))).toEqual([
      { path, message },
    ]);
  });

  it("is typed: returns EventEnvelope<'model.promoted', ModelPromotedPayload>, nullable where the original was optional", () => {
    const event = ModelPromotedEvent.create(valid);
    expectTypeOf(event).toEqualTypeOf<EventEnvelope<"model.promoted", ModelPromotedPayload>>();
    expectTypeOf(event.payload.old_version).toEqualTypeOf<string | null>();
    expectTypeOf(event.payload.shadow_performance).toEqualTypeOf<Record<string, number> | null>();
  });
});
