import { AnalyticsError } from "./errors.js";

/**
 * Options of {@link GroupCommit}.
 *
 * @example
 * ```ts
 * const options: GroupCommitOptions<Row> = { maxBatchSize: 500, flushIntervalMs: 10, commit: insertRows };
 * ```
 */
export interface GroupCommitOptions<R> {
  /** Rows per transaction; reaching it starts a flush at once. */
  maxBatchSize: number;
  /** How long the first row of a batch waits for company before the batch is flushed. */
  flushIntervalMs: number;
  /** Writes `rows` in one transaction; rejects with an {@link AnalyticsError} if nothing was written. */
  commit: (rows: readonly R[]) => Promise<void>;
  /**
   * Keys identifying a row (e.g. its id): a row with the same value of any key as a pending row
   * joins that row instead of being added.
   */
  keys?: readonly ((row: R) => string)[];
  /** Told of each failed transaction (before the rows' promises reject). */
  onFailure?: (error: AnalyticsError, rows: number, isolating: boolean) => void;
  /** What a row added after `close()` rejects with. */
  closedError?: () => AnalyticsError;
  /** Called when a flush ends with nothing left to write (e.g. to hand a connection back). */
  onIdle?: () => void;
}

/**
 * Rows written in one transaction. Its `done` promise always fulfils once the batch is over; each
 * row's promise is derived from it and throws that row's error, if any. One promise per batch plus
 * one `then` per row is markedly cheaper than a promise and two resolvers per row (promise hooks
 * are on whenever AsyncLocalStorage is in use, as in the bus).
 */
class Batch<R> {
  readonly rows: R[] = [];
  readonly done: Promise<void>;
  #settle!: () => void;
  /** The error of every row, when the whole batch failed. */
  #error: AnalyticsError | undefined;
  /** The errors of single rows, when the batch was split. */
  #errors: Map<number, AnalyticsError> | undefined;

  constructor() {
    this.done = new Promise<void>((resolve) => {
      this.#settle = resolve;
    });
  }

  /** The promise of the row at `index`: fulfils when it is committed, rejects with its error. */
  outcome(index: number): Promise<void> {
    return this.done.then(() => {
      const error = this.#error ?? this.#errors?.get(index);
      if (error !== undefined) throw error;
    });
  }

  fail(error: AnalyticsError, from = 0, to = this.rows.length): void {
    if (from === 0 && to === this.rows.length) {
      this.#error = error;
      return;
    }
    this.#errors ??= new Map();
    for (let i = from; i < to; i++) this.#errors.set(i, error);
  }

  settle(): void {
    this.#settle();
  }
}

/**
 * Group commit: rows added from many concurrent callers are written together, one transaction
 * per batch, and each caller's promise settles after its row's transaction has (when more rows
 * are waiting, once the next transaction has started, so that the callers' work overlaps it). The first row of
 * an idle writer waits at most `flushIntervalMs` for company; a batch that reaches `maxBatchSize`
 * is flushed at once; rows that arrive while a transaction runs form the next batch, flushed as
 * soon as it ends. One transaction runs at a time, so batches commit in the order rows were added.
 *
 * A batch the database refuses for good (`retryable: false`, e.g. one row breaks a constraint) is
 * split in halves and retried, down to single rows, so one bad row fails alone instead of taking
 * its neighbours with it. A batch that fails because the database is unavailable fails whole.
 *
 * @example
 * ```ts
 * const writer = new GroupCommit({ maxBatchSize: 500, flushIntervalMs: 10, commit: (rows) => store.insert(rows) });
 * await writer.add(row); // resolves once committed
 * await writer.close();  // flushes what is pending
 * ```
 */
export class GroupCommit<R> {
  readonly #options: GroupCommitOptions<R>;
  readonly #keys: readonly ((row: R) => string)[];
  /** Batches waiting for a flush, oldest first; only the last one still takes rows. */
  #batches: Batch<R>[] = [];
  /** Per key function: key of a pending row to that row's promise. */
  readonly #index: Map<string, Promise<void>>[];
  #pendingRows = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #due = false;
  #active: Promise<void> | undefined;
  #closed = false;
  readonly #triggerBound = () => this.#trigger();

  constructor(options: GroupCommitOptions<R>) {
    if (!Number.isInteger(options.maxBatchSize) || options.maxBatchSize < 1) {
      throw new AnalyticsError(
        "INVALID_CONFIG",
        `maxBatchSize must be an integer >= 1, got ${options.maxBatchSize}`,
      );
    }
    if (!Number.isFinite(options.flushIntervalMs) || options.flushIntervalMs < 0) {
      throw new AnalyticsError(
        "INVALID_CONFIG",
        `flushIntervalMs must be >= 0, got ${options.flushIntervalMs}`,
      );
    }
    this.#options = options;
    this.#keys = options.keys ?? [];
    this.#index = this.#keys.map(() => new Map());
  }

