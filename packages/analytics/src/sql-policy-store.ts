import { type RiskMode, RiskModeSchema } from "@qt/events";
import { z } from "zod";
import type { AnalyticsStore, PolicyValues } from "./analytics-store.js";
import { InvalidPolicyError } from "./errors.js";

/**
 * Options of {@link SqlPolicyStore}.
 *
 * @example
 * ```ts
 * const options: SqlPolicyStoreOptions = { store, allowedStrategies: ["trend"] };
 * ```
 */
export interface SqlPolicyStoreOptions {
  /** The analytics store holding the policy row. */
  store: AnalyticsStore;
  /** Mode reported until one is written. Default `NORMAL`. */
  riskMode?: RiskMode;
  /** Strategies reported until some are written. Default none. */
  allowedStrategies?: readonly string[];
}

/**
 * What the policy store returns from `getPolicy()`: the shape of `@qt/msc-ai`'s `StoredPolicy`.
 *
 * @example
 * ```ts
 * const { riskMode, allowedStrategies }: PersistedPolicy = await policyStore.getPolicy();
 * ```
 */
export interface PersistedPolicy {
  /** The stored risk mode, or the default until one is written. */
  readonly riskMode: RiskMode;
  /** The stored strategy names (a frozen array), or the default until some are written. */
  readonly allowedStrategies: readonly string[];
}

const strategiesSchema = z.array(z.string().min(1));

/**
 * A persistent `PolicyStore` for `@qt/msc-ai`'s controller: the risk mode and allowed strategies
 * live in one row of the analytics database, so they survive a restart (and are shared by every
 * process on the same PostgreSQL database). It implements the port structurally; this package does
 * not depend on `@qt/msc-ai`.
 *
 * Until a value is written, the defaults are reported (`NORMAL`, no strategies, unless given).
 * Each setter is one atomic upsert that changes only its own field. Invalid input is refused with
 * {@link InvalidPolicyError} and nothing is written; values read back are validated the same way.
 *
 * @example
 * ```ts
 * const policyStore = new SqlPolicyStore({ store, allowedStrategies: ["trend", "mean_revert"] });
 * const msc = new MetaStrategyController({ eventBus: bus, policyStore });
 * await policyStore.setRiskMode("DEFENSIVE"); // still DEFENSIVE after a restart
 * ```
 */
export class SqlPolicyStore {
  readonly #store: AnalyticsStore;
  readonly #defaults: PolicyValues;

  constructor(options: SqlPolicyStoreOptions) {
    this.#store = options.store;
    this.#defaults = {
      riskMode: checkMode(options.riskMode ?? "NORMAL"),
      allowedStrategies: checkStrategies(options.allowedStrategies ?? []),
    };
  }

  /**
   * The stored risk mode, or the default until one is written.
   *
   * @throws {@link InvalidPolicyError} when the stored value is not a risk mode.
   */
  async getRiskMode(): Promise<RiskMode> {
    return (await this.getPolicy()).riskMode;
  }

  /**
   * Stores `mode`, leaving the allowed strategies as they are; resolves when committed.
   *
   * @throws {@link InvalidPolicyError} when `mode` is not a risk mode (nothing is written).
   */
  async setRiskMode(mode: RiskMode): Promise<void> {
    await this.#store.writePolicy({ riskMode: checkMode(mode) }, this.#defaults);
  }

  /**
   * The stored strategy names (a frozen array), or the default until some are written.
   *
   * @throws {@link InvalidPolicyError} when the stored list holds anything but non-empty strings.
   */
  async getAllowedStrategies(): Promise<readonly string[]> {
    return (await this.getPolicy()).allowedStrategies;
  }

  /**
   * Replaces the allowed strategies with `strategies` (empty allows none), leaving the risk mode
   * as it is; resolves when committed.
   *
   * @throws {@link InvalidPolicyError} when a name is not a non-empty string (nothing is written).
   */
  async setAllowedStrategies(strategies: readonly string[]): Promise<void> {
    await this.#store.writePolicy({ allowedStrategies: checkStrategies(strategies) }, this.#defaults);
  }

  /**
   * Both fields in one read, frozen; the defaults when no row was ever written.
   *
   * @throws {@link InvalidPolicyError} when a stored value is invalid.
   */
  async getPolicy(): Promise<PersistedPolicy> {
    const row = await this.#store.readPolicy();
    const values = row ?? this.#defaults;
    return Object.freeze({
      riskMode: checkMode(values.riskMode),
      allowedStrategies: checkStrategies(values.allowedStrategies),
    });
  }
}

function checkMode(mode: unknown): RiskMode {
  const result = RiskModeSchema.safeParse(mode);
  if (!result.success) {
    throw new InvalidPolicyError([
      { path: "risk_mode", message: `expected one of ${RiskModeSchema.options.join(", ")}` },
    ]);
  }
  return result.data;
}

function checkStrategies(strategies: unknown): readonly string[] {
  const result = strategiesSchema.safeParse(strategies);
  if (!result.success) {
    throw new InvalidPolicyError(
      result.error.issues.map((issue) => ({
        path: ["allowed_strategies", ...issue.path.map(String)].join("."),
        message: issue.message,
      })),
    );
  }
  return Object.freeze(result.data);
}
