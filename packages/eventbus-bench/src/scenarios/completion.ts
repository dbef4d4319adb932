import type { Handler } from "../libraries.js";

/**
 * Counts handler invocations that ran to the end and resolves `done` when `expected` have: how a
 * run knows every handler completed, whatever the library reports.
 *
 * @example
 * ```ts
 * const completion = new Completion(events.length * 10);
 * for (let i = 0; i < 10; i++) subject.subscribe(completion.handler());
 * await subject.publishAll(events);
 * await completion.done;
 * ```
 */
export class Completion {
  /** Invocations completed so far. */
  completed = 0;
  /** What the handlers computed: read at the end, so no engine can drop their work. */
  sink = 0;
  readonly expected: number;
  readonly done: Promise<void>;
  #resolve!: () => void;

  constructor(expected: number) {
    this.expected = expected;
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /**
   * A new handler, the one every library gets: trivial work, then counting. A new function each
   * call, because emittery keeps listeners in a Set and would merge identical ones.
   */
  handler(): Handler {
    return async (event) => {
      this.sink += event.payload.size;
      if (++this.completed === this.expected) this.#resolve();
    };
  }
}
