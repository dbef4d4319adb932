import { describe, expect, it } from "vitest";
import { describeReason, type RejectionReason } from "./rejection.js";

describe("describeReason()", () => {
  const cases: [RejectionReason, string][] = [
    [{ code: "NO_POLICY" }, "no policy has been received yet"],
    [
      { code: "TRADING_HALTED", components: ["Exchange", "Feed"] },
      "trading is halted: Exchange, Feed CRITICAL",
    ],
    [
      { code: "BELOW_MIN_CONFIDENCE", confidence: 0.6, minimum: 0.8 },
      "confidence 0.6 is below the minimum 0.8",
    ],
    [
      { code: "STRATEGY_NOT_ALLOWED", strategy_id: "scalp", allowed: ["trend"] },
      "strategy scalp is not in the policy's allowed strategies",
    ],
    [
      { code: "STRATEGY_NOT_LIVE", strategy_id: "carry", lifecycle: null },
      "strategy carry is not LIVE (lifecycle unknown)",
    ],
    [
      { code: "STRATEGY_NOT_LIVE", strategy_id: "carry", lifecycle: "SHADOW" },
      "strategy carry is not LIVE (SHADOW)",
    ],
    [
      { code: "SYMBOL_NOT_IN_TOP", symbol: "DOGEUSDT", top_symbols: [] },
      "symbol DOGEUSDT is not among the top opportunities",
    ],
    [
      { code: "MAX_POSITIONS_REACHED", symbol: "SOLUSDT", open: 3, maximum: 3 },
      "3 of 3 positions are open; SOLUSDT would open another",
    ],
    [
      { code: "RISK_TOO_HIGH", risk: 0.03, maximum: 0.02, size: 30, max_size: 20 },
      "size 30 risks 0.03 of equity, above 0.02 (max size 20)",
    ],
  ];

  it.each(cases)("describes %o", (reason, text) => {
    expect(describeReason(reason)).toBe(text);
  });
});
