import { PolicyUpdatedEvent, type PolicyUpdatedPayload, RiskMode, toValidationIssues } from "@qt/events";
import { z } from "zod";
import { InvalidConfigError } from "./errors.js";

/**
 * The policy parameters one risk mode publishes in `policy.updated`.
 *
 * @example
 * ```ts
 * const cautious: ModeParameters = { global_min_confidence: 0.75, max_risk_per_trade: 0.005, max_positions: 2 };
 * ```
 */
export type ModeParameters = Pick<
  PolicyUpdatedPayload,
  "global_min_confidence" | "max_risk_per_trade" | "max_positions"
>;

/**
 * The parameters of every risk mode: what `updateRiskMode(mode)` publishes.
 *
 * @example
 * ```ts
 * const table: ModeTable = parseModeTable({ DEFENSIVE: { max_positions: 2 } });
 * table.DEFENSIVE.max_risk_per_trade; // 0.01
 * ```
 */
export type ModeTable = { readonly [M in RiskMode]: Readonly<ModeParameters> };

/**
 * Overrides of the default table: any mode, any field; what is not given keeps its default.
 *
 * @example
 * ```ts
 * const modes: ModeTableInput = { AGGRESSIVE: { max_positions: 8, max_risk_per_trade: 0.03 } };
 * ```
 */
export type ModeTableInput = { readonly [M in RiskMode]?: Readonly<Partial<ModeParameters>> };

/**
 * The integration guide's parameters: DEFENSIVE 0.7 / 0.01 / 3; NORMAL and AGGRESSIVE 0.6 / 0.02 / 5
 * (`global_min_confidence` / `max_risk_per_trade` / `max_positions`). Frozen.
 *
 * @example
 * ```ts
 * defaultModeTable.DEFENSIVE.max_positions; // 3
 * ```
 */
export const defaultModeTable: ModeTable = Object.freeze({
  [RiskMode.AGGRESSIVE]: Object.freeze({
    global_min_confidence: 0.6,
    max_risk_per_trade: 0.02,
    max_positions: 5,
  }),
  [RiskMode.NORMAL]: Object.freeze({
    global_min_confidence: 0.6,
    max_risk_per_trade: 0.02,
    max_positions: 5,
  }),
  [RiskMode.DEFENSIVE]: Object.freeze({
    global_min_confidence: 0.7,
    max_risk_per_trade: 0.01,
    max_positions: 3,
  }),
});

// The ranges come from the event's own schema, so a table that validates here always makes a valid
// `policy.updated` payload.
const overrides = PolicyUpdatedEvent.schema
  .pick({ global_min_confidence: true, max_risk_per_trade: true, max_positions: true })
  .partial()
  .optional();
const tableInput = z
  .strictObject({ AGGRESSIVE: overrides, NORMAL: overrides, DEFENSIVE: overrides })
  .optional();

/**
 * Validates overrides of the mode table and merges them over {@link defaultModeTable}. Unknown
 * modes and fields are refused (a typo must not silently keep a default).
 *
 * @param input - the controller's `modes` option, e.g. parsed from configuration. `undefined` gives the defaults.
 * @throws {@link InvalidConfigError} (code `INVALID_MODE_TABLE`) naming each bad field, e.g.
 *   `modes.DEFENSIVE.max_risk_per_trade: Too big: expected number to be <=1`.
 *
 * @example
 * ```ts
 * const table = parseModeTable({ DEFENSIVE: { max_positions: 2 } });
 * table.DEFENSIVE; // { global_min_confidence: 0.7, max_risk_per_trade: 0.01, max_positions: 2 }
 * ```
 */
export function parseModeTable(input?: unknown): ModeTable {
  const result = tableInput.safeParse(input);
  if (!result.success) {
    throw new InvalidConfigError(
      "INVALID_MODE_TABLE",
      toValidationIssues(result.error.issues, input, "modes"),
    );
  }
  const given = result.data ?? {};
  // Field by field, so that a field given as `undefined` keeps its default.
  const merge = (mode: RiskMode): Readonly<ModeParameters> => {
    const base = defaultModeTable[mode];
    const over = given[mode] ?? {};
    return Object.freeze({
      global_min_confidence: over.global_min_confidence ?? base.global_min_confidence,
      max_risk_per_trade: over.max_risk_per_trade ?? base.max_risk_per_trade,
      max_positions: over.max_positions ?? base.max_positions,
    });
  };
  return Object.freeze({
    [RiskMode.AGGRESSIVE]: merge(RiskMode.AGGRESSIVE),
    [RiskMode.NORMAL]: merge(RiskMode.NORMAL),
    [RiskMode.DEFENSIVE]: merge(RiskMode.DEFENSIVE),
  });
}
