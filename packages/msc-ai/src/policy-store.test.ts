import { RiskMode } from "@qt/events";
import { describe, expect, it } from "vitest";
import { InvalidAllowedStrategiesError, InvalidRiskModeError } from "./errors.js";
import { InMemoryPolicyStore } from "./policy-store.js";

describe("InMemoryPolicyStore", () => {
  it("starts NORMAL with no strategies unless given", async () => {
    const store = new InMemoryPolicyStore();
    expect(await store.getPolicy()).toEqual({ riskMode: "NORMAL", allowedStrategies: [] });
    const given = new InMemoryPolicyStore({ riskMode: RiskMode.DEFENSIVE, allowedStrategies: ["trend"] });
    expect(await given.getRiskMode()).toBe("DEFENSIVE");
    expect(await given.getAllowedStrategies()).toEqual(["trend"]);
  });

  it("setRiskMode() / getRiskMode() round-trip", async () => {
    const store = new InMemoryPolicyStore();
    await store.setRiskMode(RiskMode.AGGRESSIVE);
    expect(await store.getRiskMode()).toBe("AGGRESSIVE");
    expect((await store.getPolicy()).riskMode).toBe("AGGRESSIVE");
  });

  it("setAllowedStrategies() keeps a copy the caller cannot change", async () => {
    const store = new InMemoryPolicyStore();
    const strategies = ["trend", "mean_revert"];
    await store.setAllowedStrategies(strategies);
    strategies.push("injected");
    expect(await store.getAllowedStrategies()).toEqual(["trend", "mean_revert"]);
    expect(Object.isFrozen(await store.getAllowedStrategies())).toBe(true);
    expect((await store.getPolicy()).allowedStrategies).toEqual(["trend", "mean_revert"]);
  });

  it("refuses an invalid mode or strategy list and keeps what it had", async () => {
    const store = new InMemoryPolicyStore({ allowedStrategies: ["trend"] });
    await expect(store.setRiskMode("YOLO" as RiskMode)).rejects.toBeInstanceOf(InvalidRiskModeError);
    await expect(store.setAllowedStrategies(["ok", ""])).rejects.toMatchObject({
      code: "INVALID_ALLOWED_STRATEGIES",
      issues: [expect.objectContaining({ path: "allowed_strategies.1" })],
    });
    expect(await store.getPolicy()).toEqual({ riskMode: "NORMAL", allowedStrategies: ["trend"] });
    expect(() => new InMemoryPolicyStore({ riskMode: "normal" as RiskMode })).toThrow(InvalidRiskModeError);
    expect(() => new InMemoryPolicyStore({ allowedStrategies: [""] })).toThrow(InvalidAllowedStrategiesError);
  });
});
