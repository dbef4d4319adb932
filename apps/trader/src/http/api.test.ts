import { describe, expect, it } from "vitest";
import { integerParam, timeParam, typesParam } from "./api.js";
import { BadRequestError } from "./server.js";

const query = (text: string) => new URLSearchParams(text);

describe("query parameters", () => {
  it("integerParam() takes a bounded integer or the default, and names a bad one", () => {
    expect(integerParam(query(""), "limit", 100, 1, 1000)).toBe(100);
    expect(integerParam(query("limit=5"), "limit", 100, 1, 1000)).toBe(5);
    for (const bad of ["limit=0", "limit=1.5", "limit=x", "limit=1001"]) {
      expect(() => integerParam(query(bad), "limit", 100, 1, 1000)).toThrow(BadRequestError);
    }
    expect(() => integerParam(query("limit=0"), "limit", 100, 1, 1000)).toThrow(
      /^limit: expected an integer in \[1, 1000\]/,
    );
  });

  it("timeParam() reads ISO dates and epoch milliseconds", () => {
    expect(timeParam(query("since=2025-01-01T00:00:00Z"), "since")?.toISOString()).toBe(
      "2025-01-01T00:00:00.000Z",
    );
    expect(timeParam(query("since=1735689600000"), "since")?.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    expect(timeParam(query(""), "since")).toBeUndefined();
    expect(() => timeParam(query("since=soon"), "since")).toThrow(/since: expected an ISO 8601 date/);
  });

  it("typesParam() expands patterns to the known event types", () => {
    expect(typesParam(query("type=trade.executed"))).toEqual(["trade.executed"]);
    expect(typesParam(query("type=policy.*,health.>"))?.sort()).toEqual([
      "health.status_changed",
      "policy.updated",
    ]);
    expect(typesParam(query("type=nothing.here"))).toEqual([]);
    expect(typesParam(query(""))).toBeUndefined();
    expect(() => typesParam(query("type=a..b"))).toThrow(BadRequestError);
  });
});
