import { EventValidationError, InvalidEventError, serializeEvent, type ValidationIssue } from "@qt/eventbus";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineEvent } from "./define-event.js";
import { HealthStatusChangedEvent } from "./health-status-changed.js";
import { ModelPromotedEvent } from "./model-promoted.js";
import { OpportunitiesUpdatedEvent } from "./opportunities-updated.js";
import { parseEvent } from "./parse-event.js";
import { PolicyUpdatedEvent } from "./policy-updated.js";
import type { QtEvent } from "./qt-events.js";
import { createEventRegistry } from "./registry.js";
import { StrategyPromotedEvent } from "./strategy-promoted.js";
import { TradeExecutedEvent } from "./trade-executed.js";

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

function envelopeIssuesOf(fn: () => unknown): readonly ValidationIssue[] {
  const error = errorOf(fn);
  expect(error).toBeInstanceOf(InvalidEventError);
  return (error as InvalidEventError).issues;
}

const options = { source: "test", causationId: "e-0", correlationId: "c-0" };
const policy = PolicyUpdatedEvent.create(
  {
    risk_mode: "DEFENSIVE",
    allowed_strategies: ["trend"],
    global_min_confidence: 0.7,
    max_risk_per_trade: 0.01,
    max_positions: 3,
  },
  options,
);
const trade = TradeExecutedEvent.create({
  order_id: "o",
  symbol: "BTCUSDT",
  side: "SELL",
  size: 0.5,
  price: 100,
  strategy_id: "s",
  pnl: -3.25,
});
const events = [
  policy,
  StrategyPromotedEvent.create({
    strategy_id: "s",
    from_stage: "SHADOW",
    to_stage: "LIVE",
    reason: "r",
    metrics: { sharpe: 1.2 },
  }),
  ModelPromotedEvent.create({ model_name: "m", new_version: "2", metrics: { auc: 0.7 } }),
  HealthStatusChangedEvent.create({
    old_status: "HEALTHY",
    new_status: "CRITICAL",
    component: "c",
    reason: "r",
    metrics: { dd: -5.2 },
  }),
  OpportunitiesUpdatedEvent.create({
    top_symbols: ["BTCUSDT"],
    scores: { BTCUSDT: 0.9 },
    criteria: { w: [1, { x: null }] },
    excluded_count: 3,
  }),
  trade,
];
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

describe("parseEvent()", () => {
  it.each(events.map((e) => [e.type, e] as const))(
    "round-trips a %s event through JSON, dates as Date",
    (_type, event) => {
      const parsed = parseEvent(wire(event));
      expect(parsed).toEqual(event);
      expect(parsed.timestamp).toBeInstanceOf(Date);
    },
  );

  it("reads the bus's own serializeEvent output and a Date timestamp", () => {
    const event = policy;
    expect(parseEvent(JSON.parse(serializeEvent(event)))).toEqual(event);
    expect(parseEvent({ ...event })).toEqual(event);
  });

  it("accepts ISO timestamps with an offset, reads a missing causationId as null, and drops unknown envelope fields", () => {
    const { causationId: _, ...rest } = wire(trade);
    const parsed = parseEvent({ ...rest, timestamp: "2025-01-02T05:04:05+02:00", traceparent: "00-abc" });
    expect(parsed.timestamp).toEqual(new Date("2025-01-02T03:04:05.000Z"));
    expect(parsed.causationId).toBeNull();
    expect(parsed).not.toHaveProperty("traceparent");
  });

  it.each([
    [null, "expected an object, received null"],
    [42, "expected an object, received 42"],
    ["x", "expected an object, received string"],
    [[], "expected an object, received array"],
    [undefined, "expected an object, received undefined"],
  ])("refuses %o with InvalidEventError", (input, message) => {
    expect(envelopeIssuesOf(() => parseEvent(input))).toEqual([{ path: "", message }]);
  });

  it("names every missing envelope field of {}", () => {
    expect(envelopeIssuesOf(() => parseEvent({})).map((i) => i.path)).toEqual([
      "id",
      "type",
      "source",
      "correlationId",
      "timestamp",
      "version",
      "payload",
    ]);
  });

  it.each([
    ["an empty id", { id: "" }, "id"],
    ["a numeric type", { type: 7 }, "type"],
    ["a locale date string", { timestamp: "Nov 29 2025" }, "timestamp"],
    ["an impossible date", { timestamp: "2025-13-45T00:00:00Z" }, "timestamp"],
    ["an epoch number timestamp", { timestamp: 1_700_000_000_000 }, "timestamp"],
    ["a version 0", { version: 0 }, "version"],
    ["an empty causationId", { causationId: "" }, "causationId"],
  ])("refuses %s, naming the field", (_name, patch, path) => {
    const issues = envelopeIssuesOf(() => parseEvent({ ...wire(trade), ...patch }));
    expect(issues.map((i) => i.path)).toEqual([path]);
  });

  it("explains a bad timestamp without quoting it", () => {
    const [issue] = envelopeIssuesOf(() => parseEvent({ ...wire(trade), timestamp: "yesterday-secret" }));
    expect(issue).toEqual({
      path: "timestamp",
      message:
        "expected a Date or an ISO 8601 date-time string, received a string that is not an ISO 8601 date-time",
    });
  });

  it("refuses a missing payload", () => {
    const { payload: _, ...rest } = wire(trade);
    expect(envelopeIssuesOf(() => parseEvent(rest))).toEqual([{ path: "payload", message: "missing" }]);
  });

  it("throws EventValidationError for an unknown type, an unknown version or a bad payload", () => {
    const onWire = wire(trade);
    const unknownType = errorOf(() => parseEvent({ ...onWire, type: "trade.cancelled" }));
    expect(unknownType).toBeInstanceOf(EventValidationError);
    expect((unknownType as EventValidationError).issues[0]?.path).toBe("type");
    const unknownVersion = errorOf(() => parseEvent({ ...onWire, version: 9 }));
    expect((unknownVersion as EventValidationError).issues[0]?.path).toBe("version");
    const badPayload = errorOf(() =>
      parseEvent({ ...onWire, payload: { ...(onWire.payload as object), price: "100" } }),
    );
    expect(badPayload).toBeInstanceOf(EventValidationError);
    expect((badPayload as EventValidationError).issues).toEqual([
      { path: "payload.price", message: "expected number, received string" },
    ]);
  });

  it("never throws anything but its two errors, even when reading the input throws", () => {
    const hostile = Object.defineProperty({}, "id", {
      get() {
        throw new Error("boom");
      },
    });
    const error = errorOf(() => parseEvent(hostile));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).cause).toEqual(new Error("boom"));
    for (const input of [Symbol("s"), () => 1, 10n, new Date(), new Map(), Object.create(null)]) {
      const e = errorOf(() => parseEvent(input));
      expect(e instanceof InvalidEventError || e instanceof EventValidationError).toBe(true);
    }
  });

  it("returns a QtEvent by default, and the registry's events when given one", () => {
    expectTypeOf(parseEvent(wire(policy))).toEqualTypeOf<QtEvent>();
    const Ping = defineEvent({ type: "sys.ping", version: 1, schema: z.strictObject({ at: z.number() }) });
    const registry = createEventRegistry([Ping]);
    const ping = parseEvent(wire(Ping.create({ at: 1 })), registry);
    expectTypeOf(ping.payload).toEqualTypeOf<{ at: number }>();
    expect(ping.payload).toEqual({ at: 1 });
    expect(errorOf(() => parseEvent(wire(policy), registry))).toBeInstanceOf(EventValidationError);
  });
});
