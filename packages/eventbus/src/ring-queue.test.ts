import { describe, expect, it } from "vitest";
import { RingQueue } from "./ring-queue.js";

describe("RingQueue", () => {
  it("keeps FIFO order across growth and wrap-around", () => {
    const q = new RingQueue<number>(100, 2);
    const out: number[] = [];
    for (let i = 0; i < 50; i++) {
      q.push(i);
      if (i % 3 === 0) out.push(q.shift() as number);
    }
    out.push(...q.drain());
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("isFull at capacity", () => {
    const q = new RingQueue<string>(3);
    q.push("a");
    q.push("b");
    expect(q.isFull).toBe(false);
    q.push("c");
    expect(q.isFull).toBe(true);
    expect(q.shift()).toBe("a");
    expect(q.size).toBe(2);
  });
});
