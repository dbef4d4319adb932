/**
 * Every error this package throws is an {@link OrchestratorError}: a class with a stable string
 * `code`, structured fields and an optional `cause`. Callers branch on `code` (or on
 * `OrchestratorError.isInstance`), never on message text.
 *
 * @packageDocumentation
 */
import type { ValidationIssue } from "@qt/eventbus";

const MARKER = Symbol.for("@qt/orchestrator.error");

/**
 * The stable codes of every error this package defines.
 *
 * @example
 * ```ts
 * const retryable: OrchestratorErrorCode[] = ["NO_POLICY"];
 * ```
 */
export type OrchestratorErrorCode = "SIGNAL_VALIDATION" | "RISK_INPUT_VALIDATION" | "NO_POLICY";

/**
 * Base class of every error of `@qt/orchestrator`.
 *
 * `isInstance` works across duplicate installs of the package (it checks a `Symbol.for` marker,
 * not the prototype chain).
 *
 * @example
 * ```ts
 * try { orchestrator.evaluateSignal(input); }
 * catch (error) { if (OrchestratorError.isInstance(error)) log.warn({ code: error.code }, error.message); }
 * ```
 */
export class OrchestratorError extends Error {
  /**
   * Brand that `isInstance` checks; keyed by `Symbol.for`, so it matches across duplicate installs.
   * @internal
   */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: OrchestratorErrorCode;

  constructor(code: OrchestratorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OrchestratorError";
    this.code = code;
  }

  /** True for any `OrchestratorError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is OrchestratorError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * A signal given to `evaluateSignal` (or `parseSignal`) is malformed: NaN or out-of-range
 * confidence, a size that is not > 0, an empty symbol, an unknown side, an unknown key... Nothing
 * was evaluated and no state changed.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof SignalValidationError) console.log(e.issues.map((i) => i.path)); } // ["confidence"]
 * ```
 */
export class SignalValidationError extends OrchestratorError {
  /** Every problem found, each naming its field (e.g. `confidence`, `risk.stop_price`). */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super("SIGNAL_VALIDATION", `Invalid signal: ${describeIssues(issues)}`, options);
    this.name = "SignalValidationError";
    this.issues = issues;
  }
}

/**
 * The input of `RiskGuard.size()` or `RiskGuard.check()` is malformed: equity, prices or size not
 * finite and > 0, or a stop equal to the entry (no stop distance, so no risk can be measured).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof RiskInputError) console.log(e.issues[0]?.path); } // "stop_price"
 * ```
 */
export class RiskInputError extends OrchestratorError {
  /** Every problem found, each naming its field. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super("RISK_INPUT_VALIDATION", `Invalid risk input: ${describeIssues(issues)}`, options);
    this.name = "RiskInputError";
    this.issues = issues;
  }
}

/**
 * A limit was asked for before any `policy.updated` event arrived (e.g. `RiskGuard.size()`). The
 * components fail closed: without a policy there is no limit to size against.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof NoPolicyError) return; } // wait for MSC AI's first policy
 * ```
 */
export class NoPolicyError extends OrchestratorError {
  /** Which component had no policy, e.g. `RiskGuard`. */
  readonly component: string;

  constructor(component: string) {
    super("NO_POLICY", `${component} has not received a policy.updated event yet`);
    this.name = "NoPolicyError";
    this.component = component;
  }
}

function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ") || "unknown problem";
}
