import { Decimal } from "./decimal.js";

/**
 * Performance of a set of closed trades (fills with a realised pnl), in pnl units.
 *
 * Sums are exact decimal sums of the stored pnl values (so `0.1 + 0.2` totals `0.3`), turned into
 * numbers at the end; ratios are computed from them.
 *
 * @example
 * ```ts
 * const { totalPnl, winRate, profitFactor, maxDrawdown } = tracker.snapshot.overall;
 * ```
 */
export interface PerformanceMetrics {
  /** Sum of realised pnl. */
  readonly totalPnl: number;
  /** Closed trades counted (pnl not `null`), breakeven ones included. */
  readonly tradeCount: number;
  /** Trades with pnl > 0. */
  readonly wins: number;
  /** Trades with pnl < 0. */
  readonly losses: number;
  /** `wins / tradeCount`; `null` with no trade. A breakeven trade counts in the denominator. */
  readonly winRate: number | null;
  /** Sum of winning pnl (>= 0). */
  readonly grossProfit: number;
  /** Sum of losing pnl (<= 0). */
  readonly grossLoss: number;
  /** `grossProfit / wins`; `null` with no win. */
  readonly averageWin: number | null;
  /** `grossLoss / losses`, a negative number; `null` with no loss. */
  readonly averageLoss: number | null;
  /** `grossProfit / |grossLoss|`; `null` with no loss (undefined, and `Infinity` is not JSON). */
  readonly profitFactor: number | null;
  /**
   * Largest fall of the cumulative pnl curve from its running peak (the curve starts at 0), in
   * pnl units, >= 0. In the order trades were stored.
   */
  readonly maxDrawdown: number;
}

/** Running totals of one set of trades; immutable snapshots on demand. */
export class MetricsAccumulator {
  #total = Decimal.ZERO;
  #grossProfit = Decimal.ZERO;
  #grossLoss = Decimal.ZERO;
  #peak = Decimal.ZERO;
  #maxDrawdown = Decimal.ZERO;
  #trades = 0;
  #wins = 0;
  #losses = 0;

  /** Adds one closed trade's pnl. */
  add(pnl: number): void {
    const value = Decimal.of(pnl);
    this.#trades++;
    this.#total = this.#total.plus(value);
    if (value.sign > 0) {
      this.#wins++;
      this.#grossProfit = this.#grossProfit.plus(value);
    } else if (value.sign < 0) {
      this.#losses++;
      this.#grossLoss = this.#grossLoss.plus(value);
    }
    if (this.#total.compare(this.#peak) > 0) this.#peak = this.#total;
    const drawdown = this.#peak.minus(this.#total);
    if (drawdown.compare(this.#maxDrawdown) > 0) this.#maxDrawdown = drawdown;
  }

  snapshot(): PerformanceMetrics {
    const grossProfit = this.#grossProfit.toNumber();
    const grossLoss = this.#grossLoss.toNumber();
    return Object.freeze({
      totalPnl: this.#total.toNumber(),
      tradeCount: this.#trades,
      wins: this.#wins,
      losses: this.#losses,
      winRate: this.#trades === 0 ? null : this.#wins / this.#trades,
      grossProfit,
      grossLoss,
      averageWin: this.#wins === 0 ? null : grossProfit / this.#wins,
      averageLoss: this.#losses === 0 ? null : grossLoss / this.#losses,
      profitFactor: this.#losses === 0 ? null : grossProfit / -grossLoss,
      maxDrawdown: this.#maxDrawdown.toNumber(),
    });
  }
}
