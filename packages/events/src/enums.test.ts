import { describe, expect, expectTypeOf, it } from "vitest";
import {
  HealthStatus,
  HealthStatusSchema,
  RiskMode,
  RiskModeSchema,
  StrategyLifecycle,
  StrategyLifecycleSchema,
  TradeSide,
  TradeSideSchema,
} from "./enums.js";

describe("enums", () => {
  it.each([
    ["RiskMode", RiskMode, RiskModeSchema, ["AGGRESSIVE", "NORMAL", "DEFENSIVE"]],
    ["HealthStatus", HealthStatus, HealthStatusSchema, ["HEALTHY", "DEGRADED", "CRITICAL"]],
    [
      "StrategyLifecycle",
      StrategyLifecycle,
      StrategyLifecycleSchema,
      ["BACKTEST", "SHADOW", "LIVE", "RETIRED"],
    ],
    ["TradeSide", TradeSide, TradeSideSchema, ["BUY", "SELL"]],
  ] as const)(
    "%s maps each name to itself and its schema accepts exactly those values",
    (_name, values, schema, names) => {
      expect(Object.entries(values)).toEqual(names.map((n) => [n, n]));
      expect(schema.options).toEqual(names);
      for (const n of names) expect(schema.safeParse(n).success).toBe(true);
      expect(schema.safeParse(names[0].toLowerCase()).success).toBe(false);
      expect(Object.isFrozen(values)).toBe(true);
    },
  );

  it("RiskMode.DEFENSIVE is the string DEFENSIVE, and the type is the union of values", () => {
    expect(RiskMode.DEFENSIVE).toBe("DEFENSIVE");
    expectTypeOf(RiskMode.DEFENSIVE).toEqualTypeOf<"DEFENSIVE">();
    expectTypeOf<RiskMode>().toEqualTypeOf<"AGGRESSIVE" | "NORMAL" | "DEFENSIVE">();
    expectTypeOf<HealthStatus>().toEqualTypeOf<"HEALTHY" | "DEGRADED" | "CRITICAL">();
    expectTypeOf<StrategyLifecycle>().toEqualTypeOf<"BACKTEST" | "SHADOW" | "LIVE" | "RETIRED">();
    expectTypeOf<TradeSide>().toEqualTypeOf<"BUY" | "SELL">();
  });
});
