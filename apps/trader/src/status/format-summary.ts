import { formatMoney } from "./format-status.js";

/**
 * What a run did, printed when it ends (and returned by `stop()`).
 *
 * @example
 * ```ts
 * const summary: TraderSummary = await trader.stop("signal");
 * console.log(summary.bus.published === summary.store.events);
 * ```
 */
export interface TraderSummary {
  /** Why the run ended: `until-trades`, `duration`, `end-of-data`, `SIGINT`, `SIGTERM`, `fatal`. */
  readonly reason: string;
  readonly ticks: number;
  readonly marketStart: string | null;
  readonly marketEnd: string | null;
  readonly wallMs: number;
  readonly trades: number;
  readonly realisedPnl: number;
  readonly fees: number;
  readonly equity: number;
  readonly maxDrawdownPct: number;
  readonly riskMode: string | null;
  readonly bus: {
    readonly published: number;
    readonly delivered: number;
    readonly errors: number;
    readonly deadLettered: number;
  };
  /** Events and trades this run wrote to the store (`null` when it could not be read). */
  readonly store: { readonly events: number | null; readonly trades: number | null };
  readonly badCandleRows: number;
}

/**
 * The summary as a few aligned lines, then one `summary {json}` line for scripts.
 *
 * @example
 * ```ts
 * for (const line of formatSummary(summary)) console.log(line);
 * ```
 */
export function formatSummary(summary: TraderSummary): string[] {
  const span =
    summary.marketStart === null
      ? "no market data"
      : `${summary.marketStart.slice(0, 16).replace("T", " ")} → ${(summary.marketEnd ?? summary.marketStart).slice(0, 16).replace("T", " ")}`;
  return [
    `summary  ended by ${summary.reason} after ${summary.ticks} ticks (${span}) in ${(summary.wallMs / 1000).toFixed(1)} s`,
    `         trades ${summary.trades} · realised pnl ${formatMoney(summary.realisedPnl)} · fees ${summary.fees.toFixed(2)} · equity ${summary.equity.toFixed(2)} · max drawdown ${summary.maxDrawdownPct.toFixed(2)}% · risk ${summary.riskMode ?? "-"}`,
    `         bus published ${summary.bus.published} · delivered ${summary.bus.delivered} · errors ${summary.bus.errors} · dead letters ${summary.bus.deadLettered}`,
    `         store events ${summary.store.events ?? "?"} · trades ${summary.store.trades ?? "?"}${summary.badCandleRows > 0 ? ` · bad candle rows skipped ${summary.badCandleRows}` : ""}`,
    `summary ${JSON.stringify(summary)}`,
  ];
}
