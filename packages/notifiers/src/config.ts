import type { DeadLetterStore, Logger, RetryPolicy } from "@qt/eventbus";
import { type QtEventBus, type QtEventType, qtEventRegistry, toValidationIssues } from "@qt/events";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import type { Redactor } from "./redact.js";
import type { AnyAlertRule } from "./rules.js";
import { SEVERITIES } from "./severity.js";
import type { RateLimit } from "./token-bucket.js";

/**
 * Options every notifier takes (Discord, email, or a {@link Notifier} with your own channel).
 *
 * @example
 * ```ts
 * const common: NotifierOptions = {
 *   eventBus: bus,
 *   rules: defaultRules({ pnlThreshold: 2_000 }),
 *   stormWindowMs: 10 * 60_000,
 *   rateLimit: { limit: 20, intervalMs: 60_000 },
 *   deadLetters: bus.deadLetters,
 * };
 * ```
 */
export interface NotifierOptions {
  /** The bus to subscribe to: one subscription per event type named by a rule. */
  readonly eventBus: QtEventBus;
  /** What is sent; default {@link defaultRules}(). The first matching rule of an event's type wins. */
  readonly rules?: readonly AnyAlertRule[];
  /** For logs, dead letters and `requeue`; default `DiscordNotifier`, `EmailNotifier` or `Notifier`. Give two notifiers of one kind different names. */
  readonly name?: string;
  /** Repeats of an alert (same subject and status) within this window are suppressed. Default 5 minutes. */
  readonly stormWindowMs?: number;
  /** At most `limit` messages per `intervalMs` on this channel; excess alerts wait in the queue. Default 30 a minute. */
  readonly rateLimit?: RateLimit;
  /** Alerts waiting to be sent, at most; one more is dead-lettered (`QUEUE_FULL`). Default 1,000. */
  readonly maxQueueSize?: number;
  /** Retries of transient failures. Default 4 tries, 1 s doubling to 30 s, full jitter. */
  readonly retry?: Partial<RetryPolicy>;
  /** Cap on a retry-after asked for by the service. Default 60 s. */
  readonly maxRetryAfterMs?: number;
  /** How long `close()` drains the queue before dead-lettering the rest. Default 5 s. */
  readonly closeTimeoutMs?: number;
  /** Where failed alerts go; pass the bus's `deadLetters` to keep them in one place. Default: a store of its own (`notifier.deadLetters`). */
  readonly deadLetters?: DeadLetterStore;
  /** pino-style logger; every line is redacted. Default: JSON lines on stderr. */
  readonly logger?: Logger;
  /** Clock (ms) for storm windows and the rate limit. Default `Date.now`. */
  readonly now?: () => number;
  /** Randomness for retry jitter. Default `Math.random`. */
  readonly random?: () => number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", {
  error: "expected a function",
});

const eventTypes = qtEventRegistry.types() as [QtEventType, ...QtEventType[]];

const ruleSchema = z.strictObject({
  name: z.string().min(1).optional(),
  type: z.enum(eventTypes),
  when: fn.optional(),
  severity: z.union([z.enum(SEVERITIES), fn]),
  title: z.union([z.string().min(1), fn]).optional(),
  summary: z.union([z.string(), fn]).optional(),
  stormKey: fn.optional(),
});

const duration = z.number().min(0);

/** @internal The zod shape of {@link NotifierOptions}: notifier schemas extend it. */
export const notifierOptionsShape = {
  eventBus: z.custom<QtEventBus>((v) => isObject(v) && typeof v.subscribe === "function", {
    error: "expected an EventBus (an object with subscribe())",
  }),
  rules: z.array(ruleSchema).optional(),
  name: z.string().min(1).max(100).optional(),
  stormWindowMs: duration.optional(),
  rateLimit: z.strictObject({ limit: z.int().min(1), intervalMs: z.number().positive() }).optional(),
  maxQueueSize: z.int().min(1).optional(),
  retry: z
    .strictObject({
      maxAttempts: z.int().min(1),
      initialDelayMs: duration,
      maxDelayMs: duration,
      factor: z.number().min(1),
      jitter: z.enum(["full", "equal", "none"]),
    })
    .partial()
    .optional(),
  maxRetryAfterMs: duration.optional(),
  closeTimeoutMs: duration.optional(),
  deadLetters: z
    .custom<DeadLetterStore>((v) => isObject(v) && typeof v.add === "function", {
      error: "expected a DeadLetterStore (an object with add())",
    })
    .optional(),
  logger: z
    .custom<Logger>((v) => isObject(v) && typeof v.warn === "function" && typeof v.error === "function", {
      error: "expected a logger with warn() and error()",
    })
    .optional(),
  now: fn.optional(),
  random: fn.optional(),
};

/**
 * @internal
 * Validates options against a schema, or throws {@link ConfigError} naming every bad option.
 * Messages never quote a string value, and are redacted besides.
 */
export function parseOptions<S extends z.ZodType>(
  component: string,
  schema: S,
  input: unknown,
  redact: Redactor,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error.issues, input, "").map((issue) => ({
    path: redact(issue.path),
    message: redact(issue.message),
  }));
  throw new ConfigError(component, issues);
}

/** @internal A string field of an object that may be anything: to collect secrets before validation. */
export function stringAt(input: unknown, ...path: string[]): string | undefined {
  let value: unknown = input;
  for (const key of path) {
    if (!isObject(value)) return undefined;
    value = value[key];
  }
  return typeof value === "string" ? value : undefined;
}
