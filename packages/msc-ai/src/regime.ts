import { RiskMode, RiskModeSchema, toValidationIssues } from "@qt/events";
import { z } from "zod";
import { InvalidConfigError, UnknownRegimeError } from "./errors.js";

/**
 * The market regimes the default map knows. A regime map may add others (any non-empty string).
 *
 * @example
 * ```ts
 * await msc.onRegimeChange(MarketRegime.VOLATILE); // DEFENSIVE with the default map
 * ```
 */
export const MarketRegime = Object.freeze({
  /** A market moving steadily one way; maps to AGGRESSIVE by default. */
  TRENDING: "trending",
  /** A market moving sideways within a range; maps to NORMAL by default. */
  RANGING: "ranging",
  /** A market swinging hard either way; maps to DEFENSIVE by default. */
  VOLATILE: "volatile",
} as const);
/** One of `"trending" | "ranging" | "volatile"`. */
export type MarketRegime = (typeof MarketRegime)[keyof typeof MarketRegime];

/**
 * A regime name as `onRegimeChange` takes it: one of {@link MarketRegime}'s (suggested by the
 * editor), or any other the regime map was given.
 *
 * @example
 * ```ts
 * const regime: MarketRegimeName = "crash"; // known if the controller got `regimes: { crash: "DEFENSIVE" }`
 * ```
 */
export type MarketRegimeName = MarketRegime | (string & {});

/**
 * Which risk mode each market regime asks for. Regime names are matched exactly (case-sensitive).
 *
 * @example
 * ```ts
 * const map: RegimeMap = parseRegimeMap({ crash: "DEFENSIVE" });
 * map.crash; // "DEFENSIVE"
 * ```
 */
export type RegimeMap = Readonly<Record<string, RiskMode>>;

/**
 * The default map: trending → AGGRESSIVE, ranging → NORMAL, volatile → DEFENSIVE. Frozen.
 *
 * @example
 * ```ts
 * defaultRegimeMap.volatile; // "DEFENSIVE"
 * ```
 */
export const defaultRegimeMap: RegimeMap = Object.freeze({
  [MarketRegime.TRENDING]: RiskMode.AGGRESSIVE,
  [MarketRegime.RANGING]: RiskMode.NORMAL,
  [MarketRegime.VOLATILE]: RiskMode.DEFENSIVE,
});

const regimeMapInput = z.record(z.string().min(1), RiskModeSchema).optional();

/**
 * Validates a regime map and merges it over {@link defaultRegimeMap}: it may remap the default
 * regimes and add new ones.
 *
 * @param input - the controller's `regimes` option. `undefined` gives the defaults.
 * @throws {@link InvalidConfigError} (code `INVALID_REGIME_MAP`) naming each bad entry, e.g. `regimes.trending`.
 *
 * @example
 * ```ts
 * const map = parseRegimeMap({ trending: "NORMAL", crash: "DEFENSIVE" });
 * map.trending; // "NORMAL"
 * ```
 */
export function parseRegimeMap(input?: unknown): RegimeMap {
  const result = regimeMapInput.safeParse(input);
  if (!result.success) {
    throw new InvalidConfigError(
      "INVALID_REGIME_MAP",
      toValidationIssues(result.error.issues, input, "regimes"),
    );
  }
  return Object.freeze({ ...defaultRegimeMap, ...result.data });
}

/**
 * The risk mode `regime` asks for under `map`.
 *
 * @throws {@link UnknownRegimeError} when the map does not know the regime (or it is not a string).
 *
 * @example
 * ```ts
 * riskModeForRegime(defaultRegimeMap, "trending"); // "AGGRESSIVE"
 * riskModeForRegime(defaultRegimeMap, "sideways"); // throws UnknownRegimeError
 * ```
 */
export function riskModeForRegime(map: RegimeMap, regime: MarketRegimeName): RiskMode {
  // Own keys only: "toString" or "__proto__" are not regimes.
  if (typeof regime !== "string" || !Object.hasOwn(map, regime)) {
    throw new UnknownRegimeError(regime, Object.keys(map));
  }
  return map[regime] as RiskMode;
}
