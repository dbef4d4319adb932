import { describe, expect, it } from "vitest";
import { SimClock } from "./sim-clock.js";

describe("SimClock", () => {
  it("runs timers when market time reaches them, earliest first, never going back", () => {
    const clock = new SimClock(new Date(0));
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("b"), 2_000);
    clock.setTimeout(() => fired.push("a"), 1_000);
    const cancelled = clock.setTimeout(() => fired.push("never"), 1_500);
    clock.clearTimeout(cancelled);
    clock.advanceTo(new Date(999));
    expect(fired).toEqual([]);
    clock.advanceTo(new Date(5_000));
    expect(fired).toEqual(["a", "b"]);
    clock.advanceTo(new Date(1_000));
    expect(clock.now().getTime()).toBe(5_000);
  });
});
