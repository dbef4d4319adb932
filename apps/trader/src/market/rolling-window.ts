/**
 * The last `capacity` numbers, with their sum and sum of squares kept up to date (O(1) per push).
 *
 * @example
 * ```ts
 * const window = new RollingWindow(3);
 * for (const x of [1, 2, 3, 4]) window.push(x);
 * window.mean; // 3
 * ```
 */
export class RollingWindow {
  readonly capacity: number;
  readonly #values: number[] = [];
  #start = 0;
  #sum = 0;
  #sumSquares = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  push(value: number): void {
    if (this.#values.length < this.capacity) {
      this.#values.push(value);
    } else {
      const old = this.#values[this.#start] ?? 0;
      this.#sum -= old;
      this.#sumSquares -= old * old;
      this.#values[this.#start] = value;
      this.#start = (this.#start + 1) % this.capacity;
    }
    this.#sum += value;
    this.#sumSquares += value * value;
  }

  get size(): number {
    return this.#values.length;
  }

  get full(): boolean {
    return this.#values.length === this.capacity;
  }

  get sum(): number {
    return this.#sum;
  }

  get mean(): number {
    return this.#values.length === 0 ? 0 : this.#sum / this.#values.length;
  }

  /** Population standard deviation; 0 for fewer than two values. */
  get std(): number {
    const n = this.#values.length;
    if (n < 2) return 0;
    const variance = this.#sumSquares / n - (this.#sum / n) ** 2;
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  /** Largest value held; `undefined` when empty. */
  get max(): number | undefined {
    return this.#values.length === 0 ? undefined : Math.max(...this.#values);
  }

  /** Oldest first. */
  values(): number[] {
    return [...this.#values.slice(this.#start), ...this.#values.slice(0, this.#start)];
  }
}
