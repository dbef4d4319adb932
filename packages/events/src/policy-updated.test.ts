import { type EventEnvelope, EventValidationError } from "@qt/eventbus";
import { validationIssues } from "@qt/eventbus/testing";
import { describe, expect, expectTypeOf, it } from "vitest";
import { RiskMode } from "./enums.js";
import { PolicyUpdatedEvent, type PolicyUpdatedPayload } from "./policy-updated.js";

type PolicyInput = Parameters<typeof PolicyUpdatedEvent.create>[0];

const valid: PolicyInput = {
  risk_mode: RiskMode.DEFENSIVE,
  allowed_strategies: ["trend", "mean-reversion"],
  global_min_confidence: 0.7,
  max_risk_per_trade: 0.01,
  max_positions: 3,
};

describe("PolicyUpdatedEvent.create()", () => {
  it("creates a version 1 policy.updated envelope with the payload and updated_by defaulting to MSC_AI", () => {
    const event = PolicyUpdatedEvent.create(valid);
    expect(event).toMatchObject({ type: "policy.updated", version: 1, source: "unknown", causationId: null });
    expect(event.payload).toEqual({ ...valid, updated_by: "MSC_AI" });
    expect(event.correlationId).toBe(event.id);
    expect(event.timestamp).toBeInstanceOf(Date);
  });

  it("keeps an explicit updated_by and passes envelope options through", () => {
    const timestamp = new Date("2025-01-02T03:04:05.000Z");
    const event = PolicyUpdatedEvent.create(
      { ...valid, updated_by: "operator" },
      { id: "e-1", source: "msc-ai", timestamp, correlationId: "c-1", causationId: "e-0" },
    );
    expect(event).toMatchObject({
      id: "e-1",
      source: "msc-ai",
      timestamp,
      correlationId: "c-1",
      causationId: "e-0",
    });
    expect(event.payload.updated_by).toBe("operator");
  });

  it("always stamps the schema's version, whatever the options say", () => {
    const options = { version: 7 } as { source?: string };
    expect(PolicyUpdatedEvent.create(valid, options).version).toBe(1);
  });

  it("returns a copy of the payload, not the caller's object", () => {
    const input = { ...valid, allowed_strategies: ["trend"] };
    const event = PolicyUpdatedEvent.create(input);
    input.allowed_strategies.push("late");
    expect(event.payload.allowed_strategies).toEqual(["trend"]);
  });

  it("accepts the bounds themselves: 0 and 1 for fractions, 1 position", () => {
    expect(() =>
      PolicyUpdatedEvent.create({
        ...valid,
        global_min_confidence: 0,
        max_risk_per_trade: 1,
        max_positions: 1,
      }),
    ).not.toThrow();
    expect(() => PolicyUpdatedEvent.create({ ...valid, allowed_strategies: [] })).not.toThrow();
  });

  it("refuses a confidence above 1, naming the field and the bound", () => {
    expect(
      validationIssues(() => PolicyUpdatedEvent.create({ ...valid, global_min_confidence: 1.5 })),
    ).toEqual([{ path: "payload.global_min_confidence", message: "expected number <= 1, received 1.5" }]);
  });

  it.each([
    [
      "a negative risk",
      { max_risk_per_trade: -0.01 },
      "payload.max_risk_per_trade",
      "expected number >= 0, received -0.01",
    ],
    [
      "NaN",
      { max_risk_per_trade: Number.NaN },
      "payload.max_risk_per_trade",
      "expected number, received NaN",
    ],
    [
      "Infinity",
      { global_min_confidence: Number.POSITIVE_INFINITY },
      "payload.global_min_confidence",
      "expected number, received Infinity",
    ],
    ["zero positions", { max_positions: 0 }, "payload.max_positions", "expected number > 0, received 0"],
    [
      "fractional positions",
      { max_positions: 2.5 },
      "payload.max_positions",
      "expected integer, received 2.5",
    ],
    [
      "an unknown risk mode",
      { risk_mode: "YOLO" },
      "payload.risk_mode",
      'expected "AGGRESSIVE" | "NORMAL" | "DEFENSIVE", received string',
    ],
    [
      "an empty strategy id",
      { allowed_strategies: ["ok", ""] },
      "payload.allowed_strategies.1",
      "expected a non-empty string, received empty string",
    ],
    [
      "an empty updated_by",
      { updated_by: "" },
      "payload.updated_by",
      "expected a non-empty string, received empty string",
    ],
    ["an unknown key", { leverage: 10 }, "payload.leverage", "unknown key"],
  ])("refuses %s", (_name, patch, path, message) => {
    const issues = validationIssues(() => PolicyUpdatedEvent.create({ ...valid, ...patch } as PolicyInput));
    expect(issues).toEqual([{ path, message }]);
  });

  it("names every missing field", () => {
    const issues = validationIssues(() =>
      PolicyUpdatedEvent.create({ risk_mode: RiskMode.NORMAL } as unknown as PolicyInput),
    );
    expect(issues.map((i) => i.path)).toEqual([
      "payload.allowed_strategies",
      "payload.global_min_confidence",
      "payload.max_risk_per_trade",
      "payload.max_positions",
    ]);
    expect(issues[0]?.message).toBe("expected array, received undefined");
  });

  it("never puts a string value in the error", () => {
    const secret = "sk-live-123456";
    try {
      PolicyUpdatedEvent.create({
        ...valid,
        risk_mode: secret,
        allowed_strategies: [secret, 1],
      } as unknown as PolicyInput);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EventValidationError);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it("is typed: returns EventEnvelope<'policy.updated', PolicyUpdatedPayload>, with optional updated_by", () => {
    const event = PolicyUpdatedEvent.create(valid);
    expectTypeOf(event).toEqualTypeOf<EventEnvelope<"policy.updated", PolicyUpdatedPayload>>();
    expectTypeOf(event).toEqualTypeOf<PolicyUpdatedEvent>();
    expectTypeOf(event.payload.risk_mode).toEqualTypeOf<"AGGRESSIVE" | "NORMAL" | "DEFENSIVE">();
    expectTypeOf(event.payload.allowed_strategies).toEqualTypeOf<string[]>();
    expectTypeOf(event.payload.max_positions).toEqualTypeOf<number>();
    expectTypeOf(event.payload.updated_by).toEqualTypeOf<string>();
    expectTypeOf(PolicyUpdatedEvent.create).parameter(0).toEqualTypeOf<{
      risk_mode: RiskMode;
      allowed_strategies: string[];
      global_min_confidence: number;
      max_risk_per_trade: number;
      max_positions: number;
      updated_by?: string;
    }>();
    // @ts-expect-error: risk_mode must be a RiskMode
    expect(() => PolicyUpdatedEvent.create({ ...valid, risk_mode: "YOLO" })).toThrow(EventValidationError);
  });
});

describe("PolicyUpdatedEvent", () => {
  it("exposes its type, version and payload schema", () => {
    expect(PolicyUpdatedEvent.type).toBe("policy.updated");
    expect(PolicyUpdatedEvent.version).toBe(1);
    expect(PolicyUpdatedEvent.schema.safeParse({ ...valid, updated_by: "MSC_AI" }).success).toBe(true);
    // The schema has no defaults: a payload without updated_by is incomplete on the wire.
    expect(PolicyUpdatedEvent.schema.safeParse(valid).success).toBe(false);
    expect(Object.keys(PolicyUpdatedEvent.schema.shape)).toEqual([
      "risk_mode",
      "allowed_strategies",
      "global_min_confidence",
      "max_risk_per_trade",
      "max_positions",
      "updated_by",
    ]);
  });
});
