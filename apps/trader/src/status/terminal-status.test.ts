import { describe, expect, it } from "vitest";
import type { SessionSnapshot } from "../session.js";
import { formatMoney, formatStatus } from "./format-status.js";
import { TerminalStatus, truncateVisible } from "./terminal-status.js";

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 80, write: (text: string) => writes.push(text) };
}

describe("TerminalStatus", () => {
  it("on a TTY redraws one line in place, and clears it around other lines", () => {
    const out = stream(true);
    let n = 0;
    const status = new TerminalStatus({
      stream: out,
      mode: "tty",
      render: () => `status ${++n}`,
      refreshMs: 60_000,
    });
    status.start();
    status.print(out, "a log line");
    status.stop();
    expect(out.writes).toEqual([
      "\r\x1b[2Kstatus 1",
      "\r\x1b[2K",
      "a log line\n",
      "\r\x1b[2Kstatus 2",
      "\r\x1b[2Kstatus 3",
      "\n",
    ]);
  });

  it("elsewhere prints plain periodic lines, and a last one on stop", () => {
    const out = stream(false);
    const status = new TerminalStatus({
      stream: out,
      mode: "lines",
      render: ({ color }) => `color ${color}`,
      intervalMs: 60_000,
    });
    status.start();
    status.print(out, "log");
    status.stop();
    expect(out.writes).toEqual(["log\n", "color false\n"]);
  });

  it("is silent when off", () => {
    const out = stream(true);
    const status = new TerminalStatus({ stream: out, mode: "off", render: () => "x" });
    status.start();
    status.stop();
    expect(out.writes).toEqual([]);
  });
});

describe("formatStatus()", () => {
  const snapshot: SessionSnapshot = {
    state: "running",
    tick: 812,
    marketTime: "2025-01-01T13:32:00.000Z",
    marketStart: "2025-01-01T00:00:00.000Z",
    regime: "volatile",
    riskMode: "DEFENSIVE",
    halted: true,
    health: { DrawdownGuard: "CRITICAL" },
    equity: 94_512.4,
    drawdownPct: 5.2,
    maxDrawdownPct: 6,
    trades: 31,
    realisedPnl: -1234.5,
    fees: 12,
    signals: { approved: 31, rejected: 4 },
    topSymbols: ["BTCUSDT"],
    strategies: [],
    positions: [],
  };

  it("shows events/s, queue, trades, pnl, equity, drawdown, risk mode, halt and health", () => {
    const line = formatStatus(
      { snapshot, eventsPerSecond: 47.6, queueSize: 3, url: "http://127.0.0.1:8787" },
      { color: false },
    );
    expect(line).toBe(
      "● tick 812 2025-01-01 13:32 volatile │ 48 ev/s q3 │ trades 31 pnl -1,234.50 │ equity 94,512 dd 5.2% │ DEFENSIVE HALTED │ CRITICAL │ http://127.0.0.1:8787",
    );
    expect(
      formatStatus({ snapshot, eventsPerSecond: 0, queueSize: 0, url: undefined }, { color: true }),
    ).toContain("\x1b[31mCRITICAL\x1b[0m");
  });

  it("cuts to the terminal's width without breaking colour codes", () => {
    expect(truncateVisible("\x1b[32mabcdef\x1b[0m", 3)).toBe("\x1b[32mabc\x1b[0m");
    expect(truncateVisible("abc", 5)).toBe("abc");
    expect(formatMoney(1234.5)).toBe("+1,234.50");
    expect(formatMoney(0)).toBe("0.00");
  });
});
