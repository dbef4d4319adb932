import { hasBrand, InputError, type InputErrorInit } from "@qt/eventbus";

const MARKER = Symbol.for("@qt/model-registry.error");

/**
 * The stable codes of {@link ModelRegistryError}.
 *
 * - `INVALID_OPTIONS`: a bad collaborator or `minShadowImprovement`.
 * - `INVALID_ARGUMENT`: an empty model name or version.
 * - `INVALID_METRICS`: metrics or shadow performance that are not a record of finite numbers.
 * - `UNKNOWN_MODEL` / `UNKNOWN_VERSION`: never registered.
 * - `VERSION_EXISTS`: `register()` of a version already registered.
 * - `PROMOTION_REJECTED`: the `minShadowImprovement` guard refused the promotion.
 *
 * @example
 * ```ts
 * const expected: ModelRegistryErrorCode[] = ["PROMOTION_REJECTED"]; // a decision, not a bug
 * ```
 */
export type ModelRegistryErrorCode =
  | "INVALID_OPTIONS"
  | "INVALID_ARGUMENT"
  | "INVALID_METRICS"
  | "UNKNOWN_MODEL"
  | "UNKNOWN_VERSION"
  | "VERSION_EXISTS"
  | "PROMOTION_REJECTED";

/**
 * The one error class of `@qt/model-registry`. When it is thrown nothing was published and
 * nothing changed. Branch on `code`, read `field`, `modelName` and `version`; `isInstance` works
 * across duplicate installs.
 *
 * @example
 * ```ts
 * try { await registry.promote("xgb-btc", "1.5.0"); }
 * catch (error) {
 *   if (ModelRegistryError.isInstance(error) && error.code === "PROMOTION_REJECTED") keepShadowing(error.version);
 * }
 * ```
 */
export class ModelRegistryError extends InputError<ModelRegistryErrorCode> {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** The model the error is about, if any. */
  readonly modelName: string | undefined;
  /** The version the error is about, if any. */
  readonly version: string | undefined;

  constructor(
    init: InputErrorInit<ModelRegistryErrorCode> & {
      modelName?: string | undefined;
      version?: string | undefined;
    },
  ) {
    super({
      ...init,
      subject:
        init.modelName === undefined
          ? undefined
          : `model "${init.modelName}"${init.version === undefined ? "" : `@${init.version}`}`,
    });
    this.name = "ModelRegistryError";
    this.modelName = init.modelName;
    this.version = init.version;
  }

  /** True for any `ModelRegistryError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is ModelRegistryError {
    return hasBrand(value, MARKER);
  }
}
