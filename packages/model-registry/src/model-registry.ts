import { SerialQueue } from "@qt/eventbus";
import { ModelPromotedEvent, type QtEventBus } from "@qt/events";
import { ModelRegistryError } from "./errors.js";

/**
 * Named measurements of a model version, finite numbers only, e.g. `{ auc: 0.71, pnl: 1250.5 }`.
 *
 * @example
 * ```ts
 * const metrics: ModelMetrics = { auc: 0.71, logloss: 0.52 };
 * ```
 */
export type ModelMetrics = Readonly<Record<string, number>>;

/**
 * One registered version of a model, as the registry keeps it (a frozen snapshot).
 *
 * @example
 * ```ts
 * const latest: ModelVersion | undefined = registry.versions("xgb-btc").at(-1);
 * ```
 */
export interface ModelVersion {
  /** The version label, e.g. `1.5.0`. */
  readonly version: string;
  /** Offline metrics given at registration. */
  readonly metrics: ModelMetrics;
  /** The latest shadow performance recorded, or `null` if none yet. */
  readonly shadowPerformance: ModelMetrics | null;
  /** When it was registered (the registry's clock). */
  readonly registeredAt: Date;
}

/**
 * The outcome of {@link ModelRegistry.promote}.
 *
 * @example
 * ```ts
 * const { oldVersion, newVersion, changed } = await registry.promote("xgb-btc", "1.5.0");
 * ```
 */
export interface Promotion {
  /** The model promoted, as given to `promote`. */
  readonly modelName: string;
  /** The version active before, or `null` if none was. */
  readonly oldVersion: string | null;
  /** The version active now. */
  readonly newVersion: string;
  /** False when `newVersion` was already active: nothing was published. */
  readonly changed: boolean;
}

/**
 * The optional promotion guard: a version is promoted only if its shadow performance beats the
 * active version's on `metric` by at least `by` (higher is better). See {@link ModelRegistry.promote}.
 *
 * @example
 * ```ts
 * const guard: ShadowImprovementGuard = { metric: "pnl", by: 100 };
 * ```
 */
export interface ShadowImprovementGuard {
  /** A shadow performance key where higher is better, e.g. `pnl` or `sharpe`. */
  readonly metric: string;
  /** The minimum improvement, a finite number (0: at least as good; negative: tolerate a small loss). */
  readonly by: number;
}

/**
 * Options of {@link ModelRegistry}.
 *
 * @example
 * ```ts
 * const options: ModelRegistryOptions = { eventBus: bus, minShadowImprovement: { metric: "pnl", by: 0 } };
 * ```
 */
export interface ModelRegistryOptions {
  /** Where `model.promoted` is published. */
  readonly eventBus: QtEventBus;
  /** Registration times and the events' timestamps. Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** Refuses promotions that do not improve on the active version in shadow. Default: no guard. */
  readonly minShadowImprovement?: ShadowImprovementGuard;
  /** The events' `source`. Default `"model-registry"`. */
  readonly source?: string;
}

interface ModelEntry {
  readonly versions: Map<string, ModelVersion>;
  active: string | null;
}

/**
 * Keeps the versions of each model (metrics and shadow performance), which one is active, and
 * publishes `model.promoted` when another version becomes active.
 *
 * @example
 * ```ts
 * const registry = new ModelRegistry({ eventBus: bus });
 * registry.register("xgb-btc", "1.5.0", { auc: 0.71 });
 * registry.recordShadow("xgb-btc", "1.5.0", { pnl: 1250.5 });
 * await registry.promote("xgb-btc", "1.5.0"); // publishes old_version: null, new_version: "1.5.0"
 * registry.active("xgb-btc"); // "1.5.0"
 * ```
 */
export class ModelRegistry {
  readonly #bus: QtEventBus;
  readonly #clock: () => Date;
  readonly #guard: ShadowImprovementGuard | undefined;
  readonly #source: string;
  readonly #models = new Map<string, ModelEntry>();
  readonly #queue = new SerialQueue();

