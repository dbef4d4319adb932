import type { RetryPolicy } from "./event-bus.js";

/** The bus's default: three tries, 100 ms then 200 ms (full jitter), capped at 5 s. */
export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  factor: 2,
  jitter: "full",
});

/**
 * Merges overrides onto a base policy and checks every field, so a bad setting fails at
 * subscribe time rather than at the first error.
 *
 * @throws RangeError naming the bad field.
 */
export function resolveRetryPolicy(
  base: Readonly<RetryPolicy>,
  overrides: Partial<RetryPolicy> = {},
): RetryPolicy {
  const policy = { ...base, ...overrides };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${policy.maxAttempts}`);
  }
  for (const key of ["initialDelayMs", "maxDelayMs"] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0)
      throw new RangeError(`retry.${key} must be >= 0, got ${policy[key]}`);
  }
  if (!Number.isFinite(policy.factor) || policy.factor < 1)
    throw new RangeError(`retry.factor must be >= 1, got ${policy.factor}`);
  if (!["full", "equal", "none"].includes(policy.jitter)) {
    throw new RangeError(`retry.jitter must be "full", "equal" or "none", got ${String(policy.jitter)}`);
  }
  return policy;
}

/**
 * The delay before retry number `failedAttempt` (1 after the first failure): exponential growth,
 * capped, with jitter so that many failing handlers do not retry in lockstep.
 */
export function backoffDelay(
  policy: Readonly<RetryPolicy>,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.factor ** (failedAttempt - 1),
  );
  switch (policy.jitter) {
    case "full":
      return Math.round(random() * exponential);
    case "equal":
      return Math.round(exponential / 2 + random() * (exponential / 2));
    default:
      return Math.round(exponential);
  }
}
