import type { EventEnvelope } from "@qt/eventbus";
import { validationIssues } from "@qt/eventbus/testing";
import { describe, expect, expectTypeOf, it } from "vitest";
import { HealthStatus } from "./enums.js";
import { HealthStatusChangedEvent, type HealthStatusChangedPayload } from "./health-status-changed.js";

type Input = Parameters<typeof HealthStatusChangedEvent.create>[0];

const valid: Input = {
  old_status: HealthStatus.HEALTHY,
  new_status: HealthStatus.CRITICAL,
  component: "DrawdownGuard",
  reason: "Daily drawdown exceeded",
  metrics: { dd: -5.2 },
};

describe("HealthStatusChangedEvent.create()", () => {
  it("creates a version 1 health.status_changed envelope with exactly the payload (the guide's example)", () => {
    const event = HealthStatusChangedEvent.create(valid, { source: "health-monitor" });
    expect(event).toMatchObject({ type: "health.status_changed", version: 1, source: "health-monitor" });
    expect(event.payload).toEqual(valid);
  });

  it.each([
    [
      "an unknown status",
      { new_status: "DOWN" },
      "payload.new_status",
      'expected "HEALTHY" | "DEGRADED" | "CRITICAL", received string',
    ],
    [
      "a lowercase status",
      { old_status: "healthy" },
      "payload.old_status",
      'expected "HEALTHY" | "DEGRADED" | "CRITICAL", received string',
    ],
    [
      "an empty component",
      { component: "" },
      "payload.component",
      "expected a non-empty string, received empty string",
    ],
    ["a null reason", { reason: null }, "payload.reason", "expected string, received null"],
    ["a NaN metric", { metrics: { dd: Number.NaN } }, "payload.metrics.dd", "expected number, received NaN"],
    [
      "an empty metric name",
      { metrics: { "": 1 } },
      "payload.metrics",
      "invalid key: expected a non-empty string, received empty string",
    ],
    ["an unknown key", { severity: 3 }, "payload.severity", "unknown key"],
  ])("refuses %s", (_name, patch, path, message) => {
    expect(validationIssues(() => HealthStatusChangedEvent.create({ ...valid, ...patch } as Input))).toEqual([
      { path, message },
    ]);
  });

  it("is typed: returns EventEnvelope<'health.status_changed', HealthStatusChangedPayload>", () => {
    const event = HealthStatusChangedEvent.create(valid);
    expectTypeOf(event).toEqualTypeOf<EventEnvelope<"health.status_changed", HealthStatusChangedPayload>>();
    expectTypeOf(event.payload.new_status).toEqualTypeOf<HealthStatus>();
  });
});
