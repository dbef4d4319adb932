/**
 * Every error this package throws or rejects with is an {@link AnalyticsError}: one class with a
 * stable string `code`, a `retryable` decision and the driver's error as `cause`. Messages name
 * the store by a redacted address, never a password.
 *
 * @packageDocumentation
 */
import type { ValidationIssue } from "@qt/eventbus";

const MARKER = Symbol.for("@qt/analytics.error");

/**
 * The stable codes of every error this package defines.
 *
 * - `INVALID_CONFIG`: a factory or component was given bad options.
 * - `STORE_UNAVAILABLE`: the database cannot be reached or is busy (refused connection, connection
 *   killed, disk I/O, lock timeout). Retrying later may succeed.
 * - `WRITE_FAILED`: the database refused a write (constraint, permission, missing table).
 * - `READ_FAILED`: the database refused a query.
 * - `MIGRATION_FAILED`: the schema could not be brought up to date.
 * - `STORE_CLOSED`: the store was closed before the call.
 * - `INVALID_POLICY`: a risk mode or strategy list given to the policy store is malformed.
 *
 * @example
 * ```ts
 * const transient: AnalyticsErrorCode[] = ["STORE_UNAVAILABLE"];
 * ```
 */
export type AnalyticsErrorCode =
  | "INVALID_CONFIG"
  | "STORE_UNAVAILABLE"
  | "WRITE_FAILED"
  | "READ_FAILED"
  | "MIGRATION_FAILED"
  | "STORE_CLOSED"
  | "INVALID_POLICY";

/**
 * Base class of every error of `@qt/analytics`.
 *
 * `retryable` is the decision as data: `true` when the same call may succeed later (the database
 * was unreachable), `false` when it would fail again (a refused row, a closed store, bad input).
 * `isInstance` works across duplicate installs (it checks a `Symbol.for` marker).
 *
 * @example
 * ```ts
 * try { await store.listTrades(); }
 * catch (error) {
 *   if (AnalyticsError.isInstance(error) && error.retryable) scheduleRetry();
 * }
 * ```
 */
export class AnalyticsError extends Error {
  /** Brand for cross-install isInstance checks. @internal */
  readonly [MARKER] = true;
  /** A stable, machine-readable code. */
  readonly code: AnalyticsErrorCode;
  /** True when retrying the same call later may succeed. */
  readonly retryable: boolean;

  constructor(
    code: AnalyticsErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AnalyticsError";
    this.code = code;
    this.retryable = options.retryable ?? code === "STORE_UNAVAILABLE";
  }

  /** True for any `AnalyticsError`, even one thrown by another copy of this package. */
  static isInstance(value: unknown): value is AnalyticsError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * The policy store was given a risk mode or strategy list it refuses to store; nothing was
 * written. `issues` name each field, e.g. `allowed_strategies.1`.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof InvalidPolicyError) console.log(e.issues[0]?.path); } // "risk_mode"
 * ```
 */
export class InvalidPolicyError extends AnalyticsError {
  override readonly code: "INVALID_POLICY" = "INVALID_POLICY";
  /** Every problem found, each naming its field. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    super("INVALID_POLICY", `Invalid policy: ${detail}`, { retryable: false });
    this.name = "InvalidPolicyError";
    this.issues = issues;
  }
}

/**
 * Replaces the password of a connection string (URL or `key=value` form) with `***`, so that a
 * store can name its database in errors and logs.
 *
 * @example
 * ```ts
 * redactConnectionString("postgres://qt:s3cret@db:5432/qt"); // "postgres://qt:***@db:5432/qt"
 * ```
 */
export function redactConnectionString(connectionString: string): string {
  let out = connectionString.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, "$1:***@");
  out = out.replace(/([?&;\s]|^)(password|pass|pwd)=[^&;\s]*/gi, "$1$2=***");
  return out;
}

/** The message of any thrown value, without a password that may appear in it. */
export function messageOf(error: unknown, secrets: readonly string[] = []): string {
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof AggregateError && message === "") {
    message = error.errors.map((e) => messageOf(e)).join("; ");
  }
  if (message === "" && typeof (error as { code?: unknown })?.code === "string") {
    message = (error as { code: string }).code;
  }
  for (const secret of secrets) {
    if (secret !== "") message = message.split(secret).join("***");
  }
  return message;
}
