import { describe, expect, it, vi } from "vitest";
import { InsertTemplates } from "./insert-template.js";

describe("InsertTemplates", () => {
  const build = vi.fn((rows: number) => ({
    sql: `insert ${rows}`,
    parameters: Array.from({ length: rows * 2 }, () => "?"),
  }));

  it("splits rows into chunks of maxRows, then powers of two, keeping row order", () => {
    const templates = new InsertTemplates<unknown[]>(build, 2, 100, (row, out) => out.push(...row));
    const rows = Array.from({ length: 237 }, (_, i) => [i, `r${i}`]);
    const statements = templates.statements(rows);
    expect(statements.map((s) => s.sql)).toEqual([
      "insert 100",
      "insert 100",
      "insert 32",
      "insert 4",
      "insert 1",
    ]);
    expect(statements.flatMap((s) => s.parameters)).toEqual(rows.flat());
  });

  it("builds each chunk size's SQL once", () => {
    build.mockClear();
    const templates = new InsertTemplates<unknown[]>(build, 2, 100, (row, out) => out.push(...row));
    for (let i = 0; i < 5; i++)
      templates.statements([
        [1, "a"],
        [2, "b"],
        [3, "c"],
      ]);
    expect(build.mock.calls.map(([rows]) => rows)).toEqual([2, 1]);
  });

  it("checks that the template has one parameter per value", () => {
    const templates = new InsertTemplates<unknown[]>(
      (rows) => ({ sql: "x", parameters: Array(rows) }),
      2,
      10,
      (row, out) => out.push(...row),
    );
    expect(() => templates.statements([[1, 2]])).toThrow(/expected 2 parameters, got 1/);
    const short = new InsertTemplates<unknown[]>(build, 2, 10, (row, out) => out.push(row[0]));
    expect(() => short.statements([[1, 2]])).toThrow(/rows gave 1 values, expected 2/);
  });
});
