import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Candle, MarketFeed, MarketTick } from "./candle.js";

/**
 * A row of a candle file that was skipped, and why.
 *
 * @example
 * ```ts
 * const bad: BadCandleRow = { line: 17, reason: "high 90 is below low 95" };
 * ```
 */
export interface BadCandleRow {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly reason: string;
}

/**
 * A candle file that cannot be read at all (missing, unreadable, a header without a required
 * column). Rows that are merely bad are {@link BadCandleRow}s, never this.
 */
export class CandleFileError extends Error {
  override readonly name = "CandleFileError";
  readonly code = "CANDLE_FILE";
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}

const COLUMNS = ["timestamp", "open", "high", "low", "close", "volume"] as const;
type Column = (typeof COLUMNS)[number];
const ALIASES: Readonly<Record<string, Column>> = {
  timestamp: "timestamp",
  time: "timestamp",
  date: "timestamp",
  datetime: "timestamp",
  open_time: "timestamp",
  opentime: "timestamp",
  ts: "timestamp",
  open: "open",
  o: "open",
  high: "high",
  h: "high",
  low: "low",
  l: "low",
  close: "close",
  c: "close",
  volume: "volume",
  vol: "volume",
  v: "volume",
};

/** Where each column sits in a row. */
export type ColumnLayout = Readonly<Record<Column, number>>;

/** The layout of a file without a header: timestamp, open, high, low, close, volume. */
export const DEFAULT_LAYOUT: ColumnLayout = Object.freeze({
  timestamp: 0,
  open: 1,
  high: 2,
  low: 3,
  close: 4,
  volume: 5,
});

/** Splits a CSV line; fields may be wrapped in double quotes (no embedded commas expected in candles). */
function splitFields(line: string): string[] {
  return line.split(",").map((field) => {
    const trimmed = field.trim();
    return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
      ? trimmed.slice(1, -1).trim()
      : trimmed;
  });
}

/**
 * Reads a header line: the column layout, `undefined` when the line is data (its first field is
 * a number or a date), or an error message naming the missing columns.
 *
 * @example
 * ```ts
 * parseHeader("time,open,high,low,close,volume"); // { timestamp: 0, open: 1, ... }
 * parseHeader("1700000000,1,2,0.5,1.5,10"); // undefined: no header
 * ```
 */
export function parseHeader(line: string): ColumnLayout | undefined | { error: string } {
  const fields = splitFields(line).map((field) => field.toLowerCase());
  const first = fields[0] ?? "";
  if (first === "" || /^[+-]?\d/.test(first)) return undefined;
  const layout: Partial<Record<Column, number>> = {};
  fields.forEach((field, index) => {
    const column = ALIASES[field.replace(/[\s-]/g, "_")];
    if (column !== undefined && layout[column] === undefined) layout[column] = index;
  });
  const missing = COLUMNS.filter((column) => layout[column] === undefined);
  if (missing.length > 0) return { error: `header lacks column ${missing.join(", ")}` };
  return layout as ColumnLayout;
}

const show = (text: string) => JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text);

/**
 * Parses a timestamp field: epoch seconds, epoch milliseconds (13+ digits) or an ISO 8601 date.
 *
 * @example
 * ```ts
 * parseTimestamp("1700000000")?.toISOString(); // "2023-11-14T22:13:20.000Z"
 * ```
 */
export function parseTimestamp(text: string): Date | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) {
    const value = Number(text);
    const date = new Date(value >= 1e11 ? value : value * 1000);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Parses and checks one data row. `previous` is the timestamp of the last good row: timestamps
 * must increase strictly.
 *
 * @example
 * ```ts
 * parseCandleRow("2024-01-01T00:00:00Z,10,11,9,10.5,100", DEFAULT_LAYOUT, "BTCUSDT", undefined);
 * // { candle: { symbol: "BTCUSDT", open: 10, ... } }
 * ```
 */
export function parseCandleRow(
  line: string,
  layout: ColumnLayout,
  symbol: string,
  previous: Date | undefined,
): { candle: Candle } | { reason: string } {
  const fields = splitFields(line);
  const needed = Math.max(...Object.values(layout)) + 1;
  if (fields.length < needed) {
    return { reason: `expected ${needed} fields, found ${fields.length}` };
  }
  const text = (column: Column) => fields[layout[column]] ?? "";
  const timestamp = parseTimestamp(text("timestamp"));
  if (timestamp === undefined) {
    return { reason: `timestamp ${show(text("timestamp"))} is not a date or epoch time` };
  }
  const numbers: Partial<Record<Column, number>> = {};
  const problems: string[] = [];
  for (const column of ["open", "high", "low", "close", "volume"] as const) {
    const raw = text(column);
    const value = raw === "" ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) problems.push(`${column} ${show(raw)} is not a number`);
    else if (column === "volume" ? value < 0 : value <= 0) {
      problems.push(`${column} ${value} must be ${column === "volume" ? ">= 0" : "> 0"}`);
    } else numbers[column] = value;
  }
  if (problems.length > 0) return { reason: problems.join("; ") };
  const { open, high, low, close, volume } = numbers as Record<Column, number>;
  if (high < low) return { reason: `high ${high} is below low ${low}` };
  if (high < Math.max(open, close)) return { reason: `high ${high} is below open/close` };
  if (low > Math.min(open, close)) return { reason: `low ${low} is above open/close` };
  if (previous !== undefined && timestamp.getTime() <= previous.getTime()) {
    return { reason: `timestamp ${timestamp.toISOString()} is not after the previous row's` };
  }
  return { candle: { symbol, timestamp, open, high, low, close, volume } };
}

