import { describe, expect, it, vi } from "vitest";
import { AnalyticsError } from "./errors.js";
import { GroupCommit } from "./group-commit.js";

function recorder(fail?: (rows: readonly number[]) => AnalyticsError | undefined) {
  const batches: number[][] = [];
  const commit = async (rows: readonly number[]) => {
    const error = fail?.(rows);
    if (error !== undefined) throw error;
    batches.push([...rows]);
  };
  return { batches, commit };
}

describe("GroupCommit", () => {
  it("add() commits concurrent rows together, in order, and resolves each after its commit", async () => {
    const { batches, commit } = recorder();
    const writer = new GroupCommit({ maxBatchSize: 100, flushIntervalMs: 1, commit });
    const results = await Promise.all([1, 2, 3].map((n) => writer.add(n)));
    expect(results).toEqual([undefined, undefined, undefined]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("flushes when a batch is full, without waiting for the interval", async () => {
    const { batches, commit } = recorder();
    const writer = new GroupCommit({ maxBatchSize: 3, flushIntervalMs: 60_000, commit });
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => writer.add(n)));
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it("flushes a partial batch after flushIntervalMs", async () => {
    vi.useFakeTimers();
    try {
      const { batches, commit } = recorder();
      const writer = new GroupCommit({ maxBatchSize: 100, flushIntervalMs: 20, commit });
      const added = writer.add(1);
      await vi.advanceTimersByTimeAsync(19);
      expect(batches).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      await added;
      expect(batches).toEqual([[1]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("runs one commit at a time; rows added meanwhile go in the next batch", async () => {
    let release = () => {};
    let started = () => {};
    const firstStarted = new Promise<void>((r) => (started = r));
    const batches: number[][] = [];
    let running = 0;
    let maxRunning = 0;
    const writer = new GroupCommit<number>({
      maxBatchSize: 2,
      flushIntervalMs: 0,
      commit: async (rows) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (batches.length === 0) {
          started();
          await new Promise<void>((r) => (release = r));
        }
        batches.push([...rows]);
        running--;
      },
    });
    const first = Promise.all([writer.add(1), writer.add(2)]);
    await firstStarted;
    const second = Promise.all([writer.add(3), writer.add(4), writer.add(5)]);
    release();
    await Promise.all([first, second]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(maxRunning).toBe(1);
  });

  it("shares one row between adds with a common key", async () => {
    const { batches, commit } = recorder();
    const writer = new GroupCommit<number>({
      maxBatchSize: 100,
      flushIntervalMs: 0,
      commit,
      keys: [(n) => `mod:${n % 10}`],
    });
    const [a, b] = [writer.add(1), writer.add(11)];
    expect(b).toBe(a);
    await Promise.all([a, b, writer.add(2)]);
    expect(batches).toEqual([[1, 2]]);
  });

  it("fails every row of a batch on a retryable error, without splitting it", async () => {
    const unavailable = new AnalyticsError("STORE_UNAVAILABLE", "down");
    const onFailure = vi.fn();
    const commits: number[][] = [];
    const writer = new GroupCommit<number>({
      maxBatchSize: 100,
      flushIntervalMs: 0,
      commit: async (rows) => {
        commits.push([...rows]);
        throw unavailable;
      },
      onFailure,
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => writer.add(n)));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(commits).toEqual([[1, 2, 3]]);
    expect(onFailure).toHaveBeenCalledExactlyOnceWith(unavailable, 3, false);
  });

  it("isolates the rows the database refuses, so their neighbours still commit", async () => {
    const refused = (rows: readonly number[]) =>
      rows.includes(13) || rows.includes(42) ? new AnalyticsError("WRITE_FAILED", "constraint") : undefined;
    const { batches, commit } = recorder(refused);
    const onFailure = vi.fn();
    const writer = new GroupCommit({ maxBatchSize: 1000, flushIntervalMs: 0, commit, onFailure });
    const rows = Array.from({ length: 64 }, (_, i) => i);
    const results = await Promise.allSettled(rows.map((n) => writer.add(n)));
    const rejected = rows.filter((_, i) => results[i]?.status === "rejected");
    expect(rejected).toEqual([13, 42]);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(rows.filter((n) => n !== 13 && n !== 42));
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ code: "WRITE_FAILED" }), 64, true);
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ code: "WRITE_FAILED" }), 1, false);
  });

  it("treats a non-AnalyticsError thrown by commit as a refused write", async () => {
    const writer = new GroupCommit<number>({
      maxBatchSize: 10,
      flushIntervalMs: 0,
      commit: async () => {
        throw new TypeError("boom");
      },
    });
    await expect(writer.add(1)).rejects.toMatchObject({ code: "WRITE_FAILED", retryable: false });
  });

  it("flush() commits everything pending; close() flushes, then refuses new rows", async () => {
    const { batches, commit } = recorder();
    const writer = new GroupCommit({
      maxBatchSize: 100,
      flushIntervalMs: 60_000,
      commit,
      closedError: () => new AnalyticsError("STORE_CLOSED", "closed"),
    });
    const added = [writer.add(1), writer.add(2)];
    expect(writer.pending).toBe(2);
    await writer.flush();
    expect(batches).toEqual([[1, 2]]);
    await Promise.all(added);
    const last = writer.add(3);
    await writer.close();
    await last;
    expect(batches).toEqual([[1, 2], [3]]);
    await expect(writer.add(4)).rejects.toMatchObject({ code: "STORE_CLOSED" });
    await writer.close();
  });

  it("calls onIdle when a flush leaves nothing to write", async () => {
    const { commit } = recorder();
    const onIdle = vi.fn();
    const writer = new GroupCommit({ maxBatchSize: 2, flushIntervalMs: 0, commit, onIdle });
    await Promise.all([1, 2, 3, 4, 5].map((n) => writer.add(n)));
    await writer.flush();
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it("refuses bad options with INVALID_CONFIG", () => {
    const commit = async () => {};
    expect(() => new GroupCommit({ maxBatchSize: 0, flushIntervalMs: 1, commit })).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIG" }),
    );
    expect(() => new GroupCommit({ maxBatchSize: 1, flushIntervalMs: -1, commit })).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIG" }),
    );
  });
});
