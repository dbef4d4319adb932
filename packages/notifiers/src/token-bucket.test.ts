import { describe, expect, it } from "vitest";
import { TokenBucket } from "./token-bucket.js";

describe("TokenBucket.take()", () => {
  it("allows a burst of `limit`, then one token per interval/limit", () => {
    const bucket = new TokenBucket({ limit: 3, intervalMs: 300 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(100);
    expect(bucket.take(40)).toBe(60);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(100)).toBe(100);
  });

  it("never holds more than `limit` tokens", () => {
    const bucket = new TokenBucket({ limit: 2, intervalMs: 1_000 }, 0);
    expect(bucket.available(1_000_000)).toBe(2);
    expect([bucket.take(1_000_000), bucket.take(1_000_000)]).toEqual([0, 0]);
    expect(bucket.take(1_000_000)).toBe(500);
  });

  it("ignores a clock that goes backwards", () => {
    const bucket = new TokenBucket({ limit: 1, intervalMs: 100 }, 100);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(50)).toBe(100);
  });
});