/** Options of {@link CsvCandleFeed.open}. */
export interface CsvCandleFeedOptions {
  readonly file: string;
  /** The symbol the candles are for. */
  readonly symbol: string;
  /** Told about every skipped row, as it is met. */
  readonly onBadRow?: (row: BadCandleRow) => void;
}

/**
 * Replays a CSV file of candles (timestamp, open, high, low, close, volume; a header row is
 * optional and may name the columns in any order) as market ticks, one line at a time: memory
 * stays flat whatever the file's size. Bad rows are reported with their line number and skipped.
 *
 * @example
 * ```ts
 * const feed = await CsvCandleFeed.open({ file: "btc.csv", symbol: "BTCUSDT", onBadRow: (b) => console.warn(b) });
 * for (let tick = await feed.next(); tick; tick = await feed.next()) console.log(tick.candles[0]?.close);
 * ```
 */
export class CsvCandleFeed implements MarketFeed {
  readonly symbols: readonly string[];
  readonly #lines: AsyncIterator<string>;
  readonly #close: () => void;
  readonly #symbol: string;
  readonly #file: string;
  readonly #onBadRow: (row: BadCandleRow) => void;
  #layout: ColumnLayout = DEFAULT_LAYOUT;
  #lineNumber = 0;
  #index = 0;
  #previous: Date | undefined;
  #pending: string | undefined;
  #badRows = 0;
  #done = false;

  private constructor(lines: AsyncIterator<string>, close: () => void, options: CsvCandleFeedOptions) {
    this.#lines = lines;
    this.#close = close;
    this.#symbol = options.symbol;
    this.#file = options.file;
    this.symbols = [options.symbol];
    this.#onBadRow = options.onBadRow ?? (() => {});
  }

  /**
   * Opens the file and reads its first line (a header, or the first row).
   *
   * @throws {@link CandleFileError} when the file cannot be read or its header lacks a column.
   */
  static async open(options: CsvCandleFeedOptions): Promise<CsvCandleFeed> {
    const stream = createReadStream(options.file, { encoding: "utf8" });
    const opened = new Promise<void>((resolve, reject) => {
      stream.once("ready", () => resolve());
      stream.once("error", reject);
    });
    try {
      await opened;
    } catch (error) {
      stream.destroy();
      throw new CandleFileError(options.file, `cannot be read (${(error as Error).message})`, {
        cause: error,
      });
    }
    const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    const feed = new CsvCandleFeed(
      reader[Symbol.asyncIterator](),
      () => {
        reader.close();
        stream.destroy();
      },
      options,
    );
    await feed.#readHeader();
    return feed;
  }

  /** Rows skipped so far. */
  get badRows(): number {
    return this.#badRows;
  }

  async next(): Promise<MarketTick | undefined> {
    for (;;) {
      const line = await this.#nextLine();
      if (line === undefined) return undefined;
      if (line.trim() === "" || line.startsWith("#")) continue;
      const result = parseCandleRow(line, this.#layout, this.#symbol, this.#previous);
      if ("reason" in result) {
        this.#badRows++;
        this.#onBadRow({ line: this.#lineNumber, reason: result.reason });
        continue;
      }
      this.#previous = result.candle.timestamp;
      return { index: this.#index++, time: result.candle.timestamp, candles: [result.candle] };
    }
  }

  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#close();
  }

  async #readHeader(): Promise<void> {
    for (;;) {
      const line = await this.#nextLine();
      if (line === undefined) return;
      if (line.trim() === "" || line.startsWith("#")) continue;
      const header = parseHeader(line.replace(/^\uFEFF/, ""));
      if (header === undefined) {
        // No header: this line is the first row; give it back to next().
        this.#pending = line;
        this.#lineNumber--;
        return;
      }
      if ("error" in header) {
        await this.close();
        throw new CandleFileError(this.#file, `line ${this.#lineNumber}: ${header.error}`);
      }
      this.#layout = header;
      return;
    }
  }

  async #nextLine(): Promise<string | undefined> {
    if (this.#done) return undefined;
    this.#lineNumber++;
    if (this.#pending !== undefined) {
      const line = this.#pending;
      this.#pending = undefined;
      return line;
    }
    const result = await this.#lines.next();
    if (result.done === true) {
      await this.close();
      return undefined;
    }
    return result.value;
  }
}