  /** @throws {@link ModelRegistryError} `INVALID_OPTIONS`, naming the option. */
  constructor(options: ModelRegistryOptions) {
    const invalid = (field: string, expected: string, received: unknown) =>
      new ModelRegistryError({ code: "INVALID_OPTIONS", field: `options.${field}`, expected, received });
    if (typeof options?.eventBus?.publish !== "function")
      throw invalid("eventBus", "an EventBus", options?.eventBus);
    if (options.clock !== undefined && typeof options.clock !== "function") {
      throw invalid("clock", "a function returning a Date", options.clock);
    }
    const guard = options.minShadowImprovement;
    if (guard !== undefined) {
      if (typeof guard?.metric !== "string" || guard.metric === "") {
        throw invalid("minShadowImprovement.metric", "a non-empty string", guard?.metric);
      }
      if (typeof guard.by !== "number" || !Number.isFinite(guard.by)) {
        throw invalid("minShadowImprovement.by", "a finite number", guard.by);
      }
    }
    const source = options.source ?? "model-registry";
    if (typeof source !== "string" || source === "") throw invalid("source", "a non-empty string", source);
    this.#bus = options.eventBus;
    this.#clock = options.clock ?? (() => new Date());
    this.#guard = guard === undefined ? undefined : Object.freeze({ ...guard });
    this.#source = source;
  }

  /**
   * Registers a new version of a model (creating the model on its first version). It is not
   * active until promoted.
   *
   * @throws {@link ModelRegistryError} `INVALID_ARGUMENT`, `INVALID_METRICS` or `VERSION_EXISTS`.
   *
   * @example
   * ```ts
   * registry.register("xgb-btc", "1.6.0", { auc: 0.73, logloss: 0.49 });
   * ```
   */
  register(modelName: string, version: string, metrics: ModelMetrics): ModelVersion {
    assertLabel("modelName", modelName);
    assertLabel("version", version, modelName);
    const frozen = validRecord("metrics", metrics, modelName, version);
    const entry = this.#models.get(modelName);
    if (entry?.versions.has(version)) {
      throw new ModelRegistryError({
        code: "VERSION_EXISTS",
        field: "version",
        expected: "a version not yet registered",
        received: version,
        modelName,
        version,
      });
    }
    const registered: ModelVersion = Object.freeze({
      version,
      metrics: frozen,
      shadowPerformance: null,
      registeredAt: this.#clock(),
    });
    if (entry === undefined)
      this.#models.set(modelName, { versions: new Map([[version, registered]]), active: null });
    else entry.versions.set(version, registered);
    return registered;
  }