  /** Rows waiting for a flush (not those being written). */
  get pending(): number {
    return this.#pendingRows;
  }

  /**
   * Adds a row to the next batch. Resolves once it is committed (or once the pending row it
   * shares a key with is); rejects with the error that kept it from being committed.
   */
  add(row: R): Promise<void> {
    if (this.#closed) {
      return Promise.reject(
        this.#options.closedError?.() ?? new AnalyticsError("STORE_CLOSED", "The writer is closed"),
      );
    }
    const keys = this.#keys;
    for (let k = 0; k < keys.length; k++) {
      const twin = this.#index[k]?.get((keys[k] as (row: R) => string)(row));
      if (twin !== undefined) return twin;
    }
    let batch = this.#batches.at(-1);
    if (batch === undefined || batch.rows.length >= this.#options.maxBatchSize) {
      batch = new Batch<R>();
      this.#batches.push(batch);
    }
    const promise = batch.outcome(batch.rows.push(row) - 1);
    for (let k = 0; k < keys.length; k++) {
      (this.#index[k] as Map<string, Promise<void>>).set((keys[k] as (row: R) => string)(row), promise);
    }
    this.#pendingRows++;
    if (batch.rows.length >= this.#options.maxBatchSize) this.#trigger();
    else this.#timer ??= setTimeout(this.#triggerBound, this.#options.flushIntervalMs);
    return promise;
  }

  /** Commits everything added so far; resolves when done (failed rows reject their own promises, not this). */
  async flush(): Promise<void> {
    while (this.#active !== undefined || this.#pendingRows > 0) {
      this.#trigger();
      await this.#active;
    }
  }

  /** Flushes, then refuses new rows. Idempotent. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #trigger(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#due = true;
    this.#active ??= this.#run();
  }

  #hasFullBatch(): boolean {
    const first = this.#batches[0];
    return first !== undefined && first.rows.length >= this.#options.maxBatchSize;
  }

  async #run(): Promise<void> {
    // Start after the caller's synchronous work (e.g. the bus dispatching more events into this batch).
    await undefined;
    let committed: Batch<R> | undefined;
    try {
      while (this.#due || this.#hasFullBatch()) {
        this.#due = false;
        const batch = this.#take();
        if (batch === undefined) continue;
        const next = this.#commit(batch);
        // The previous batch's callers resume only now, once the next transaction has started:
        // their work (the bus delivering more events) overlaps the database's.
        committed?.settle();
        await next;
        committed = batch;
      }
    } finally {
      committed?.settle();
      this.#active = undefined;
      if (this.#pendingRows > 0) {
        if (this.#due || this.#hasFullBatch()) this.#trigger();
        else this.#timer ??= setTimeout(this.#triggerBound, this.#options.flushIntervalMs);
      } else {
        this.#options.onIdle?.();
      }
    }
  }

  #take(): Batch<R> | undefined {
    const batch = this.#batches.shift();
    if (batch === undefined) return undefined;
    this.#pendingRows -= batch.rows.length;
    if (this.#batches.length === 0) {
      for (const index of this.#index) index.clear();
    } else {
      this.#due = true;
      for (let k = 0; k < this.#keys.length; k++) {
        const key = this.#keys[k] as (row: R) => string;
        const index = this.#index[k] as Map<string, Promise<void>>;
        for (const row of batch.rows) index.delete(key(row));
      }
    }
    return batch;
  }

  /** Commits the batch's rows `[from, to)`, recording the errors of those that fail. Never rejects. */
  async #commit(batch: Batch<R>, from = 0, to = batch.rows.length): Promise<void> {
    const whole = from === 0 && to === batch.rows.length;
    try {
      await this.#options.commit(whole ? batch.rows : batch.rows.slice(from, to));
    } catch (thrown) {
      const error = AnalyticsError.isInstance(thrown)
        ? thrown
        : new AnalyticsError("WRITE_FAILED", String(thrown), { cause: thrown, retryable: false });
      const isolate = !error.retryable && to - from > 1;
      if (whole || to - from === 1) this.#options.onFailure?.(error, to - from, isolate);
      if (!isolate) {
        batch.fail(error, from, to);
        return;
      }
      const middle = from + Math.ceil((to - from) / 2);
      await this.#commit(batch, from, middle);
      await this.#commit(batch, middle, to);
    }
  }
}
