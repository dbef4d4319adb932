import { describe, expect, it } from "vitest";
import { StormFilter } from "./storm-filter.js";

const critical = { subject: "Feed", status: "CRITICAL" };
const healthy = { subject: "Feed", status: "HEALTHY" };
const TYPE = "health.status_changed";

describe("StormFilter.admit()", () => {
  it("sends the first alert, suppresses repeats within the window, then sends with the count", () => {
    const storms = new StormFilter({ windowMs: 100 });
    expect(storms.admit(TYPE, critical, 0)).toMatchObject({ send: true, suppressed: 0 });
    expect(storms.admit(TYPE, critical, 50)).toEqual({ send: false });
    expect(storms.admit(TYPE, critical, 99)).toEqual({ send: false });
    expect(storms.admit(TYPE, critical, 100)).toMatchObject({ send: true, suppressed: 2 });
    expect(storms.admit(TYPE, critical, 150)).toEqual({ send: false });
  });

  it("always sends a change of status, carrying the count of the subject", () => {
    const storms = new StormFilter({ windowMs: 100 });
    storms.admit(TYPE, critical, 0);
    storms.admit(TYPE, critical, 1);
    expect(storms.admit(TYPE, healthy, 2)).toMatchObject({ send: true, suppressed: 1 });
    expect(storms.admit(TYPE, critical, 3)).toMatchObject({ send: true, suppressed: 0 });
  });

  it("keeps subjects and event types apart", () => {
    const storms = new StormFilter({ windowMs: 100 });
    storms.admit(TYPE, critical, 0);
    expect(storms.admit(TYPE, { subject: "Executor", status: "CRITICAL" }, 1).send).toBe(true);
    expect(storms.admit("other.type", critical, 1).send).toBe(true);
  });
});

describe("StormFilter.release()", () => {
  it("reopens the window of an alert that was not delivered and carries its count", () => {
    const storms = new StormFilter({ windowMs: 100 });
    storms.admit(TYPE, critical, 0);
    storms.admit(TYPE, critical, 1);
    const second = storms.admit(TYPE, critical, 100);
    expect(second).toMatchObject({ send: true, suppressed: 1 });
    if (!second.send) throw new Error("unreachable");
    storms.release(TYPE, critical, second.ticket, second.suppressed);
    expect(storms.admit(TYPE, critical, 101)).toMatchObject({ send: true, suppressed: 1 });
  });

  it("does not reopen the window when a newer alert of the subject was sent since", () => {
    const storms = new StormFilter({ windowMs: 100 });
    const first = storms.admit(TYPE, critical, 0);
    storms.admit(TYPE, healthy, 1);
    if (!first.send) throw new Error("unreachable");
    storms.release(TYPE, critical, first.ticket, 0);
    expect(storms.admit(TYPE, healthy, 2)).toEqual({ send: false });
  });
});

describe("StormFilter memory", () => {
  it("forgets the least recently alerted subject beyond maxSubjects", () => {
    const storms = new StormFilter({ windowMs: 100, maxSubjects: 2 });
    storms.admit(TYPE, { subject: "a", status: "x" }, 0);
    storms.admit(TYPE, { subject: "b", status: "x" }, 0);
    storms.admit(TYPE, { subject: "c", status: "x" }, 0);
    expect(storms.size).toBe(2);
    expect(storms.admit(TYPE, { subject: "a", status: "x" }, 1).send).toBe(true);
  });
});
