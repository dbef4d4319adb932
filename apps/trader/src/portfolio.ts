import type { Fill } from "@qt/executor";
import type { Direction } from "./strategies/strategy.js";

/**
 * Who holds a symbol: positions are netted per symbol by the executor, so the session lets one
 * strategy at a time hold each symbol, with the stop set when it entered.
 *
 * @example
 * ```ts
 * const holding: Holding = { strategyId: "trend-follow", symbol: "BTCUSDT", direction: 1, stop: 63_100 };
 * ```
 */
export interface Holding {
  readonly strategyId: string;
  readonly symbol: string;
  readonly direction: Direction;
  /** Exit when the price crosses it. */
  readonly stop: number;
}

/**
 * The paper account: cash from every fill (fees included) and the quantity held per symbol, so
 * equity = cash + marked-to-market positions.
 *
 * @example
 * ```ts
 * const portfolio = new Portfolio(100_000);
 * portfolio.applyFill(fill, { strategyId: "trend-follow", stop: 63_100 });
 * portfolio.equity((symbol) => lastPrice(symbol));
 * ```
 */
export class Portfolio {
  readonly initialCapital: number;
  readonly #quantities = new Map<string, number>();
  readonly #holdings = new Map<string, Holding>();
  #cash: number;
  #fees = 0;
  #realised = 0;
  #trades = 0;

  constructor(initialCapital: number) {
    this.initialCapital = initialCapital;
    this.#cash = initialCapital;
  }

  /** Books a fill. `entry` is given when the fill opens a holding for a strategy. */
  applyFill(fill: Fill, entry?: { strategyId: string; stop: number }): void {
    const signed = fill.side === "BUY" ? fill.size : -fill.size;
    this.#cash -= signed * fill.price + fill.fee;
    this.#fees += fill.fee;
    this.#realised += fill.pnl ?? 0;
    this.#trades++;
    const quantity = fill.position?.quantity ?? 0;
    if (quantity === 0) {
      this.#quantities.delete(fill.symbol);
      this.#holdings.delete(fill.symbol);
      return;
    }
    this.#quantities.set(fill.symbol, quantity);
    if (entry !== undefined) {
      this.#holdings.set(fill.symbol, {
        strategyId: entry.strategyId,
        symbol: fill.symbol,
        direction: quantity > 0 ? 1 : -1,
        stop: entry.stop,
      });
    }
  }

  holding(symbol: string): Holding | undefined {
    return this.#holdings.get(symbol);
  }

  holdings(): Holding[] {
    return [...this.#holdings.values()];
  }

  quantity(symbol: string): number {
    return this.#quantities.get(symbol) ?? 0;
  }

  /** Cash plus positions at `price`. */
  equity(price: (symbol: string) => number): number {
    let equity = this.#cash;
    for (const [symbol, quantity] of this.#quantities) equity += quantity * price(symbol);
    return equity;
  }

  get cash(): number {
    return this.#cash;
  }

  /** Every fee paid. */
  get fees(): number {
    return this.#fees;
  }

  /** Sum of the `pnl` of every trade (the executor's realised pnl, net of closing fees). */
  get realisedPnl(): number {
    return this.#realised;
  }

  /** Fills booked. */
  get trades(): number {
    return this.#trades;
  }
}
