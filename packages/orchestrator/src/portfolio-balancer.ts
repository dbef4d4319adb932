import { idempotent, latestOnly, type Subscription } from "@qt/eventbus";
import { type QtEventBus, TradeSide } from "@qt/events";

/**
 * An open position: the net quantity of one symbol (positive long, negative short) and the price of
 * the latest fill seen for it.
 *
 * @example
 * ```ts
 * const position: Position = { symbol: "BTCUSDT", net_size: -0.5, last_price: 64_000 }; // short 0.5
 * ```
 */
export interface Position {
  /** The instrument. */
  readonly symbol: string;
  /** Sum of BUY sizes minus sum of SELL sizes; never 0 for an open position. */
  readonly net_size: number;
  /** Price of the newest (by event timestamp) fill of this symbol. */
  readonly last_price: number;
}

/**
 * Options of {@link PortfolioBalancer}.
 *
 * @example
 * ```ts
 * const options: PortfolioBalancerOptions = { eventBus: bus };
 * ```
 */
export interface PortfolioBalancerOptions {
  /** The bus carrying `policy.updated` and `trade.executed`. */
  readonly eventBus: QtEventBus;
}

// Repeated float additions leave dust (0.1 + 0.2 - 0.3 !== 0); a net within one part in a billion
// of the quantities traded is flat, or a closed position would stay "open" forever.
const DUST = 1e-9;

interface Book {
  net: number;
  price: number;
  priceAt: number;
}

/**
 * Tracks open positions from `trade.executed` and the policy's `max_positions`.
 *
 * Netting model: one net quantity per symbol; a BUY adds its size, a SELL subtracts it. A position
 * is open while its net is not zero, so a BUY reduces (or flips) a short and a SELL reduces (or
 * flips) a long; `pnl` is not used. Each trade is applied once per event id, whatever the delivery
 * order; the last price is the newest fill's by timestamp. Fails closed: before the first policy,
 * `canOpen` is false.
 *
 * @example
 * ```ts
 * const balancer = new PortfolioBalancer({ eventBus: bus }); // policy: max_positions 3
 * // after BUY 2 ETHUSDT @ 3000 and SELL 0.5 ETHUSDT @ 3100:
 * balancer.exposure("ETHUSDT"); // 1.5 * 3100 = 4650
 * balancer.canOpen("SOLUSDT"); // true: 1 of 3 open
 * balancer.close();
 * ```
 */
export class PortfolioBalancer {
  #maxPositions: number | undefined;
  readonly #books = new Map<string, Book>();
  readonly #subscriptions: Subscription[];

  constructor(options: PortfolioBalancerOptions) {
    const bus = options.eventBus;
    this.#subscriptions = [
      bus.subscribe(
        "policy.updated",
        idempotent(
          latestOnly((event) => {
            this.#maxPositions = event.payload.max_positions;
          }),
        ),
        { name: "PortfolioBalancer.policy" },
      ),
      // Trades are deltas, not replacements: every one counts whatever its order (no latestOnly),
      // but a redelivery must not count twice.
      bus.subscribe(
        "trade.executed",
        idempotent((event) => {
          const { symbol, side, size, price } = event.payload;
          const at = event.timestamp.getTime();
          const book = this.#books.get(symbol) ?? { net: 0, price, priceAt: at };
          const previous = book.net;
          book.net += side === TradeSide.BUY ? size : -size;
          if (Math.abs(book.net) <= DUST * Math.max(Math.abs(previous), size)) book.net = 0;
          if (at >= book.priceAt) {
            book.price = price;
            book.priceAt = at;
          }
          this.#books.set(symbol, book);
        }),
        { name: "PortfolioBalancer.trade" },
      ),
    ];
  }

  /** The policy's `max_positions`, or `undefined` before the first policy. */
  get maxPositions(): number | undefined {
    return this.#maxPositions;
  }

  /** Every open position (net not zero), in the order symbols were first traded. A fresh array. */
  get openPositions(): readonly Position[] {
    const open: Position[] = [];
    for (const [symbol, book] of this.#books) {
      if (book.net !== 0) open.push({ symbol, net_size: book.net, last_price: book.price });
    }
    return open;
  }

  /** The open position in `symbol`, or `undefined` when flat. */
  position(symbol: string): Position | undefined {
    const book = this.#books.get(symbol);
    return book === undefined || book.net === 0
      ? undefined
      : { symbol, net_size: book.net, last_price: book.price };
  }

  /** Net size × last price: positive when long, negative when short, 0 when flat or never traded. */
  exposure(symbol: string): number {
    const book = this.#books.get(symbol);
    return book === undefined || book.net === 0 ? 0 : book.net * book.price;
  }

  /**
   * Whether a trade in `symbol` stays within `max_positions`: true when `symbol` already has an open
   * position (adding to, reducing or flipping it opens nothing new) or fewer than `max_positions`
   * are open; false before the first policy.
   */
  canOpen(symbol: string): boolean {
    if (this.#maxPositions === undefined) return false;
    if (this.position(symbol) !== undefined) return true;
    return this.openPositions.length < this.#maxPositions;
  }

  /** Unsubscribes from the bus. Positions stay readable. Idempotent. */
  close(): void {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
  }
}
