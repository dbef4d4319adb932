import type { Candle, MarketFeed, MarketTick, Regime } from "./candle.js";
import { deriveSeed, integerBetween, mulberry32, normal, type Random } from "./random.js";

/** How a regime moves prices, and how long it lasts. */
interface RegimeParameters {
  /** Drift of the common market factor per tick (log return); trending draws its sign at the start. */
  readonly drift: number;
  /** Volatility of the common factor per tick. */
  readonly factorVol: number;
  /** Volatility specific to each symbol per tick. */
  readonly idioVol: number;
  /** Pull of the log price back to its anchor per tick (ranging markets revert). */
  readonly reversion: number;
  /** Chance per tick of a jump, and its size range (log return). */
  readonly jumpChance: number;
  readonly jump: readonly [number, number];
  /** Volume multiplier. */
  readonly activity: number;
  /** Length in ticks, drawn uniformly. */
  readonly duration: readonly [number, number];
  /** Which regime follows, with weights. */
  readonly next: readonly (readonly [Regime, number])[];
}

const REGIMES: Readonly<Record<Regime, RegimeParameters>> = {
  trending: {
    drift: 0.0007,
    factorVol: 0.0012,
    idioVol: 0.0008,
    reversion: 0,
    jumpChance: 0,
    jump: [0, 0],
    activity: 1.3,
    duration: [180, 420],
    next: [
      ["ranging", 0.6],
      ["volatile", 0.4],
    ],
  },
  ranging: {
    drift: 0,
    factorVol: 0.0006,
    idioVol: 0.002,
    reversion: 0.05,
    jumpChance: 0,
    jump: [0, 0],
    activity: 0.8,
    duration: [180, 420],
    next: [
      ["trending", 0.55],
      ["volatile", 0.45],
    ],
  },
  volatile: {
    // A drawdown episode: prices fall with large swings and the odd gap down.
    drift: -0.0014,
    factorVol: 0.0045,
    idioVol: 0.002,
    reversion: 0,
    jumpChance: 0.02,
    jump: [-0.025, 0.012],
    activity: 2.2,
    duration: [60, 160],
    next: [
      ["ranging", 0.5],
      ["trending", 0.5],
    ],
  },
};

/** Starting prices and per-tick volumes of well-known symbols; others get seeded ones. */
const KNOWN: Readonly<Record<string, { price: number; quoteVolume: number }>> = {
  BTCUSDT: { price: 64_000, quoteVolume: 4_000_000 },
  ETHUSDT: { price: 3_200, quoteVolume: 2_000_000 },
  SOLUSDT: { price: 150, quoteVolume: 900_000 },
  BNBUSDT: { price: 580, quoteVolume: 500_000 },
  XRPUSDT: { price: 0.6, quoteVolume: 400_000 },
};

/** Options of {@link MarketSimulator}. */
export interface MarketSimulatorOptions {
  /** Same seed, same market. */
  readonly seed: number;
  readonly symbols: readonly string[];
  /** Market time of the first tick. Default 2025-01-01T00:00:00Z, so runs are reproducible. */
  readonly start?: Date;
  /** Market time between ticks. Default one minute. */
  readonly tickMs?: number;
  /** The first regime. Default `ranging`. */
  readonly initialRegime?: Regime;
}

interface SymbolState {
  readonly symbol: string;
  /** Log price. */
  logPrice: number;
  /** Where a ranging market pulls the log price back to. */
  anchor: number;
  /** How strongly it follows the market factor. */
  readonly beta: number;
  readonly quoteVolume: number;
  readonly random: Random;
}

/** Default market time of the first simulated tick. */
export const DEFAULT_SIMULATION_START = new Date(Date.UTC(2025, 0, 1));

/**
 * A seeded market: a candle per symbol per tick, driven by a common factor and a regime state
 * machine (trending, ranging, volatile with drawdowns). Pure computation: the same seed and symbols
 * give the same ticks on every machine, at any replay speed.
 *
 * @example
 * ```ts
 * const market = new MarketSimulator({ seed: 42, symbols: ["BTCUSDT", "ETHUSDT"] });
 * const tick = market.step(); // { index: 0, time, candles: [...], regime: "ranging" }
 * ```
 */
