/**
 * Every error this package throws is an {@link MscAiError}: a class with a stable string `code`,
 * structured fields and an optional `cause`. Callers branch on `code` (or on
 * `MscAiError.isInstance`), never on message text.
 *
 * @packageDocumentation
 */
import type { ValidationIssue } from "@qt/eventbus";

const MARKER = Symbol.for("@qt/msc-ai.error");

/**
 * The stable codes of every error this package defines.
 *
 * @example
 * ```ts
 * const configProblems: MscAiErrorCode[] = ["INVALID_MODE_TABLE", "INVALID_REGIME_MAP", "INVALID_OPTIONS"];
 * ```
 */
export type MscAiErrorCode =
  | "INVALID_MODE_TABLE"
  | "INVALID_REGIME_MAP"
  | "INVALID_OPTIONS"
  | "INVALID_RISK_MODE"
  | "INVALID_ALLOWED_STRATEGIES"
  | "UNKNOWN_REGIME"
  | "CONTROLLER_CLOSED";

/**
 * Base class of every error of `@qt/msc-ai`.
 *
 * `isInstance` works across duplicate installs of the package (it checks a `Symbol.for` marker,
 * not the prototype chain).
 *
 * @example
 * ```ts
 * try { await msc.onRegimeChange(regime); }
 * catch (error) { if (MscAiError.isInstance(error)) log.warn({ code: error.code }, error.message); }
 * ```
 */
export class MscAiError extends Error {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: MscAiErrorCode;

  constructor(code: MscAiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MscAiError";
    this.code = code;
  }

  /** True for any `MscAiError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is MscAiError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * The controller's configuration is malformed; thrown at construction (or by `parseModeTable` /
 * `parseRegimeMap`), so a bad table never reaches a `policy.updated` event. The code says which
 * part: `INVALID_MODE_TABLE` (`modes`), `INVALID_REGIME_MAP` (`regimes`) or `INVALID_OPTIONS`
 * (anything else, e.g. `recovery.delayMs`).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof InvalidConfigError) console.log(e.issues[0]?.path); } // "modes.DEFENSIVE.max_risk_per_trade"
 * ```
 */
export class InvalidConfigError extends MscAiError {
  override readonly code: "INVALID_MODE_TABLE" | "INVALID_REGIME_MAP" | "INVALID_OPTIONS";
  /** Every problem found, each naming its field from the options' root, e.g. `regimes.trending`. */
  readonly issues: readonly ValidationIssue[];

  constructor(
    code: "INVALID_MODE_TABLE" | "INVALID_REGIME_MAP" | "INVALID_OPTIONS",
    issues: readonly ValidationIssue[],
    options?: { cause?: unknown },
  ) {
    const what = {
      INVALID_MODE_TABLE: "mode table",
      INVALID_REGIME_MAP: "regime map",
      INVALID_OPTIONS: "options",
    };
    super(code, `Invalid ${what[code]}: ${describeIssues(issues)}`, options);
    this.name = "InvalidConfigError";
    this.code = code;
    this.issues = issues;
  }
}

/**
 * A value given as a risk mode is not one of `AGGRESSIVE`, `NORMAL`, `DEFENSIVE`. Nothing was
 * stored or published.
 *
 * @example
 * ```ts
 * await expect(msc.updateRiskMode("YOLO" as RiskMode)).rejects.toBeInstanceOf(InvalidRiskModeError);
 * ```
 */
export class InvalidRiskModeError extends MscAiError {
  /** What was received, described without quoting arbitrary content (e.g. `string "YOLO"`, `undefined`). */
  readonly received: string;

  constructor(value: unknown) {
    const received = typeof value === "string" ? `string ${JSON.stringify(value)}` : describeType(value);
    super(
      "INVALID_RISK_MODE",
      `Invalid risk mode: expected AGGRESSIVE | NORMAL | DEFENSIVE, received ${received}`,
    );
    this.name = "InvalidRiskModeError";
    this.received = received;
  }
}

/**
 * A list of allowed strategies is not an array of non-empty strings (a `policy.updated` event
 * could not carry it). Nothing was stored.
 *
 * @example
 * ```ts
 * await expect(store.setAllowedStrategies([""])).rejects.toMatchObject({ code: "INVALID_ALLOWED_STRATEGIES" });
 * ```
 */
export class InvalidAllowedStrategiesError extends MscAiError {
  /** Every problem found, e.g. `{ path: "allowed_strategies.0", message: "expected a non-empty string" }`. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    super("INVALID_ALLOWED_STRATEGIES", `Invalid allowed strategies: ${describeIssues(issues)}`);
    this.name = "InvalidAllowedStrategiesError";
    this.issues = issues;
  }
}

/**
 * `onRegimeChange` was given a regime that the regime map does not know. Nothing changed.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof UnknownRegimeError) log.warn({ known: e.knownRegimes }, e.message); }
 * ```
 */
export class UnknownRegimeError extends MscAiError {
  /** The regime received. */
  readonly regime: string;
  /** The regimes the map knows, e.g. `["trending", "ranging", "volatile"]`. */
  readonly knownRegimes: readonly string[];

  constructor(regime: unknown, knownRegimes: readonly string[]) {
    const shown = typeof regime === "string" ? JSON.stringify(regime) : describeType(regime);
    super("UNKNOWN_REGIME", `Unknown market regime ${shown}: expected one of ${knownRegimes.join(" | ")}`);
    this.name = "UnknownRegimeError";
    this.regime = typeof regime === "string" ? regime : shown;
    this.knownRegimes = knownRegimes;
  }
}

/**
 * The controller was closed: it no longer takes requests. Nothing was stored or published.
 *
 * @example
 * ```ts
 * await msc.close();
 * await expect(msc.updateRiskMode("NORMAL")).rejects.toMatchObject({ code: "CONTROLLER_CLOSED" });
 * ```
 */
export class ControllerClosedError extends MscAiError {
  /** The method that was refused, e.g. `updateRiskMode`. */
  readonly operation: string;

  constructor(operation: string) {
    super("CONTROLLER_CLOSED", `MetaStrategyController is closed: ${operation}() refused`);
    this.name = "ControllerClosedError";
    this.operation = operation;
  }
}

function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ") || "unknown problem";
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
