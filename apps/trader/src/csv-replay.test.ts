import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTrader } from "./app.js";
import { parseConfig } from "./config.js";
import { MarketSimulator } from "./market/simulator.js";

describe("a replay of a CSV file of candles", () => {
  it("trades the file's candles, reports bad rows by line number, skips them and ends with the data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qt-replay-"));
    const market = new MarketSimulator({ seed: 1, symbols: ["ETHUSDT"] });
    const lines = ["timestamp,open,high,low,close,volume"];
    for (let i = 0; i < 3_000; i++) {
      const c = market.step().candles[0];
      if (c === undefined) throw new Error("no candle");
      lines.push(`${c.timestamp.toISOString()},${c.open},${c.high},${c.low},${c.close},${c.volume}`);
    }
    lines.splice(11, 0, "2025-01-01T00:10:30Z,1,2,3,4,5"); // line 12: high below low
    lines.splice(101, 0, "garbage"); // line 102
    const file = join(dir, "eth.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const logs: string[] = [];
    const parsed = parseConfig(
      [
        "--candles",
        file,
        "--symbols",
        "ETHUSDT",
        "--no-http",
        "--speed",
        "max",
        "--status",
        "off",
        "--db",
        join(dir, "qt.db"),
      ],
      {},
    );
    if (!parsed.ok) throw parsed.error;
    const trader = createTrader(parsed.config, {
      stdout: { write: () => true },
      stderr: { write: (t: string) => logs.push(t) },
    });
    await trader.start();
    expect(await trader.finished).toBe("end-of-data");
    const summary = await trader.halt("end-of-data");
    const events = (await trader.store?.findEvents()) ?? [];
    await trader.stop("end-of-data");

    expect(summary.ticks).toBe(3_000);
    expect(summary.badCandleRows).toBe(2);
    const warnings = logs.join("");
    expect(warnings).toMatch(/bad candle row skipped: high 2 is below low 3 .*line=12/);
    expect(warnings).toMatch(/bad candle row skipped: expected 6 fields, found 1 .*line=102/);
    expect(summary.trades).toBeGreaterThan(0);
    // The regime is detected from the prices: the MSC AI still hears about it.
    expect(events.filter((e) => e.event.type === "policy.updated").length).toBeGreaterThan(1);
    expect(summary.marketEnd).toBe(lines.at(-1)?.split(",")[0]);
  });
});
