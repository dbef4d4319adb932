/**
 * A channel's rate limit: at most `limit` messages per `intervalMs`, refilled continuously (a
 * token bucket holding `limit` tokens, so a burst of `limit` goes out at once).
 *
 * @example
 * ```ts
 * const rateLimit: RateLimit = { limit: 30, intervalMs: 60_000 }; // the default: 30 a minute
 * ```
 */
export interface RateLimit {
  /** Messages allowed per interval, and the largest burst: an integer >= 1. */
  readonly limit: number;
  /** The interval, in ms (> 0). */
  readonly intervalMs: number;
}

/**
 * A token bucket. `take(now)` spends a token and returns 0, or spends nothing and returns how
 * long until a token is available.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ limit: 2, intervalMs: 1_000 }, 0);
 * bucket.take(0); // 0
 * bucket.take(0); // 0
 * bucket.take(0); // 500: the next token comes in 500 ms
 * ```
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  #tokens: number;
  #last: number;

  constructor(rate: RateLimit, now: number) {
    this.#capacity = rate.limit;
    this.#perMs = rate.limit / rate.intervalMs;
    this.#tokens = rate.limit;
    this.#last = now;
  }

  /** Tokens available at `now` (fractional). */
  available(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** Spends one token and returns 0, or returns the ms until one is available. */
  take(now: number): number {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.#perMs));
  }

  #refill(now: number): void {
    if (now > this.#last) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#last) * this.#perMs);
      this.#last = now;
    }
  }
}
