import { describe, expect, it } from "vitest";
import { natsNames } from "./naming.js";

describe("natsNames()", () => {
  it("maps a namespace to its stream, subjects and dead-letter subjects", () => {
    const names = natsNames("qt");
    expect(names.stream).toBe("qt");
    expect(names.deadLetterStream).toBe("qt-dlq");
    expect(names.subjectOf("trade.executed")).toBe("qt.trade.executed");
    expect(names.typeOf("qt.trade.executed")).toBe("trade.executed");
    expect(names.deadLetterSubjectOf("trade.executed")).toBe("qt-dlq.trade.executed");
  });

  it("maps patterns one to one onto subject wildcards", () => {
    const names = natsNames("qt");
    expect(names.filterOf("trade.*")).toBe("qt.trade.*");
    expect(names.filterOf("trade.>")).toBe("qt.trade.>");
    expect(names.filterOf(">")).toBe("qt.>");
    expect(() => names.filterOf("trade.>.x")).toThrow(/">" must be the last segment/);
  });

  it("names a group's durable consumer the same in every process, and keeps spellings apart", () => {
    const names = natsNames("qt");
    const name = names.groupConsumer("analytics", "trade.*");
    expect(name).toMatch(/^qt_analytics_trade_STAR_[0-9a-f]{8}$/);
    expect(natsNames("qt").groupConsumer("analytics", "trade.*")).toBe(name);
    expect(names.groupConsumer("a_b", "c")).not.toBe(names.groupConsumer("a", "b_c"));
    expect(names.groupConsumer("g", ">")).toMatch(/^qt_g_ALL_/);
  });

  it("refuses a namespace that is not one subject token", () => {
    expect(() => natsNames("q.t")).toThrow(RangeError);
    expect(() => natsNames("")).toThrow(RangeError);
    expect(() => natsNames("q t")).toThrow(RangeError);
  });
});
