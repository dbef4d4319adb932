import type { SessionSnapshot } from "../session.js";

/**
 * What one status line shows.
 *
 * @example
 * ```ts
 * formatStatus({ snapshot, eventsPerSecond: 48, queueSize: 0, url: "http://127.0.0.1:8787" }, { color: false });
 * ```
 */
export interface StatusInput {
  readonly snapshot: SessionSnapshot;
  readonly eventsPerSecond: number;
  readonly queueSize: number;
  readonly url: string | undefined;
}

const COLORS = { green: "32", yellow: "33", red: "31", dim: "2", bold: "1" } as const;

function paint(text: string, color: keyof typeof COLORS, enabled: boolean): string {
  return enabled ? `\x1b[${COLORS[color]}m${text}\x1b[0m` : text;
}

/** `+1,234.56` / `-12.00`. */
export function formatMoney(value: number): string {
  const sign = value > 0 ? "+" : value < 0 ? "-" : "";
  return `${sign}${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/**
 * The compact status line: events/s, queue, trades, pnl, equity and drawdown, risk mode, health.
 *
 * @example
 * ```ts
 * formatStatus(input, { color: true }); // "● tick 812 2025-01-01 13:32 trending │ 46 ev/s q0 │ trades 31 ..."
 * ```
 */
export function formatStatus(input: StatusInput, options: { color: boolean }): string {
  const s = input.snapshot;
  const c = options.color;
  const worst = Object.values(s.health).includes("CRITICAL")
    ? "CRITICAL"
    : Object.values(s.health).includes("DEGRADED")
      ? "DEGRADED"
      : "HEALTHY";
  const healthColor = worst === "CRITICAL" ? "red" : worst === "DEGRADED" ? "yellow" : "green";
  const modeColor = s.riskMode === "DEFENSIVE" ? "yellow" : s.riskMode === "AGGRESSIVE" ? "green" : "dim";
  const time = s.marketTime === null ? "--" : s.marketTime.slice(0, 16).replace("T", " ");
  const pnl = formatMoney(s.realisedPnl);
  const parts = [
    `${paint("●", healthColor, c)} tick ${Math.max(s.tick, 0)} ${time} ${s.regime ?? "-"}`,
    `${Math.round(input.eventsPerSecond)} ev/s q${input.queueSize}`,
    `trades ${s.trades} pnl ${paint(pnl, s.realisedPnl >= 0 ? "green" : "red", c)}`,
    `equity ${Math.round(s.equity).toLocaleString("en-US")} dd ${s.drawdownPct.toFixed(1)}%`,
    `${paint(s.riskMode ?? "-", modeColor, c)}${s.halted ? ` ${paint("HALTED", "red", c)}` : ""}`,
    `${paint(worst, healthColor, c)}`,
  ];
  if (input.url !== undefined) parts.push(paint(input.url, "dim", c));
  return parts.join(" │ ");
}
