/**
 * Polls `check` until it returns true, or fails after `timeoutMs` with `what` and the last
 * `describe()` in the message, so a broken bus fails its test instead of hanging it.
 *
 * @example
 * ```ts
 * await eventually(() => received.size === 100, 10_000, "100 events", () => `${received.size} received`);
 * ```
 */
export async function eventually(
  check: () => boolean,
  timeoutMs: number,
  what: string,
  describe: () => string = () => "",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      const detail = describe();
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${detail}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Runs `tasks` with at most `limit` of them in flight: how the suite publishes many events
 * without awaiting each, while bounding memory.
 *
 * @example
 * ```ts
 * await inBatches(events, 200, (e) => bus.publish(e));
 * ```
 */
export async function inBatches<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  });
  await Promise.all(workers);
}
