import { randomUUID } from "node:crypto";
import { SerialQueue } from "@qt/eventbus";
import { type QtEventBus, TradeExecutedEvent, type TradeExecutedPayload, type TradeSide } from "@qt/events";
import { ExecutorError, type ExecutorErrorCode } from "./errors.js";
import { applyFill, type Position } from "./position.js";

/**
 * Where the executor reads the market price of a symbol. Sync or async; it must return a finite
 * number > 0, and may throw when it has no price.
 *
 * @example
 * ```ts
 * const prices: PriceSource = { price: (symbol) => lastTrade.get(symbol) ?? Number.NaN };
 * ```
 */
export interface PriceSource {
  /** The current market price of `symbol`. */
  price(symbol: string): number | Promise<number>;
}

/**
 * An approved order. Field names follow the `trade.executed` payload it turns into.
 *
 * @example
 * ```ts
 * const order: Order = { symbol: "BTCUSDT", side: "BUY", size: 0.25, strategy_id: "trend-v3", model: "xgb@1.5" };
 * ```
 */
export interface Order {
  /** The instrument, e.g. `BTCUSDT`. Non-empty. */
  readonly symbol: string;
  /** `BUY` or `SELL`. */
  readonly side: TradeSide;
  /** Quantity in base units: a finite number > 0. */
  readonly size: number;
  /** The strategy that asked for the order. Non-empty. */
  readonly strategy_id: string;
  /** The model behind the signal, if any: a non-empty string or `null` (the default). */
  readonly model?: string | null;
}

/**
 * A filled order: exactly the published `trade.executed` payload (`price` is the fill price,
 * slippage included; `pnl` is `null` unless the fill closed or reduced a position), plus what the
 * payload does not carry.
 *
 * @example
 * ```ts
 * const fill: Fill = await executor.execute(order);
 * console.log(fill.price, fill.market_price, fill.fee, fill.pnl);
 * ```
 */
export interface Fill extends TradeExecutedPayload {
  /** The price the source quoted, before slippage. */
  readonly market_price: number;
  /** Fee charged on the whole fill: `price * size * feeRate`, in quote currency. */
  readonly fee: number;
  /** When the fill happened (the executor's clock); also the event's timestamp. */
  readonly executed_at: Date;
  /** The position in `symbol` after the fill; `undefined` when flat. */
  readonly position: Position | undefined;
}

/**
 * Options of {@link PaperExecutor}.
 *
 * @example
 * ```ts
 * const options: PaperExecutorOptions = { eventBus: bus, prices, feeRate: 0.0004, slippageBps: 2 };
 * ```
 */
export interface PaperExecutorOptions {
  /** Where `trade.executed` is published. */
  readonly eventBus: QtEventBus;
  /** The market prices fills are based on. */
  readonly prices: PriceSource;
  /** Fee as a fraction of notional, in [0, 1). Default `0.001` (10 bps). */
  readonly feeRate?: number;
  /** Slippage against the taker in basis points, in [0, 10 000). Default `5`. */
  readonly slippageBps?: number;
  /** The time of fills and events. Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** Makes order ids. Default `randomUUID`. */
  readonly idGenerator?: () => string;
  /** The events' `source`. Default `"executor"`. */
  readonly source?: string;
}

/**
 * A paper executor: fills orders at the market price with slippage and fees, keeps net positions
 * per symbol, realises pnl on reductions and closes, and publishes one `trade.executed` per fill.
 *
 * Calls are applied one at a time in call order. A fill changes the positions only once the bus
 * has accepted its event; a bad order, a bad price or a refused publish changes nothing.
 *
 * @example
 * ```ts
 * const executor = new PaperExecutor({ eventBus: bus, prices: { price: () => 64_000 } });
 * const fill = await executor.execute({ symbol: "BTCUSDT", side: "BUY", size: 0.5, strategy_id: "trend" });
 * fill.price; // 64 032 (5 bps paid up)
 * executor.position("BTCUSDT"); // { symbol: "BTCUSDT", quantity: 0.5, averageEntryPrice: 64032 }
 * ```
 */
export class PaperExecutor {
  readonly #bus: QtEventBus;
  readonly #prices: PriceSource;
  readonly #feeRate: number;
  readonly #slippageBps: number;
  readonly #clock: () => Date;
  readonly #newId: () => string;
  readonly #source: string;
  readonly #positions = new Map<string, Position>();
  readonly #queue = new SerialQueue();
  #realisedPnl = 0;
  #fees = 0;

  /** @throws {@link ExecutorError} `INVALID_OPTIONS` naming the bad option. */
  constructor(options: PaperExecutorOptions) {
    const invalid = (field: string, expected: string, received: unknown) =>
      new ExecutorError({ code: "INVALID_OPTIONS", field: `options.${field}`, expected, received });
    if (typeof options?.eventBus?.publish !== "function") {
      throw invalid("eventBus", "an EventBus", options?.eventBus);
    }
    if (typeof options.prices?.price !== "function") {
      throw invalid("prices", "an object with price(symbol)", options.prices);
    }
    const feeRate = options.feeRate ?? 0.001;
    if (!Number.isFinite(feeRate) || feeRate < 0 || feeRate >= 1) {
      throw invalid("feeRate", "a number in [0, 1)", feeRate);
    }
    const slippageBps = options.slippageBps ?? 5;
    if (!Number.isFinite(slippageBps) || slippageBps < 0 || slippageBps >= 10_000) {
      throw invalid("slippageBps", "a number in [0, 10000)", slippageBps);
    }
    if (options.clock !== undefined && typeof options.clock !== "function") {
      throw invalid("clock", "a function returning a Date", options.clock);
    }
    if (options.idGenerator !== undefined && typeof options.idGenerator !== "function") {
      throw invalid("idGenerator", "a function returning a string", options.idGenerator);
    }
    const source = options.source ?? "executor";
    if (typeof source !== "string" || source === "") throw invalid("source", "a non-empty string", source);
    this.#bus = options.eventBus;
    this.#prices = options.prices;
    this.#feeRate = feeRate;
    this.#slippageBps = slippageBps;
    this.#clock = options.clock ?? (() => new Date());
    this.#newId = options.idGenerator ?? randomUUID;
    this.#source = source;
  }

