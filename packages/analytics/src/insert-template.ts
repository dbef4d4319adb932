import type { SqlStatement } from "./sql-backend.js";

/**
 * Multi-row `INSERT` statements for any number of rows, from a few cached SQL texts.
 *
 * Building a 1,000-row insert with the query builder costs about as much as running it, and
 * SQLite's `prepare` of it a few milliseconds more; so the SQL of each chunk size is built once
 * (by `build`, through the query builder, hence right for the dialect) and reused with new
 * parameters. A batch is split into chunks of `maxRows`, then powers of two, so at most
 * `log2(maxRows) + 2` distinct texts exist per table.
 */
export class InsertTemplates<R> {
  readonly #build: (rowCount: number) => SqlStatement;
  readonly #columns: number;
  readonly #maxRows: number;
  readonly #write: (row: R, out: unknown[]) => void;
  readonly #sql = new Map<number, string>();

  /**
   * @param build - compiles the insert for `rowCount` placeholder rows; its parameters must be
   *   row after row, `columns` each (checked).
   * @param write - pushes a row's `columns` values onto `out`, in the template's column order.
   */
  constructor(
    build: (rowCount: number) => SqlStatement,
    columns: number,
    maxRows: number,
    write: (row: R, out: unknown[]) => void,
  ) {
    this.#build = build;
    this.#columns = columns;
    this.#maxRows = Math.max(1, Math.floor(maxRows));
    this.#write = write;
  }

  /** Builds the full-size statement now, so that the first full batch does not pay for it; returns its SQL. */
  warm(): string {
    return this.#sqlFor(this.#maxRows);
  }

  /** The statements inserting `rows`, in order. */
  statements(rows: readonly R[]): SqlStatement[] {
    const out: SqlStatement[] = [];
    let start = 0;
    let left = rows.length;
    while (left > 0) {
      const size = left >= this.#maxRows ? this.#maxRows : 2 ** Math.floor(Math.log2(left));
      out.push({ sql: this.#sqlFor(size), parameters: this.#flatten(rows, start, size) });
      start += size;
      left -= size;
    }
    return out;
  }

  #sqlFor(rowCount: number): string {
    let text = this.#sql.get(rowCount);
    if (text === undefined) {
      const compiled = this.#build(rowCount);
      if (compiled.parameters.length !== rowCount * this.#columns) {
        throw new Error(
          `insert template: expected ${rowCount * this.#columns} parameters, got ${compiled.parameters.length}`,
        );
      }
      text = compiled.sql;
      this.#sql.set(rowCount, text);
    }
    return text;
  }

  #flatten(rows: readonly R[], start: number, size: number): unknown[] {
    const out: unknown[] = [];
    for (let r = start; r < start + size; r++) this.#write(rows[r] as R, out);
    if (out.length !== size * this.#columns) {
      throw new Error(`insert template: rows gave ${out.length} values, expected ${size * this.#columns}`);
    }
    return out;
  }
}
