import type { Direction } from "./strategy.js";

/** Notional of every hypothetical trade: a fixed amount, so metrics compare across symbols. */
const NOTIONAL = 10_000;
/** Fee and slippage per side, as the paper executor charges them. */
const COST_PER_SIDE = 0.0007;

/**
 * The figures the strategy lifecycle evaluates (its `StrategyMetrics`).
 *
 * @example
 * ```ts
 * const metrics: ShadowMetrics = { sharpe: 1.3, winRate: 0.55, maxDrawdownPct: 2.1, trades: 40 };
 * ```
 */
export interface ShadowMetrics {
  readonly sharpe: number;
  readonly winRate: number;
  readonly maxDrawdownPct: number;
  readonly trades: number;
}

interface OpenTrade {
  readonly direction: Direction;
  readonly entry: number;
}

/**
 * Shadow trading: every decision of a strategy, filled at the close with fees but no approval, no
 * sizing and no real money. Its closed trades give the metrics the strategy lifecycle promotes and
 * demotes on, whether or not the strategy is live, and the model registry's shadow pnl.
 *
 * @example
 * ```ts
 * const book = new ShadowBook();
 * book.update("BTCUSDT", 1, 64_000);
 * book.update("BTCUSDT", 0, 64_500); // closes: one trade, +78 after fees
 * book.metrics(); // { trades: 1, winRate: 1, ... }
 * ```
 */
export class ShadowBook {
  readonly #window: number;
  readonly #open = new Map<string, OpenTrade>();
  readonly #returns: number[] = [];
  #trades = 0;
  #pnl = 0;

  /** `window`: closed trades the metrics look back over. */
  constructor(window = 40) {
    this.#window = window;
  }

  /** The direction it holds in `symbol`. */
  holding(symbol: string): Direction {
    return this.#open.get(symbol)?.direction ?? 0;
  }

  /** Moves the hypothetical position to `direction` at `price`. */
  update(symbol: string, direction: Direction, price: number): void {
    const open = this.#open.get(symbol);
    if (open !== undefined && open.direction !== direction) {
      const gross = (open.direction * (price - open.entry)) / open.entry;
      const net = gross - 2 * COST_PER_SIDE;
      this.#returns.push(net);
      if (this.#returns.length > this.#window) this.#returns.shift();
      this.#pnl += net * NOTIONAL;
      this.#trades++;
      this.#open.delete(symbol);
    }
    if (direction !== 0 && this.#open.get(symbol) === undefined) {
      this.#open.set(symbol, { direction, entry: price });
    }
  }

  /** Cumulative shadow pnl, in quote currency. */
  get pnl(): number {
    return this.#pnl;
  }

  /** Metrics over the last `window` closed trades; `trades` counts every closed trade. */
  metrics(): ShadowMetrics {
    const returns = this.#returns;
    const n = returns.length;
    if (n === 0) return { sharpe: 0, winRate: 0, maxDrawdownPct: 0, trades: this.#trades };
    const mean = returns.reduce((sum, r) => sum + r, 0) / n;
    const variance = returns.reduce((sum, r) => sum + (r - mean) ** 2, 0) / n;
    const std = Math.sqrt(variance);
    // Per-trade Sharpe scaled by the square root of the sample: how clearly the edge stands out.
    const sharpe = std === 0 ? 0 : (mean / std) * Math.sqrt(n);
    let equity = 100;
    let peak = equity;
    let maxDrawdown = 0;
    for (const r of returns) {
      equity *= 1 + r;
      peak = Math.max(peak, equity);
      maxDrawdown = Math.max(maxDrawdown, ((peak - equity) / peak) * 100);
    }
    return {
      sharpe: round(sharpe),
      winRate: round(returns.filter((r) => r > 0).length / n),
      maxDrawdownPct: round(maxDrawdown),
      trades: this.#trades,
    };
  }
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
