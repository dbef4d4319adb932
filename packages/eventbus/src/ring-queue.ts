/**
 * A FIFO ring buffer that grows by doubling up to a fixed capacity. One array slot per queued
 * item, so its overhead per item is a pointer: the bus's bounded queue.
 */
export class RingQueue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  readonly capacity: number;

  #mask: number;

  constructor(capacity: number, initialSlots = 64) {
    this.capacity = capacity;
    // Slots are a power of two so that wrapping is a mask, not a division.
    const slots = Math.min(nextPowerOfTwo(capacity), nextPowerOfTwo(initialSlots));
    this.#items = new Array(slots);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#size;
  }

  get isFull(): boolean {
    return this.#size >= this.capacity;
  }

  /** Appends; the caller checks `isFull` first. */
  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) & this.#mask] = item;
    this.#size++;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    return item;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  #grow(): void {
    const next = new Array<T | undefined>(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = this.#items[(this.#head + i) & this.#mask];
    this.#items = next;
    this.#mask = next.length - 1;
    this.#head = 0;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
