import { createTestBus, recordEvents } from "@qt/eventbus/testing";
import { type QtEventMap, qtEventRegistry } from "@qt/events";
import { describe, expect, it } from "vitest";
import { ModelRegistryError } from "./errors.js";
import { type ModelMetrics, ModelRegistry } from "./model-registry.js";

const at = new Date("2025-01-02T03:04:05.000Z");

describe("ModelRegistry.register()", () => {
  it("keeps versions in registration order, none active until promoted", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const events = recordEvents(bus);
    const registry = new ModelRegistry({ eventBus: bus, clock: () => at });
    registry.register("xgb", "1.0", { auc: 0.7 });
    registry.register("xgb", "1.1", { auc: 0.72 });
    await bus.idle();

    expect(registry.versions("xgb")).toEqual([
      { version: "1.0", metrics: { auc: 0.7 }, shadowPerformance: null, registeredAt: at },
      { version: "1.1", metrics: { auc: 0.72 }, shadowPerformance: null, registeredAt: at },
    ]);
    expect(registry.active("xgb")).toBeNull();
    expect(events.events).toEqual([]);
  });

  it.each([
    ["an empty model name", () => ["", "1.0", {}], "INVALID_ARGUMENT", "modelName"],
    ["an empty version", () => ["xgb", "", {}], "INVALID_ARGUMENT", "version"],
    ["a NaN metric", () => ["xgb", "2.0", { auc: Number.NaN }], "INVALID_METRICS", "metrics.auc"],
    ["metrics that are not a record", () => ["xgb", "2.0", null], "INVALID_METRICS", "metrics"],
    ["a version already registered", () => ["xgb", "1.0", { auc: 0.9 }], "VERSION_EXISTS", "version"],
  ])("refuses %s, keeping what was registered", async (_, args, code, field) => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const registry = new ModelRegistry({ eventBus: bus });
    registry.register("xgb", "1.0", { auc: 0.7 });
    const [name, version, metrics] = args() as [string, string, ModelMetrics];
    expect(() => registry.register(name, version, metrics)).toThrow(expect.objectContaining({ code, field }));
    expect(registry.versions("xgb")).toEqual([
      expect.objectContaining({ version: "1.0", metrics: { auc: 0.7 } }),
    ]);
  });
});

describe("ModelRegistry.recordShadow()", () => {
  it("records (and replaces) a version's shadow performance; unknown ids are typed errors", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const registry = new ModelRegistry({ eventBus: bus });
    registry.register("xgb", "1.0", { auc: 0.7 });
    registry.recordShadow("xgb", "1.0", { pnl: 10 });
    registry.recordShadow("xgb", "1.0", { pnl: 12 });
    expect(registry.versions("xgb")[0]?.shadowPerformance).toEqual({ pnl: 12 });

    expect(() => registry.recordShadow("lgbm", "1.0", { pnl: 1 })).toThrow(
      expect.objectContaining({ code: "UNKNOWN_MODEL", modelName: "lgbm" }),
    );
    expect(() => registry.recordShadow("xgb", "9.9", { pnl: 1 })).toThrow(
      expect.objectContaining({ code: "UNKNOWN_VERSION", version: "9.9" }),
    );
    expect(() => registry.recordShadow("xgb", "1.0", { pnl: Number.POSITIVE_INFINITY })).toThrow(
      expect.objectContaining({ code: "INVALID_METRICS", field: "shadowPerformance.pnl" }),
    );
    expect(registry.versions("xgb")[0]?.shadowPerformance).toEqual({ pnl: 12 });
  });
});

