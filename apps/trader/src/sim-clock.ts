import type { Timers } from "@qt/msc-ai";

interface Timer {
  readonly due: number;
  readonly callback: () => void;
}

/**
 * Market time: what every market-driven component stamps its events with, and the timers they
 * wait on (the MSC AI's recovery delay). It moves only when the session advances it to the next
 * tick's time, so a run replays identically at any speed.
 *
 * @example
 * ```ts
 * const clock = new SimClock(new Date("2025-01-01T00:00:00Z"));
 * clock.setTimeout(() => console.log("an hour later"), 3_600_000);
 * clock.advanceTo(new Date("2025-01-01T01:00:00Z")); // logs
 * ```
 */
export class SimClock implements Timers {
  readonly #timers = new Map<number, Timer>();
  #now: number;
  #nextId = 1;

  constructor(start: Date) {
    this.#now = start.getTime();
  }

  /** The current market time. */
  now(): Date {
    return new Date(this.#now);
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { due: this.#now + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Moves time forward (never back) and runs the timers now due, earliest first. */
  advanceTo(time: Date): void {
    this.#now = Math.max(this.#now, time.getTime());
    const due = [...this.#timers.entries()]
      .filter(([, timer]) => timer.due <= this.#now)
      .sort(([a, x], [b, y]) => x.due - y.due || a - b);
    for (const [id, timer] of due) {
      this.#timers.delete(id);
      timer.callback();
    }
  }
}
