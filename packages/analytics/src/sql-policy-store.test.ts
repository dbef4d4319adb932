import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingLogger, createTestBus } from "@qt/eventbus/testing";
import type { QtEventMap, RiskMode } from "@qt/events";
import { MetaStrategyController, type PolicyStore } from "@qt/msc-ai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AnalyticsStore } from "./analytics-store.js";
import { InvalidPolicyError } from "./errors.js";
import { SqlPolicyStore } from "./sql-policy-store.js";
import { createSqliteStore } from "./sqlite-store.js";

describe("SqlPolicyStore", () => {
  let dir: string;
  let store: AnalyticsStore;
  const open = () => createSqliteStore({ path: join(dir, "qt.db"), logger: createRecordingLogger() });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "qt-analytics-"));
    store = await open();
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is a PolicyStore of @qt/msc-ai (structurally)", () => {
    const policyStore: PolicyStore = new SqlPolicyStore({ store });
    expect(policyStore).toBeInstanceOf(SqlPolicyStore);
  });

  it("reports its defaults until written: NORMAL and no strategies unless given", async () => {
    expect(await new SqlPolicyStore({ store }).getPolicy()).toEqual({
      riskMode: "NORMAL",
      allowedStrategies: [],
    });
    const given = new SqlPolicyStore({ store, riskMode: "DEFENSIVE", allowedStrategies: ["trend"] });
    expect(await given.getRiskMode()).toBe("DEFENSIVE");
    expect(await given.getAllowedStrategies()).toEqual(["trend"]);
    expect(Object.isFrozen(await given.getAllowedStrategies())).toBe(true);
  });

  it("setRiskMode() and setAllowedStrategies() each change only their own field", async () => {
    const policyStore = new SqlPolicyStore({ store, allowedStrategies: ["trend"] });
    await policyStore.setRiskMode("AGGRESSIVE");
    expect(await policyStore.getPolicy()).toEqual({ riskMode: "AGGRESSIVE", allowedStrategies: ["trend"] });
    await policyStore.setAllowedStrategies(["mean_revert"]);
    expect(await policyStore.getPolicy()).toEqual({
      riskMode: "AGGRESSIVE",
      allowedStrategies: ["mean_revert"],
    });
  });

  it("refuses an invalid mode or strategy list and writes nothing", async () => {
    const policyStore = new SqlPolicyStore({ store });
    await expect(policyStore.setRiskMode("YOLO" as RiskMode)).rejects.toBeInstanceOf(InvalidPolicyError);
    await expect(policyStore.setAllowedStrategies(["ok", ""])).rejects.toMatchObject({
      code: "INVALID_POLICY",
      issues: [expect.objectContaining({ path: "allowed_strategies.1" })],
    });
    expect(await store.readPolicy()).toBeUndefined();
    expect(() => new SqlPolicyStore({ store, riskMode: "normal" as RiskMode })).toThrow(InvalidPolicyError);
  });

  it("keeps the controller's risk mode across a restart", async () => {
    const bus = createTestBus<QtEventMap>();
    try {
      const msc = new MetaStrategyController({ eventBus: bus, policyStore: new SqlPolicyStore({ store }) });
      await msc.updateRiskMode("DEFENSIVE");
      await msc.close();
      await store.close();
      store = await open();
      const restarted = new SqlPolicyStore({ store });
      expect(await restarted.getRiskMode()).toBe("DEFENSIVE");
      const again = new MetaStrategyController({ eventBus: bus, policyStore: restarted });
      expect(await again.updateRiskMode("DEFENSIVE")).toBeUndefined(); // already DEFENSIVE: nothing to publish
      await again.close();
    } finally {
      await bus.stop();
    }
  });
});