describe("ModelRegistry.promote()", () => {
  it("publishes model.promoted with the old version, metrics and shadow performance", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const promoted = recordEvents(bus, "model.promoted");
    const registry = new ModelRegistry({ eventBus: bus, clock: () => at });
    registry.register("xgb", "1.0", { auc: 0.7 });
    registry.register("xgb", "1.1", { auc: 0.72 });
    registry.recordShadow("xgb", "1.1", { pnl: 1250.5 });

    const first = await registry.promote("xgb", "1.0");
    const second = await registry.promote("xgb", "1.1");
    await bus.idle();

    expect(first).toEqual({ modelName: "xgb", oldVersion: null, newVersion: "1.0", changed: true });
    expect(second).toEqual({ modelName: "xgb", oldVersion: "1.0", newVersion: "1.1", changed: true });
    expect(promoted.events[0]).toMatchObject({ source: "model-registry", timestamp: at });
    expect(promoted.payloads()).toEqual([
      {
        model_name: "xgb",
        old_version: null,
        new_version: "1.0",
        metrics: { auc: 0.7 },
        shadow_performance: null,
      },
      {
        model_name: "xgb",
        old_version: "1.0",
        new_version: "1.1",
        metrics: { auc: 0.72 },
        shadow_performance: { pnl: 1250.5 },
      },
    ]);
    expect(registry.active("xgb")).toBe("1.1");
  });

  it("publishes nothing when promoting the active version again; a rollback is a promotion", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const promoted = recordEvents(bus, "model.promoted");
    const registry = new ModelRegistry({ eventBus: bus });
    registry.register("xgb", "1.0", { auc: 0.7 });
    registry.register("xgb", "1.1", { auc: 0.72 });
    await registry.promote("xgb", "1.1");
    const again = await registry.promote("xgb", "1.1");
    await registry.promote("xgb", "1.0");
    await bus.idle();

    expect(again.changed).toBe(false);
    expect(promoted.payloads().map((p) => [p.old_version, p.new_version])).toEqual([
      [null, "1.1"],
      ["1.1", "1.0"],
    ]);
  });

  it("refuses unknown models and versions: typed error, no event, active unchanged", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const promoted = recordEvents(bus, "model.promoted");
    const registry = new ModelRegistry({ eventBus: bus });
    registry.register("xgb", "1.0", { auc: 0.7 });
    await registry.promote("xgb", "1.0");

    const unknownModel = await registry.promote("lgbm", "1.0").catch((e: unknown) => e);
    const unknownVersion = await registry.promote("xgb", "2.0").catch((e: unknown) => e);
    await bus.idle();

    expect(ModelRegistryError.isInstance(unknownModel)).toBe(true);
    expect(unknownModel).toMatchObject({ code: "UNKNOWN_MODEL", modelName: "lgbm" });
    expect(unknownVersion).toMatchObject({ code: "UNKNOWN_VERSION", modelName: "xgb", version: "2.0" });
    expect(promoted.events).toHaveLength(1);
    expect(registry.active("xgb")).toBe("1.0");
    expect(() => registry.active("lgbm")).toThrow(expect.objectContaining({ code: "UNKNOWN_MODEL" }));
  });

  it("keeps the active version when the bus refuses the event", async () => {
    const bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const registry = new ModelRegistry({ eventBus: bus });
    registry.register("xgb", "1.0", { auc: 0.7 });
    await bus.stop();
    await expect(registry.promote("xgb", "1.0")).rejects.toMatchObject({ code: "BUS_STOPPED" });
    expect(registry.active("xgb")).toBeNull();
  });
});

describe("ModelRegistry.promote() with minShadowImprovement", () => {
  async function setup(bus: ReturnType<typeof createTestBus<QtEventMap>>) {
    const promoted = recordEvents(bus, "model.promoted");
    const registry = new ModelRegistry({ eventBus: bus, minShadowImprovement: { metric: "pnl", by: 100 } });
    registry.register("xgb", "1.0", { auc: 0.7 });
    registry.recordShadow("xgb", "1.0", { pnl: 1000 });
    await registry.promote("xgb", "1.0"); // first promotion: only needs a shadow pnl
    return { promoted, registry };
  }

  it("promotes a version whose shadow metric beats the active one's by at least `by`", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { promoted, registry } = await setup(bus);
    registry.register("xgb", "1.1", { auc: 0.71 });
    registry.recordShadow("xgb", "1.1", { pnl: 1100 });
    await expect(registry.promote("xgb", "1.1")).resolves.toMatchObject({ changed: true });
    await bus.idle();
    expect(promoted.events).toHaveLength(2);
  });

  it("refuses a version that improves too little, or has no shadow record, with PROMOTION_REJECTED", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const { promoted, registry } = await setup(bus);
    registry.register("xgb", "1.1", { auc: 0.71 });
    await expect(registry.promote("xgb", "1.1")).rejects.toMatchObject({
      code: "PROMOTION_REJECTED",
      field: "shadowPerformance.pnl",
    });
    registry.recordShadow("xgb", "1.1", { pnl: 1099 });
    await expect(registry.promote("xgb", "1.1")).rejects.toMatchObject({
      code: "PROMOTION_REJECTED",
      version: "1.1",
      received: "1099",
    });
    await bus.idle();
    expect(promoted.events).toHaveLength(1);
    expect(registry.active("xgb")).toBe("1.0");
  });

  it("falls back to the active version's registration metric, and refuses when it has neither", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const registry = new ModelRegistry({ eventBus: bus, minShadowImprovement: { metric: "pnl", by: 0 } });
    registry.register("xgb", "1.0", { auc: 0.7, pnl: 50 });
    registry.recordShadow("xgb", "1.0", { pnl: 5 });
    await registry.promote("xgb", "1.0");
    registry.recordShadow("xgb", "1.0", { hit_rate: 0.5 }); // replaces the record: no shadow pnl now
    registry.register("xgb", "1.1", { auc: 0.8 });
    registry.recordShadow("xgb", "1.1", { pnl: 49 });
    await expect(registry.promote("xgb", "1.1")).rejects.toMatchObject({ code: "PROMOTION_REJECTED" }); // < 50
    registry.recordShadow("xgb", "1.1", { pnl: 50 });
    await registry.promote("xgb", "1.1");

    registry.recordShadow("xgb", "1.1", { hit_rate: 0.6 }); // 1.1 has no pnl anywhere now
    registry.register("xgb", "1.2", { auc: 0.9 });
    registry.recordShadow("xgb", "1.2", { pnl: 1e6 });
    await expect(registry.promote("xgb", "1.2")).rejects.toMatchObject({
      code: "PROMOTION_REJECTED",
      expected: 'a baseline: active version 1.1 has no "pnl" to compare with',
    });
    expect(registry.active("xgb")).toBe("1.1");
  });

  it("refuses a bad guard at construction", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    expect(() => new ModelRegistry({ eventBus: bus, minShadowImprovement: { metric: "", by: 1 } })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", field: "options.minShadowImprovement.metric" }),
    );
  });
});
