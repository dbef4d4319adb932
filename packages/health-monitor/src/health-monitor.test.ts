import { createTestBus, recordEvents } from "@qt/eventbus/testing";
import { type QtEventMap, qtEventRegistry } from "@qt/events";
import { describe, expect, it } from "vitest";
import { HealthMonitorError } from "./errors.js";
import { type HealthMetrics, HealthMonitor } from "./health-monitor.js";

const at = new Date("2025-01-02T03:04:05.000Z");

describe("new HealthMonitor()", () => {
  it("refuses invalid thresholds at construction", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    expect(
      () => new HealthMonitor({ eventBus: bus, thresholds: { errorRate: { degraded: 0.3, critical: 0.1 } } }),
    ).toThrow(
      expect.objectContaining({ code: "INVALID_THRESHOLDS", field: "thresholds.errorRate.critical" }),
    );
  });

  it("uses the defaults: drawdown 3/5, error rate 0.05/0.2, p99 latency 500/2000", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    expect(new HealthMonitor({ eventBus: bus }).thresholds).toEqual({
      drawdownPct: { degraded: 3, critical: 5 },
      errorRate: { degraded: 0.05, critical: 0.2 },
      latencyMs: { degraded: 500, critical: 2000 },
    });
  });
});

describe("HealthMonitor.report()", () => {
  it("publishes HEALTHY -> CRITICAL with the metric and threshold in the reason", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const changes = recordEvents(bus, "health.status_changed");
    const monitor = new HealthMonitor({ eventBus: bus, clock: () => at });

    const result = await monitor.report("DrawdownGuard", { drawdownPct: 5.2 });
    await bus.idle();

    expect(result).toMatchObject({ previousStatus: "HEALTHY", status: "CRITICAL", changed: true });
    expect(changes.events[0]).toMatchObject({ source: "health-monitor", timestamp: at });
    expect(changes.payloads()).toEqual([
      {
        old_status: "HEALTHY",
        new_status: "CRITICAL",
        component: "DrawdownGuard",
        reason: "drawdown_pct 5.2 >= critical 5",
        metrics: { drawdown_pct: 5.2 },
      },
    ]);
    expect(monitor.status("DrawdownGuard")).toBe("CRITICAL");
  });

  it("publishes only on change, per component; a first HEALTHY report publishes nothing", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const changes = recordEvents(bus, "health.status_changed");
    const monitor = new HealthMonitor({ eventBus: bus });

    await monitor.report("executor", { errorRate: 0.01 }); // HEALTHY, as it started
    await monitor.report("executor", { errorRate: 0.1 }); // -> DEGRADED
    await monitor.report("executor", { errorRate: 0.12 }); // still DEGRADED
    await monitor.report("feed", { latencyMs: 2500 }); // other component -> CRITICAL
    await monitor.report("executor", { errorRate: 0.3 }); // -> CRITICAL
    await monitor.report("executor", { errorRate: 0 }); // -> HEALTHY
    await bus.idle();

    expect(changes.payloads().map((p) => [p.component, p.old_status, p.new_status])).toEqual([
      ["executor", "HEALTHY", "DEGRADED"],
      ["feed", "HEALTHY", "CRITICAL"],
      ["executor", "DEGRADED", "CRITICAL"],
      ["executor", "CRITICAL", "HEALTHY"],
    ]);
    expect(changes.payloads()[3]?.reason).toBe("all metrics within thresholds: error_rate 0 < degraded 0.05");
    expect(monitor.unhealthy()).toEqual([["feed", "CRITICAL"]]);
  });

  it("takes the worst status over the metrics given, naming every metric at that level", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const changes = recordEvents(bus, "health.status_changed");
    const monitor = new HealthMonitor({ eventBus: bus });

    const result = await monitor.report("trader", { drawdownPct: 3.5, errorRate: 0.5, latencyMs: 3000 });
    await bus.idle();

    expect(result.status).toBe("CRITICAL");
    expect(changes.payloads()[0]).toMatchObject({
      reason: "error_rate 0.5 >= critical 0.2; latency_ms 3000 >= critical 2000",
      metrics: { drawdown_pct: 3.5, error_rate: 0.5, latency_ms: 3000 },
    });
  });

  it("treats a value equal to a threshold as reaching it", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const monitor = new HealthMonitor({ eventBus: bus });
    expect((await monitor.report("a", { latencyMs: 500 })).status).toBe("DEGRADED");
    expect((await monitor.report("b", { drawdownPct: 5 })).status).toBe("CRITICAL");
  });

  it("applies un-awaited reports in call order", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const changes = recordEvents(bus, "health.status_changed");
    const monitor = new HealthMonitor({ eventBus: bus });
    const reports = [monitor.report("x", { errorRate: 0.5 }), monitor.report("x", { errorRate: 0.5 })];
    reports.push(monitor.report("x", { errorRate: 0 }));
    await Promise.all(reports);
    await bus.idle();
    expect(changes.payloads().map((p) => p.new_status)).toEqual(["CRITICAL", "HEALTHY"]);
  });

  it.each([
    ["no metric", {}, "INVALID_METRICS", "metrics"],
    ["a negative drawdown", { drawdownPct: -5.2 }, "INVALID_METRICS", "metrics.drawdownPct"],
    ["an error rate above 1", { errorRate: 1.2 }, "INVALID_METRICS", "metrics.errorRate"],
    ["a NaN latency", { latencyMs: Number.NaN }, "INVALID_METRICS", "metrics.latencyMs"],
    ["an unknown metric", { cpu: 0.9 } as HealthMetrics, "INVALID_METRICS", "metrics.cpu"],
  ])("refuses %s: typed error, no event, status unchanged", async (_, metrics, code, field) => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const changes = recordEvents(bus, "health.status_changed");
    const monitor = new HealthMonitor({ eventBus: bus });
    await monitor.report("executor", { errorRate: 0.1 });

    const error = await monitor.report("executor", metrics).catch((e: unknown) => e);
    await bus.idle();

    expect(HealthMonitorError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code, field });
    expect(changes.events).toHaveLength(1);
    expect(monitor.status("executor")).toBe("DEGRADED");
  });

  it("refuses an empty component name", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const monitor = new HealthMonitor({ eventBus: bus });
    await expect(monitor.report("", { errorRate: 1 })).rejects.toMatchObject({
      code: "INVALID_COMPONENT",
      field: "component",
    });
  });

  it("keeps the old status when the bus refuses the event", async () => {
    const bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const monitor = new HealthMonitor({ eventBus: bus });
    await bus.stop();
    await expect(monitor.report("executor", { errorRate: 1 })).rejects.toMatchObject({ code: "BUS_STOPPED" });
    expect(monitor.status("executor")).toBe("HEALTHY");
  });
});

describe("HealthMonitor.status()", () => {
  it("is HEALTHY for a component never reported", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    expect(new HealthMonitor({ eventBus: bus }).status("unknown")).toBe("HEALTHY");
  });
});
