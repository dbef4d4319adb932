import { RiskMode, RiskModeSchema } from "@qt/events";
import { z } from "zod";
import { InvalidAllowedStrategiesError, InvalidRiskModeError } from "./errors.js";

/**
 * What a policy store holds: the global risk mode and the strategies allowed to trade.
 *
 * @example
 * ```ts
 * const { riskMode, allowedStrategies } = await store.getPolicy();
 * ```
 */
export interface StoredPolicy {
  /** The current risk mode. */
  readonly riskMode: RiskMode;
  /** The strategies allowed to trade, published in every `policy.updated`. */
  readonly allowedStrategies: readonly string[];
}

/**
 * Where the controller keeps the policy: the source of truth it compares against and writes to
 * before it publishes. Asynchronous, so that a persistent implementation (a database, Redis) fits
 * the same port. Implementations should refuse an invalid mode or strategy list rather than
 * store it.
 *
 * @example
 * ```ts
 * class RedisPolicyStore implements PolicyStore {
 *   async getRiskMode() { return RiskModeSchema.parse(await redis.get("risk_mode")); }
 *   // ...
 * }
 * ```
 */
export interface PolicyStore {
  /** The current risk mode. */
  getRiskMode(): Promise<RiskMode>;
  /** Replaces the risk mode; resolves once it is stored. */
  setRiskMode(mode: RiskMode): Promise<void>;
  /** The strategies allowed to trade. */
  getAllowedStrategies(): Promise<readonly string[]>;
  /** Replaces the allowed strategies; resolves once they are stored. */
  setAllowedStrategies(strategies: readonly string[]): Promise<void>;
  /** Mode and strategies in one read (one round trip for a remote store). */
  getPolicy(): Promise<StoredPolicy>;
}

/**
 * Options of {@link InMemoryPolicyStore}.
 *
 * @example
 * ```ts
 * const options: InMemoryPolicyStoreOptions = { riskMode: "DEFENSIVE", allowedStrategies: ["trend"] };
 * ```
 */
export interface InMemoryPolicyStoreOptions {
  /** The initial mode. Default `NORMAL`. */
  riskMode?: RiskMode;
  /** The initial strategies. Default none. */
  allowedStrategies?: readonly string[];
}

const strategiesSchema = z.array(z.string().min(1));

/**
 * A {@link PolicyStore} in process memory, for tests and for a single process that does not need the
 * policy to survive a restart. Validates what it stores and hands out copies, so callers cannot
 * change its state behind its back.
 *
 * @throws {@link InvalidRiskModeError} / {@link InvalidAllowedStrategiesError} from the constructor
 *   and setters on invalid input; nothing is changed.
 *
 * @example
 * ```ts
 * const store = new InMemoryPolicyStore({ allowedStrategies: ["trend", "mean_revert"] });
 * await store.getRiskMode(); // "NORMAL"
 * await store.setRiskMode(RiskMode.DEFENSIVE);
 * ```
 */
export class InMemoryPolicyStore implements PolicyStore {
  #riskMode: RiskMode;
  #allowedStrategies: readonly string[];

  constructor(options: InMemoryPolicyStoreOptions = {}) {
    this.#riskMode = checkMode(options.riskMode ?? RiskMode.NORMAL);
    this.#allowedStrategies = checkStrategies(options.allowedStrategies ?? []);
  }

  async getRiskMode(): Promise<RiskMode> {
    return this.#riskMode;
  }

  async setRiskMode(mode: RiskMode): Promise<void> {
    this.#riskMode = checkMode(mode);
  }

  async getAllowedStrategies(): Promise<readonly string[]> {
    return this.#allowedStrategies;
  }

  async setAllowedStrategies(strategies: readonly string[]): Promise<void> {
    this.#allowedStrategies = checkStrategies(strategies);
  }

  async getPolicy(): Promise<StoredPolicy> {
    return Object.freeze({ riskMode: this.#riskMode, allowedStrategies: this.#allowedStrategies });
  }
}

/**
 * Returns `mode` if it is a risk mode (internal: the controller checks requests with it).
 *
 * @throws {@link InvalidRiskModeError} otherwise.
 *
 * @example
 * ```ts
 * checkMode("NORMAL"); // "NORMAL"
 * checkMode("normal"); // throws InvalidRiskModeError
 * ```
 */
export function checkMode(mode: unknown): RiskMode {
  const result = RiskModeSchema.safeParse(mode);
  if (!result.success) throw new InvalidRiskModeError(mode);
  return result.data;
}

function checkStrategies(strategies: unknown): readonly string[] {
  const result = strategiesSchema.safeParse(strategies);
  if (!result.success) {
    throw new InvalidAllowedStrategiesError(
      result.error.issues.map((issue) => ({
        path: ["allowed_strategies", ...issue.path.map(String)].join("."),
        message: issue.message,
      })),
    );
  }
  // zod returns a new array: a frozen copy the caller cannot change.
  return Object.freeze(result.data);
}
