import type { TradeSide } from "@qt/events";

/**
 * An open position in one symbol: the net quantity (positive long, negative short) and the
 * average price it was entered at. Fees are not part of the entry price.
 *
 * @example
 * ```ts
 * const btc: Position = { symbol: "BTCUSDT", quantity: -0.5, averageEntryPrice: 64_032 }; // short 0.5
 * ```
 */
export interface Position {
  /** The instrument, e.g. `BTCUSDT`. */
  readonly symbol: string;
  /** Net quantity: > 0 long, < 0 short. Never 0: a flat symbol has no position. */
  readonly quantity: number;
  /** Size-weighted average fill price of the quantity still open. */
  readonly averageEntryPrice: number;
}

/** What one fill does to a position. */
export interface PositionChange {
  /** The position after the fill; `undefined` when it is flat. */
  readonly position: Position | undefined;
  /** Quantity of the previous position that the fill closed (0 when it only opened or increased). */
  readonly closedQuantity: number;
  /** Realised pnl of the closed quantity net of its share of the fee; `null` when nothing closed. */
  readonly pnl: number | null;
}

// Quantities this close to zero, relative to the sizes involved, are float noise: 0.1 + 0.2 - 0.3.
const RELATIVE_EPSILON = 1e-9;

/**
 * Applies a fill to a position (pure). See the README's "Positions and pnl" for the rules:
 * opening or increasing averages the entry price; reducing or closing realises
 * `(fill - entry) * closed` for a long, `(entry - fill) * closed` for a short, minus the fee's
 * share of the closed quantity (`fee * closed / size`); a fill larger than the position closes it
 * and opens the rest on the other side at the fill price.
 */
export function applyFill(
  symbol: string,
  previous: Position | undefined,
  side: TradeSide,
  size: number,
  price: number,
  fee: number,
): PositionChange {
  const held = previous?.quantity ?? 0;
  const direction = side === "BUY" ? 1 : -1;
  if (previous === undefined || Math.sign(held) === direction) {
    const quantity = held + direction * size;
    const heldCost = Math.abs(held) * (previous?.averageEntryPrice ?? 0);
    return {
      position: { symbol, quantity, averageEntryPrice: (heldCost + size * price) / Math.abs(quantity) },
      closedQuantity: 0,
      pnl: null,
    };
  }
  const tolerance = RELATIVE_EPSILON * Math.max(Math.abs(held), size);
  const heldSize = Math.abs(held);
  const closedQuantity = Math.abs(heldSize - size) <= tolerance ? heldSize : Math.min(heldSize, size);
  const gross = (price - previous.averageEntryPrice) * closedQuantity * Math.sign(held);
  const pnl = gross - (fee * closedQuantity) / size;
  const opened = size - closedQuantity;
  const remaining = heldSize - closedQuantity;
  let position: Position | undefined;
  if (opened > tolerance) {
    position = { symbol, quantity: direction * opened, averageEntryPrice: price };
  } else if (remaining > tolerance) {
    position = {
      symbol,
      quantity: Math.sign(held) * remaining,
      averageEntryPrice: previous.averageEntryPrice,
    };
  }
  return { position, closedQuantity, pnl };
}
