/**
 * One point of the equity curve.
 *
 * @example
 * ```ts
 * const point: EquityPoint = { time: 1735689600000, equity: 100_250, drawdownPct: 0.4 };
 * ```
 */
export interface EquityPoint {
  /** Market time, epoch milliseconds. */
  readonly time: number;
  readonly equity: number;
  /** Below the peak of the drawdown window, in percent (positive). */
  readonly drawdownPct: number;
}

/**
 * Equity over time and its drawdown: from the highest equity of the last `window` ticks (what
 * the drawdown guard reports, so a loss stops counting once it is old) and from the all-time peak
 * (what the summary reports). Keeps the last `capacity` points for the dashboard.
 *
 * @example
 * ```ts
 * const curve = new EquityCurve({ window: 240 });
 * curve.push(Date.now(), 100_000);
 * curve.push(Date.now(), 95_000).drawdownPct; // 5
 * ```
 */
export class EquityCurve {
  readonly #window: number;
  readonly #capacity: number;
  readonly #points: EquityPoint[] = [];
  /** Indices and equities of a decreasing deque: the window's maximum in O(1). */
  readonly #peaks: { index: number; equity: number }[] = [];
  #index = 0;
  #allTimePeak = Number.NEGATIVE_INFINITY;
  #maxDrawdownPct = 0;

  constructor(options: { window: number; capacity?: number }) {
    this.#window = options.window;
    this.#capacity = options.capacity ?? 2_000;
  }

  push(time: number, equity: number): EquityPoint {
    const index = this.#index++;
    while (this.#peaks.length > 0 && (this.#peaks[this.#peaks.length - 1]?.equity ?? 0) <= equity) {
      this.#peaks.pop();
    }
    this.#peaks.push({ index, equity });
    while ((this.#peaks[0]?.index ?? index) <= index - this.#window) this.#peaks.shift();
    const peak = this.#peaks[0]?.equity ?? equity;
    const drawdownPct = peak > 0 ? Math.max(0, ((peak - equity) / peak) * 100) : 0;
    this.#allTimePeak = Math.max(this.#allTimePeak, equity);
    const fromTop = this.#allTimePeak > 0 ? ((this.#allTimePeak - equity) / this.#allTimePeak) * 100 : 0;
    this.#maxDrawdownPct = Math.max(this.#maxDrawdownPct, fromTop);
    const point = { time, equity, drawdownPct: Math.round(drawdownPct * 1e6) / 1e6 };
    this.#points.push(point);
    if (this.#points.length > this.#capacity) this.#points.shift();
    return point;
  }

  /** The newest point, if any. */
  get last(): EquityPoint | undefined {
    return this.#points[this.#points.length - 1];
  }

  /** Deepest fall from the all-time peak so far, in percent. */
  get maxDrawdownPct(): number {
    return this.#maxDrawdownPct;
  }

  /** Points kept, oldest first; `since` (epoch ms, exclusive) returns only newer ones. */
  points(since?: number): EquityPoint[] {
    return since === undefined ? [...this.#points] : this.#points.filter((p) => p.time > since);
  }
}
