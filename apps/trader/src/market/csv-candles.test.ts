import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MarketTick } from "./candle.js";
import {
  type BadCandleRow,
  CandleFileError,
  CsvCandleFeed,
  DEFAULT_LAYOUT,
  parseCandleRow,
  parseHeader,
  parseTimestamp,
} from "./csv-candles.js";

const dir = mkdtempSync(join(tmpdir(), "qt-candles-"));
let files = 0;
function file(text: string): string {
  const path = join(dir, `candles-${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

async function readAll(path: string): Promise<{ ticks: MarketTick[]; bad: BadCandleRow[] }> {
  const bad: BadCandleRow[] = [];
  const feed = await CsvCandleFeed.open({ file: path, symbol: "BTCUSDT", onBadRow: (row) => bad.push(row) });
  const ticks: MarketTick[] = [];
  for (let tick = await feed.next(); tick !== undefined; tick = await feed.next()) ticks.push(tick);
  await feed.close();
  return { ticks, bad };
}

describe("parseCandleRow()", () => {
  const row = (line: string, previous?: Date) => parseCandleRow(line, DEFAULT_LAYOUT, "BTCUSDT", previous);

  it("reads a good row", () => {
    expect(row("2024-01-01T00:00:00Z,10,11,9,10.5,100")).toEqual({
      candle: {
        symbol: "BTCUSDT",
        timestamp: new Date("2024-01-01T00:00:00Z"),
        open: 10,
        high: 11,
        low: 9,
        close: 10.5,
        volume: 100,
      },
    });
  });

  it.each([
    ["1,2,3", "expected 6 fields, found 3"],
    ["yesterday,10,11,9,10,1", 'timestamp "yesterday" is not a date or epoch time'],
    ["1700000000,abc,11,9,10,1", 'open "abc" is not a number'],
    ["1700000000,10,11,9,,1", 'close "" is not a number'],
    ["1700000000,10,11,9,10,-1", "volume -1 must be >= 0"],
    ["1700000000,0,11,9,10,1", "open 0 must be > 0"],
    ["1700000000,10,8,9,10,1", "high 8 is below low 9"],
    ["1700000000,10,10.2,9,10.5,1", "high 10.2 is below open/close"],
    ["1700000000,10,11,10.2,10.5,1", "low 10.2 is above open/close"],
  ])("refuses %s: %s", (line, reason) => {
    expect(row(line)).toEqual({ reason });
  });

  it("requires timestamps to increase", () => {
    const previous = new Date("2024-01-01T00:01:00Z");
    expect(row("2024-01-01T00:01:00Z,10,11,9,10,1", previous)).toEqual({
      reason: "timestamp 2024-01-01T00:01:00.000Z is not after the previous row's",
    });
  });
});

describe("parseTimestamp() and parseHeader()", () => {
  it("reads epoch seconds, epoch milliseconds and ISO dates", () => {
    expect(parseTimestamp("1700000000")?.toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(parseTimestamp("1700000000000")?.toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(parseTimestamp("2024-02-03 04:05:06Z")?.toISOString()).toBe("2024-02-03T04:05:06.000Z");
    expect(parseTimestamp("03/02/2024")).toBeUndefined();
  });

  it("maps named columns in any order, and names the missing ones", () => {
    expect(parseHeader("Close,Open,High,Low,Volume,Time")).toEqual({
      timestamp: 5,
      open: 1,
      high: 2,
      low: 3,
      close: 0,
      volume: 4,
    });
    expect(parseHeader("1700000000,1,2,0.5,1.5,10")).toBeUndefined();
    expect(parseHeader("time,open,high,low,close")).toEqual({ error: "header lacks column volume" });
  });
});

describe("CsvCandleFeed", () => {
  it("replays good rows as ticks and reports bad ones with their line number", async () => {
    const path = file(
      [
        "timestamp,open,high,low,close,volume",
        "2024-01-01T00:00:00Z,100,101,99,100.5,10",
        "2024-01-01T00:01:00Z,100.5,102,100,101,12",
        "2024-01-01T00:02:00Z,101,100,99,100,5", // high below open
        "",
        "# a comment",
        "2024-01-01T00:02:00Z,101,102,not-a-number,101,5",
        "2024-01-01T00:03:00Z,101,103,100.5,102,8\r",
        "2024-01-01T00:03:00Z,102,103,101,102,8", // not after the previous row
        "2024-01-01T00:04:00Z,102,104,101,103", // a field short
      ].join("\n"),
    );
    const { ticks, bad } = await readAll(path);
    expect(ticks.map((t) => [t.index, t.time.toISOString(), t.candles[0]?.close])).toEqual([
      [0, "2024-01-01T00:00:00.000Z", 100.5],
      [1, "2024-01-01T00:01:00.000Z", 101],
      [2, "2024-01-01T00:03:00.000Z", 102],
    ]);
    expect(bad).toEqual([
      { line: 4, reason: "high 100 is below open/close" },
      { line: 7, reason: 'low "not-a-number" is not a number' },
      { line: 9, reason: "timestamp 2024-01-01T00:03:00.000Z is not after the previous row's" },
      { line: 10, reason: "expected 6 fields, found 5" },
    ]);
  });

  it("reads a file without a header, counting lines from 1", async () => {
    const { ticks, bad } = await readAll(file("1700000000,1,2,0.5,1.5,10\nbad\n1700000060,1.5,2,1,1.8,3\n"));
    expect(ticks).toHaveLength(2);
    expect(bad).toEqual([{ line: 2, reason: "expected 6 fields, found 1" }]);
  });

  it("ends at once on an empty file", async () => {
    expect(await readAll(file(""))).toEqual({ ticks: [], bad: [] });
  });

  it("refuses a missing file or a header without a required column", async () => {
    await expect(CsvCandleFeed.open({ file: join(dir, "nope.csv"), symbol: "X1" })).rejects.toThrow(
      CandleFileError,
    );
    await expect(
      CsvCandleFeed.open({ file: file("time,open,high,low,close\n1,1,1,1,1\n"), symbol: "X1" }),
    ).rejects.toThrow(/line 1: header lacks column volume/);
  });

  it("streams a large file with flat memory", async () => {
    const rows = ["timestamp,open,high,low,close,volume"];
    for (let i = 0; i < 50_000; i++) rows.push(`${1_700_000_000 + i * 60},10,11,9,10,1`);
    const feed = await CsvCandleFeed.open({ file: file(rows.join("\n")), symbol: "BTCUSDT" });
    let count = 0;
    while ((await feed.next()) !== undefined) count++;
    expect(count).toBe(50_000);
    expect(feed.badRows).toBe(0);
  });
});
