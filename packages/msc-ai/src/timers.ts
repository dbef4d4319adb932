/**
 * The timer functions the controller uses for its recovery delay: inject them to control time in
 * tests, or pass nothing to use the global ones.
 *
 * @example
 * ```ts
 * vi.useFakeTimers(); // the default timers read the globals at each call, so fakes apply
 * new MetaStrategyController({ eventBus, policyStore, recovery: { delayMs: 60_000 } });
 * await vi.advanceTimersByTimeAsync(60_000);
 * ```
 */
export interface Timers {
  /** Calls `callback` once after `delayMs`; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancels a pending `setTimeout`; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: unknown): void;
}

/**
 * The global `setTimeout` / `clearTimeout`, looked up at each call (not at import), so that fake
 * timers installed later still apply.
 *
 * @example
 * ```ts
 * const handle = systemTimers.setTimeout(() => restore(), 1_000);
 * systemTimers.clearTimeout(handle);
 * ```
 */
export const systemTimers: Timers = Object.freeze({
  setTimeout: (callback: () => void, delayMs: number): unknown => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle: unknown): void =>
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
});