  /**
   * Records a version's shadow performance (replacing any earlier record). It is carried by the
   * version's `model.promoted` event and checked by the `minShadowImprovement` guard.
   *
   * @throws {@link ModelRegistryError} `INVALID_ARGUMENT`, `INVALID_METRICS`, `UNKNOWN_MODEL` or `UNKNOWN_VERSION`.
   *
   * @example
   * ```ts
   * registry.recordShadow("xgb-btc", "1.6.0", { pnl: 1830.2, hit_rate: 0.57 });
   * ```
   */
  recordShadow(modelName: string, version: string, shadowPerformance: ModelMetrics): ModelVersion {
    assertLabel("modelName", modelName);
    assertLabel("version", version, modelName);
    const frozen = validRecord("shadowPerformance", shadowPerformance, modelName, version);
    const entry = this.#entry(modelName);
    const updated = Object.freeze({ ...this.#version(entry, modelName, version), shadowPerformance: frozen });
    entry.versions.set(version, updated);
    return updated;
  }

  /**
   * Makes `version` the active version of `modelName` and publishes `model.promoted` with the
   * previously active version (or `null`), the version's metrics and its shadow performance (or
   * `null`). Promoting the active version again changes and publishes nothing; promoting an older
   * version is a rollback like any other promotion. Calls are applied one at a time in call order;
   * the version becomes active only once the bus accepted the event.
   *
   * With `minShadowImprovement: { metric, by }`, a promotion that changes the active version also
   * requires the candidate's shadow performance to have `metric`, and, when a version is active,
   * to be at least `baseline + by`, where the baseline is the active version's shadow `metric`,
   * else its registration `metric`; an active version with neither cannot be compared, and the
   * promotion is refused.
   *
   * @throws {@link ModelRegistryError} `INVALID_ARGUMENT`, `UNKNOWN_MODEL`, `UNKNOWN_VERSION` or
   *   `PROMOTION_REJECTED`; or the bus's error. Either way nothing changed.
   *
   * @example
   * ```ts
   * const promotion = await registry.promote("xgb-btc", "1.6.0");
   * if (promotion.changed) console.log(`${promotion.oldVersion} -> ${promotion.newVersion}`);
   * ```
   */
  promote(modelName: string, version: string): Promise<Promotion> {
    try {
      assertLabel("modelName", modelName);
      assertLabel("version", version, modelName);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.run(async () => {
      const entry = this.#entry(modelName);
      const candidate = this.#version(entry, modelName, version);
      const oldVersion = entry.active;
      if (oldVersion === version) return { modelName, oldVersion, newVersion: version, changed: false };
      if (this.#guard !== undefined) {
        const active = oldVersion === null ? undefined : entry.versions.get(oldVersion);
        checkGuard(this.#guard, modelName, candidate, active);
      }
      await this.#bus.publish(
        ModelPromotedEvent.create(
          {
            model_name: modelName,
            old_version: oldVersion,
            new_version: version,
            metrics: { ...candidate.metrics },
            shadow_performance:
              candidate.shadowPerformance === null ? null : { ...candidate.shadowPerformance },
          },
          { source: this.#source, timestamp: this.#clock() },
        ),
      );
      entry.active = version;
      return { modelName, oldVersion, newVersion: version, changed: true };
    });
  }

  /**
   * The active version of a model, or `null` if none has been promoted yet.
   *
   * @throws {@link ModelRegistryError} `UNKNOWN_MODEL`.
   *
   * @example
   * ```ts
   * const serving = registry.active("xgb-btc"); // "1.6.0"
   * ```
   */
  active(modelName: string): string | null {
    return this.#entry(modelName).active;
  }

  /**
   * Every version of a model, in registration order.
   *
   * @throws {@link ModelRegistryError} `UNKNOWN_MODEL`.
   *
   * @example
   * ```ts
   * const untested = registry.versions("xgb-btc").filter((v) => v.shadowPerformance === null);
   * ```
   */
  versions(modelName: string): ModelVersion[] {
    return [...this.#entry(modelName).versions.values()];
  }

  #entry(modelName: string): ModelEntry {
    const entry = this.#models.get(modelName);
    if (entry === undefined) {
      throw new ModelRegistryError({
        code: "UNKNOWN_MODEL",
        field: "modelName",
        expected: "a registered model",
        received: modelName,
        modelName,
      });
    }
    return entry;
  }

  #version(entry: ModelEntry, modelName: string, version: string): ModelVersion {
    const found = entry.versions.get(version);
    if (found === undefined) {
      throw new ModelRegistryError({
        code: "UNKNOWN_VERSION",
        field: "version",
        expected: "a registered version",
        received: version,
        modelName,
        version,
      });
    }
    return found;
  }
}

function checkGuard(
  guard: ShadowImprovementGuard,
  modelName: string,
  candidate: ModelVersion,
  active: ModelVersion | undefined,
): void {
  const reject = (expected: string, received: unknown) =>
    new ModelRegistryError({
      code: "PROMOTION_REJECTED",
      field: `shadowPerformance.${guard.metric}`,
      expected,
      received,
      modelName,
      version: candidate.version,
    });
  const value = candidate.shadowPerformance?.[guard.metric];
  if (value === undefined) throw reject("a recorded shadow value (minShadowImprovement)", value);
  if (active === undefined) return;
  const baseline = active.shadowPerformance?.[guard.metric] ?? active.metrics[guard.metric];
  if (baseline === undefined) {
    throw reject(
      `a baseline: active version ${active.version} has no "${guard.metric}" to compare with`,
      value,
    );
  }
  if (value < baseline + guard.by) {
    throw reject(`>= ${baseline + guard.by} (active ${active.version}: ${baseline}, + ${guard.by})`, value);
  }
}

function assertLabel(field: "modelName" | "version", value: string, modelName?: string): void {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ModelRegistryError({
      code: "INVALID_ARGUMENT",
      field,
      expected: "a non-empty string",
      received: value,
      modelName,
    });
  }
}

function validRecord(field: string, record: ModelMetrics, modelName: string, version: string): ModelMetrics {
  const invalid = (path: string, expected: string, received: unknown) =>
    new ModelRegistryError({ code: "INVALID_METRICS", field: path, expected, received, modelName, version });
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    throw invalid(field, "a record of finite numbers", record);
  }
  const copy: Record<string, number> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === "") throw invalid(field, "non-empty keys", key);
    if (typeof value !== "number" || !Number.isFinite(value))
      throw invalid(`${field}.${key}`, "a finite number", value);
    copy[key] = value;
  }
  return Object.freeze(copy);
}