  /**
   * Fills `order` at the market price moved against the taker by `slippageBps` (a BUY pays
   * `market * (1 + bps / 10 000)`, a SELL receives `market * (1 - bps / 10 000)`), charges
   * `fill * size * feeRate`, updates the position and publishes `trade.executed`.
   *
   * @throws {@link ExecutorError} `INVALID_ORDER` (naming the field), `INVALID_PRICE` or
   *   `PRICE_UNAVAILABLE`; and whatever the bus's `publish` throws. In every case nothing changed.
   *
   * @example
   * ```ts
   * const fill = await executor.execute({ symbol: "BTCUSDT", side: "SELL", size: 0.5, strategy_id: "trend" });
   * if (fill.pnl !== null) console.log("realised", fill.pnl);
   * ```
   */
  execute(order: Order): Promise<Fill> {
    try {
      validateOrder(order);
    } catch (error) {
      return Promise.reject(error);
    }
    // Copy now: a caller mutating its order object while we wait must not change the fill.
    const { symbol, side, size, strategy_id } = order;
    const model = order.model ?? null;
    return this.#queue.run(async () => {
      const marketPrice = await this.#marketPrice(symbol);
      const slip = this.#slippageBps / 10_000;
      const price = side === "BUY" ? marketPrice * (1 + slip) : marketPrice * (1 - slip);
      const fee = price * size * this.#feeRate;
      const change = applyFill(symbol, this.#positions.get(symbol), side, size, price, fee);
      const executedAt = this.#clock();
      const payload: TradeExecutedPayload = {
        order_id: this.#newId(),
        symbol,
        side,
        size,
        price,
        strategy_id,
        model,
        pnl: change.pnl,
      };
      await this.#bus.publish(
        TradeExecutedEvent.create(payload, { source: this.#source, timestamp: executedAt }),
      );
      if (change.position === undefined) this.#positions.delete(symbol);
      else this.#positions.set(symbol, change.position);
      this.#realisedPnl += change.pnl ?? 0;
      this.#fees += fee;
      return {
        ...payload,
        market_price: marketPrice,
        fee,
        executed_at: executedAt,
        position: change.position,
      };
    });
  }

  /**
   * Every open position, in the order the symbols were first opened.
   *
   * @example
   * ```ts
   * for (const p of executor.positions()) console.log(p.symbol, p.quantity);
   * ```
   */
  positions(): Position[] {
    return [...this.#positions.values()];
  }

  /**
   * The open position in `symbol`, or `undefined` when flat.
   *
   * @example
   * ```ts
   * const exposure = executor.position("BTCUSDT")?.quantity ?? 0;
   * ```
   */
  position(symbol: string): Position | undefined {
    return this.#positions.get(symbol);
  }

  /**
   * Realised pnl so far, over all symbols: the sum of every fill's `pnl`. Fees of opening fills
   * are not in it (see {@link PaperExecutor.totalFees}).
   *
   * @example
   * ```ts
   * const net = executor.realisedPnl;
   * ```
   */
  get realisedPnl(): number {
    return this.#realisedPnl;
  }

  /**
   * Every fee charged so far, opening and closing fills alike.
   *
   * @example
   * ```ts
   * const openingFees = executor.totalFees - feesInPnl;
   * ```
   */
  get totalFees(): number {
    return this.#fees;
  }

  async #marketPrice(symbol: string): Promise<number> {
    let price: unknown;
    try {
      price = await this.#prices.price(symbol);
    } catch (cause) {
      throw priceError("PRICE_UNAVAILABLE", "a price from the price source", cause, symbol, cause);
    }
    if (typeof price !== "number" || !Number.isFinite(price) || price <= 0) {
      throw priceError("INVALID_PRICE", "a finite number > 0", price, symbol);
    }
    return price;
  }
}

function priceError(
  code: ExecutorErrorCode,
  expected: string,
  received: unknown,
  symbol: string,
  cause?: unknown,
): ExecutorError {
  return new ExecutorError({ code, field: "price", expected, received, symbol, cause });
}

function validateOrder(order: Order): void {
  const bad = (field: string, expected: string, received: unknown) =>
    new ExecutorError({
      code: "INVALID_ORDER",
      field: field === "" ? "order" : `order.${field}`,
      expected,
      received,
      symbol: typeof order?.symbol === "string" ? order.symbol : undefined,
    });
  if (typeof order !== "object" || order === null) throw bad("", "an order object", order);
  if (typeof order.symbol !== "string" || order.symbol.trim() === "") {
    throw bad("symbol", "a non-empty string", order.symbol);
  }
  if (order.side !== "BUY" && order.side !== "SELL") throw bad("side", '"BUY" or "SELL"', order.side);
  if (typeof order.size !== "number" || !Number.isFinite(order.size) || order.size <= 0) {
    throw bad("size", "a finite number > 0", order.size);
  }
  if (typeof order.strategy_id !== "string" || order.strategy_id === "") {
    throw bad("strategy_id", "a non-empty string", order.strategy_id);
  }
  const model = order.model;
  if (model !== undefined && model !== null && (typeof model !== "string" || model === "")) {
    throw bad("model", "a non-empty string or null", model);
  }
}
