/**
 * A rate over the last few seconds from a growing counter (events published, for "events/s").
 *
 * @example
 * ```ts
 * const rate = new RateMeter(() => bus.getStats().published);
 * rate.perSecond(); // sampled on each call
 * ```
 */
export class RateMeter {
  readonly #read: () => number;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #samples: { at: number; value: number }[] = [];

  constructor(read: () => number, options: { now?: () => number; windowMs?: number } = {}) {
    this.#read = read;
    this.#now = options.now ?? (() => performance.now());
    this.#windowMs = options.windowMs ?? 3_000;
  }

  /** Per second, over the samples of the last window (0 until two samples exist). */
  perSecond(): number {
    const at = this.#now();
    this.#samples.push({ at, value: this.#read() });
    while (this.#samples.length > 2 && at - (this.#samples[1]?.at ?? at) >= this.#windowMs)
      this.#samples.shift();
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (first === undefined || last === undefined || last.at - first.at < 1) return 0;
    return ((last.value - first.value) * 1000) / (last.at - first.at);
  }
}
