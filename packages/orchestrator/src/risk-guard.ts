import { idempotent, latestOnly, type Subscription } from "@qt/eventbus";
import type { QtEventBus } from "@qt/events";
import { toValidationIssues } from "@qt/events";
import { z } from "zod";
import { NoPolicyError, RiskInputError } from "./errors.js";

const positive = z.number().positive();
const riskFields = {
  /** Account equity in quote currency, > 0: the base the risk fraction is measured against. */
  equity: positive,
  /** Expected entry price per unit in quote currency, > 0. */
  entry_price: positive,
  /** Stop-loss price per unit, > 0 and not equal to `entry_price`; which side of the entry is not checked. */
  stop_price: positive,
};
// Without a stop distance there is no risk to measure (and size() would divide by zero).
const stopDiffers = (r: { entry_price: number; stop_price: number }) => r.entry_price !== r.stop_price;
const stopIssue = { path: ["stop_price"], message: "stop_price must differ from entry_price" };

/**
 * The zod schema of {@link RiskInput}: equity and prices finite and > 0, and a stop different from
 * the entry (the distance between them is the risk per unit).
 *
 * @example
 * ```ts
 * RiskInputSchema.safeParse({ equity: 10_000, entry_price: 100, stop_price: 95 }).success; // true
 * ```
 */
export const RiskInputSchema = z.strictObject(riskFields).refine(stopDiffers, stopIssue);

/**
 * What the risk guard needs to size a trade: account equity and the entry and stop prices, in the
 * quote currency. The side does not matter: the risk per unit is `|entry_price - stop_price|`.
 *
 * @example
 * ```ts
 * const input: RiskInput = { equity: 10_000, entry_price: 100, stop_price: 95 };
 * ```
 */
export type RiskInput = z.infer<typeof RiskInputSchema>;

/**
 * The schema of {@link RiskCheckInput}: a {@link RiskInput} plus the proposed `size` (> 0).
 *
 * @example
 * ```ts
 * RiskCheckInputSchema.parse({ equity: 10_000, entry_price: 100, stop_price: 95, size: 20 });
 * ```
 */
export const RiskCheckInputSchema = z
  .strictObject({
    ...riskFields,
    /** The proposed size in units of the instrument, > 0. */
    size: positive,
  })
  .refine(stopDiffers, stopIssue);

/**
 * A proposed trade for {@link RiskGuard.check}: a {@link RiskInput} and the size in units.
 *
 * @example
 * ```ts
 * const input: RiskCheckInput = { equity: 10_000, entry_price: 100, stop_price: 95, size: 30 };
 * ```
 */
export type RiskCheckInput = z.infer<typeof RiskCheckInputSchema>;

/**
 * The verdict of {@link RiskGuard.check}. `risk` and `max_risk` are fractions of equity;
 * `max_size` is what {@link RiskGuard.size} would allow, so a caller may reduce instead of reject.
 *
 * @example
 * ```ts
 * const { allowed, max_size } = guard.check({ ...input, size: 30 });
 * const size = allowed ? 30 : max_size; // reduce rather than reject
 * ```
 */
export interface RiskCheck {
  /** True when `risk <= max_risk` (within floating-point rounding). */
  readonly allowed: boolean;
  /** `size * |entry_price - stop_price| / equity`. */
  readonly risk: number;
  /** The policy's `max_risk_per_trade`. */
  readonly max_risk: number;
  /** The largest size whose risk is `max_risk`. */
  readonly max_size: number;
}

/**
 * Options of {@link RiskGuard}.
 *
 * @example
 * ```ts
 * const options: RiskGuardOptions = { eventBus: bus };
 * ```
 */
export interface RiskGuardOptions {
  /** The bus carrying `policy.updated`. */
  readonly eventBus: QtEventBus;
}

// A size computed by size() must pass check() although `size * distance / equity` may round a
// hair above max_risk; one part in a billion is far below any meaningful risk difference.
const ROUNDING = 1e-9;

/**
 * Sizes and vets trades by risk: the loss if the stop is hit, as a fraction of equity, must not
 * exceed the policy's `max_risk_per_trade`. Follows `policy.updated` (out-of-order and duplicate
 * deliveries are ignored). Fails closed: before the first policy, `size` and `check` throw
 * {@link NoPolicyError}.
 *
 * @example
 * ```ts
 * const guard = new RiskGuard({ eventBus: bus }); // policy: max_risk_per_trade 0.01
 * guard.size({ equity: 10_000, entry_price: 100, stop_price: 95 }); // 20 (risks 100 = 1%)
 * guard.check({ equity: 10_000, entry_price: 100, stop_price: 95, size: 30 }).allowed; // false
 * guard.close();
 * ```
 */
export class RiskGuard {
  #maxRiskPerTrade: number | undefined;
  readonly #subscriptions: Subscription[];

  constructor(options: RiskGuardOptions) {
    this.#subscriptions = [
      options.eventBus.subscribe(
        "policy.updated",
        idempotent(
          latestOnly((event) => {
            this.#maxRiskPerTrade = event.payload.max_risk_per_trade;
          }),
        ),
        { name: "RiskGuard.policy" },
      ),
    ];
  }

  /** The policy's `max_risk_per_trade` (a fraction of equity), or `undefined` before the first policy. */
  get maxRiskPerTrade(): number | undefined {
    return this.#maxRiskPerTrade;
  }

  /**
   * The largest size whose loss at the stop is `max_risk_per_trade` of equity:
   * `equity * max_risk_per_trade / |entry_price - stop_price|`.
   *
   * @throws {@link RiskInputError} when the input is malformed (naming each field).
   * @throws {@link NoPolicyError} before the first `policy.updated`.
   */
  size(input: RiskInput): number {
    const parsed = RiskInputSchema.safeParse(input);
    if (!parsed.success) throw new RiskInputError(toValidationIssues(parsed.error.issues, input, ""));
    const maxRisk = this.#requirePolicy();
    const { equity, entry_price, stop_price } = parsed.data;
    return (equity * maxRisk) / Math.abs(entry_price - stop_price);
  }

  /**
   * Whether `size` keeps the trade's risk (`size * |entry_price - stop_price| / equity`) within
   * `max_risk_per_trade`. Never changes the size: use `max_size` (or {@link RiskGuard.size}) to
   * reduce instead of reject.
   *
   * @throws {@link RiskInputError} when the input is malformed (naming each field).
   * @throws {@link NoPolicyError} before the first `policy.updated`.
   */
  check(input: RiskCheckInput): RiskCheck {
    const parsed = RiskCheckInputSchema.safeParse(input);
    if (!parsed.success) throw new RiskInputError(toValidationIssues(parsed.error.issues, input, ""));
    const maxRisk = this.#requirePolicy();
    const { equity, entry_price, stop_price, size } = parsed.data;
    const distance = Math.abs(entry_price - stop_price);
    const risk = (size * distance) / equity;
    return {
      allowed: risk <= maxRisk * (1 + ROUNDING),
      risk,
      max_risk: maxRisk,
      max_size: (equity * maxRisk) / distance,
    };
  }

  /** Unsubscribes from the bus. The last limit stays readable. Idempotent. */
  close(): void {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
  }

  #requirePolicy(): number {
    if (this.#maxRiskPerTrade === undefined) throw new NoPolicyError("RiskGuard");
    return this.#maxRiskPerTrade;
  }
}
