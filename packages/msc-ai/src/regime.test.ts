import { describe, expect, it } from "vitest";
import { InvalidConfigError, UnknownRegimeError } from "./errors.js";
import { defaultRegimeMap, MarketRegime, parseRegimeMap, riskModeForRegime } from "./regime.js";

describe("defaultRegimeMap", () => {
  it("maps trending, ranging, volatile to AGGRESSIVE, NORMAL, DEFENSIVE", () => {
    expect(defaultRegimeMap).toEqual({ trending: "AGGRESSIVE", ranging: "NORMAL", volatile: "DEFENSIVE" });
    expect(Object.isFrozen(defaultRegimeMap)).toBe(true);
  });
});

describe("parseRegimeMap()", () => {
  it("remaps and adds regimes over the defaults", () => {
    expect(parseRegimeMap({ trending: "NORMAL", crash: "DEFENSIVE" })).toEqual({
      trending: "NORMAL",
      ranging: "NORMAL",
      volatile: "DEFENSIVE",
      crash: "DEFENSIVE",
    });
    expect(parseRegimeMap()).toEqual(defaultRegimeMap);
  });

  it("throws INVALID_REGIME_MAP naming each bad entry", () => {
    try {
      parseRegimeMap({ trending: "YOLO", "": "NORMAL" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect(error).toMatchObject({ code: "INVALID_REGIME_MAP" });
      expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
        "regimes.trending",
        "regimes",
      ]);
    }
  });
});

describe("riskModeForRegime()", () => {
  it("gives the mapped mode", () => {
    expect(riskModeForRegime(defaultRegimeMap, MarketRegime.TRENDING)).toBe("AGGRESSIVE");
    expect(riskModeForRegime(defaultRegimeMap, "volatile")).toBe("DEFENSIVE");
  });

  it("throws UNKNOWN_REGIME for a regime the map does not know, inherited keys included", () => {
    for (const regime of ["sideways", "Trending", "toString", "__proto__"]) {
      expect(() => riskModeForRegime(defaultRegimeMap, regime)).toThrow(UnknownRegimeError);
    }
    try {
      riskModeForRegime(defaultRegimeMap, "sideways");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        code: "UNKNOWN_REGIME",
        regime: "sideways",
        knownRegimes: ["trending", "ranging", "volatile"],
      });
    }
  });
});
