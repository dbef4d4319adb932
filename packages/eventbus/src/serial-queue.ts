/**
 * Runs async tasks one at a time, in the order they were queued; a failed task does not stop the
 * ones after it. Components use it so that each public call sees the state the previous one left
 * (e.g. a state change that waits for its event to be published), even when callers do not await.
 *
 * @example
 * ```ts
 * const queue = new SerialQueue();
 * const fill = queue.run(async () => { const f = price(order); await bus.publish(toEvent(f)); apply(f); return f; });
 * await queue.idle(); // everything queued so far has settled
 * ```
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; resolves or rejects with its outcome. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.then(ignore, ignore);
    return result;
  }

  /** Resolves once every task queued so far, and any task they queued, has settled. */
  async idle(): Promise<void> {
    let tail: Promise<unknown>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
  }
}

function ignore(): void {}