export class MarketSimulator implements MarketFeed {
  readonly symbols: readonly string[];
  readonly #random: Random;
  readonly #states: SymbolState[];
  readonly #start: number;
  readonly #tickMs: number;
  #index = 0;
  #regime: Regime;
  #regimeLeft: number;
  #direction = 1;

  constructor(options: MarketSimulatorOptions) {
    if (options.symbols.length === 0) throw new RangeError("MarketSimulator needs at least one symbol");
    this.symbols = [...options.symbols];
    this.#random = mulberry32(deriveSeed(options.seed, "market"));
    this.#start = (options.start ?? DEFAULT_SIMULATION_START).getTime();
    this.#tickMs = options.tickMs ?? 60_000;
    this.#states = this.symbols.map((symbol) => {
      const random = mulberry32(deriveSeed(options.seed, `market:${symbol}`));
      const known = KNOWN[symbol];
      const price = known?.price ?? 5 + Math.round(random() * 500);
      const logPrice = Math.log(price);
      return {
        symbol,
        logPrice,
        anchor: logPrice,
        beta: 0.7 + random() * 0.6,
        quoteVolume: known?.quoteVolume ?? 100_000 + Math.round(random() * 900_000),
        random,
      };
    });
    this.#regime = options.initialRegime ?? "ranging";
    this.#regimeLeft = this.#drawDuration(this.#regime);
  }

  /** The regime the next tick is generated in. */
  get regime(): Regime {
    return this.#regime;
  }

  /** Generates the next tick. */
  step(): MarketTick {
    if (this.#regimeLeft <= 0) this.#enter(this.#nextRegime());
    this.#regimeLeft--;
    const parameters = REGIMES[this.#regime];
    const time = new Date(this.#start + this.#index * this.#tickMs);
    const factor = parameters.drift * this.#direction + parameters.factorVol * normal(this.#random);
    const jump =
      parameters.jumpChance > 0 && this.#random() < parameters.jumpChance
        ? parameters.jump[0] + this.#random() * (parameters.jump[1] - parameters.jump[0])
        : 0;
    const candles: Candle[] = this.#states.map((state) => {
      const open = Math.exp(state.logPrice);
      const pull = parameters.reversion * (state.anchor - state.logPrice);
      const move = state.beta * (factor + jump) + pull + parameters.idioVol * normal(state.random);
      state.logPrice += move;
      const close = Math.exp(state.logPrice);
      const wick = (parameters.factorVol + parameters.idioVol) * 0.6;
      const high = Math.max(open, close) * (1 + Math.abs(normal(state.random)) * wick);
      const low = Math.min(open, close) * (1 - Math.abs(normal(state.random)) * wick);
      const surprise = Math.abs(move) / (parameters.factorVol + parameters.idioVol);
      const quote =
        state.quoteVolume *
        parameters.activity *
        (0.6 + 0.4 * surprise) *
        Math.exp(0.3 * normal(state.random));
      return { symbol: state.symbol, timestamp: time, open, high, low, close, volume: quote / close };
    });
    const tick: MarketTick = { index: this.#index, time, candles, regime: this.#regime };
    this.#index++;
    return tick;
  }

  /** The next tick; a simulator never runs out. */
  async next(): Promise<MarketTick> {
    return this.step();
  }

  async close(): Promise<void> {}

  #enter(regime: Regime): void {
    this.#regime = regime;
    this.#regimeLeft = this.#drawDuration(regime);
    // Trends go up more often than down; drawdowns come from the volatile regime.
    this.#direction = regime === "trending" && this.#random() < 0.35 ? -1 : 1;
    for (const state of this.#states) state.anchor = state.logPrice;
  }

  #nextRegime(): Regime {
    const choices = REGIMES[this.#regime].next;
    let draw = this.#random() * choices.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [regime, weight] of choices) {
      draw -= weight;
      if (draw < 0) return regime;
    }
    return choices[choices.length - 1]?.[0] ?? "ranging";
  }

  #drawDuration(regime: Regime): number {
    const [min, max] = REGIMES[regime].duration;
    return integerBetween(this.#random, min, max);
  }
}
