import { describe, expect, it } from "vitest";
import { InvalidConfigError } from "./errors.js";
import { defaultModeTable, parseModeTable } from "./mode-table.js";

describe("defaultModeTable", () => {
  it("has the guide's parameters and is frozen", () => {
    expect(defaultModeTable).toEqual({
      DEFENSIVE: { global_min_confidence: 0.7, max_risk_per_trade: 0.01, max_positions: 3 },
      NORMAL: { global_min_confidence: 0.6, max_risk_per_trade: 0.02, max_positions: 5 },
      AGGRESSIVE: { global_min_confidence: 0.6, max_risk_per_trade: 0.02, max_positions: 5 },
    });
    expect(Object.isFrozen(defaultModeTable)).toBe(true);
    expect(Object.isFrozen(defaultModeTable.DEFENSIVE)).toBe(true);
  });
});

describe("parseModeTable()", () => {
  it("gives the defaults without input", () => {
    expect(parseModeTable()).toEqual(defaultModeTable);
    expect(parseModeTable({})).toEqual(defaultModeTable);
  });

  it("merges overrides field by field over the defaults; an undefined field keeps its default", () => {
    const table = parseModeTable({
      DEFENSIVE: { max_positions: 2, global_min_confidence: undefined },
      AGGRESSIVE: { max_risk_per_trade: 0.03, max_positions: 8 },
    });
    expect(table).toEqual({
      DEFENSIVE: { global_min_confidence: 0.7, max_risk_per_trade: 0.01, max_positions: 2 },
      NORMAL: defaultModeTable.NORMAL,
      AGGRESSIVE: { global_min_confidence: 0.6, max_risk_per_trade: 0.03, max_positions: 8 },
    });
    expect(Object.isFrozen(table.AGGRESSIVE)).toBe(true);
  });

  it("throws INVALID_MODE_TABLE naming each bad field", () => {
    const parse = () =>
      parseModeTable({
        DEFENSIVE: { max_risk_per_trade: 1.5, max_positions: 2.5 },
        NORMAL: { global_min_confidence: Number.NaN },
      });
    expect(parse).toThrow(InvalidConfigError);
    expect(parse).toThrow(/modes\.DEFENSIVE\.max_risk_per_trade/);
    try {
      parse();
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "INVALID_MODE_TABLE", name: "InvalidConfigError" });
      expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
        "modes.NORMAL.global_min_confidence",
        "modes.DEFENSIVE.max_risk_per_trade",
        "modes.DEFENSIVE.max_positions",
      ]);
    }
  });

  it("refuses unknown modes and fields, so a typo never silently keeps a default", () => {
    try {
      parseModeTable({ CAUTIOUS: {}, DEFENSIVE: { max_position: 2 } });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidConfigError).issues).toEqual([
        { path: "modes.DEFENSIVE.max_position", message: "unknown key" },
        { path: "modes.CAUTIOUS", message: "unknown key" },
      ]);
    }
  });

  it("refuses a table that is not an object", () => {
    expect(() => parseModeTable(3)).toThrow(
      expect.objectContaining({
        code: "INVALID_MODE_TABLE",
        issues: [expect.objectContaining({ path: "modes" })],
      }),
    );
  });
});
