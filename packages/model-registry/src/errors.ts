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
export class ModelRegistryError extends Error {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: ModelRegistryErrorCode;
  /** The offending input, e.g. `version`, `metrics.auc` or `shadowPerformance.pnl`. */
  readonly field: string;
  /** What a valid value looks like. */
  readonly expected: string;
  /** A short description of what was received: a number or a type, never a string's content. */
  readonly received: string;
  /** The model concerned, when known. */
  readonly modelName: string | undefined;
  /** The version concerned, when known. */
  readonly version: string | undefined;

  constructor(init: {
    code: ModelRegistryErrorCode;
    field: string;
    expected: string;
    received: unknown;
    modelName?: string | undefined;
    version?: string | undefined;
  }) {
    const received = describe(init.received);
    const subject =
      init.modelName === undefined
        ? ""
        : `model "${init.modelName}"${init.version === undefined ? "" : `@${init.version}`}: `;
    super(`${subject}${init.field}: expected ${init.expected}, received ${received}`);
    this.name = "ModelRegistryError";
    this.code = init.code;
    this.field = init.field;
    this.expected = init.expected;
    this.received = received;
    this.modelName = init.modelName;
    this.version = init.version;
  }

  /** True for any `ModelRegistryError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is ModelRegistryError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Describes a value for an error message without its content (strings may hold secrets). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return value === "" ? "empty string" : `string (${value.length} chars)`;
  return typeof value;
}
