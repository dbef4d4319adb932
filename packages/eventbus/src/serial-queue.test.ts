import { describe, expect, it } from "vitest";
import { SerialQueue } from "./serial-queue.js";

describe("SerialQueue.run()", () => {
  it("runs tasks one at a time in queue order, past a failing one", async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = queue.run(async () => {
      log.push("first:start");
      await gate;
      log.push("first:end");
      return 1;
    });
    const failing = queue.run(() => {
      log.push("failing");
      throw new Error("boom");
    });
    const third = queue.run(() => {
      log.push("third");
      return 3;
    });
    release();
    await expect(first).resolves.toBe(1);
    await expect(failing).rejects.toThrow("boom");
    await expect(third).resolves.toBe(3);
    expect(log).toEqual(["first:start", "first:end", "failing", "third"]);
  });
});

describe("SerialQueue.idle()", () => {
  it("waits for tasks queued while it waits", async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    void queue.run(async () => {
      log.push("a");
      void queue.run(() => void log.push("b"));
    });
    await queue.idle();
    expect(log).toEqual(["a", "b"]);
  });
});
