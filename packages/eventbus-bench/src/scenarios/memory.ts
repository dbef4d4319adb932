import { InMemoryEventBus, silentLogger } from "@qt/eventbus";
import type { MemoryResult, MemorySpec } from "../spec.js";
import { makeTradeEvents, TRADE_EXECUTED, type TradeEvent } from "../trade-events.js";

/** Holds the events while the baseline is measured; emptied to leave them to the bus alone. */
interface Holder {
  events: TradeEvent[] | undefined;
}

/**
 * Heap bytes per event queued in an `InMemoryEventBus` that is not running yet (so nothing is
 * delivered), over the same events held in a plain array. The events are created before the
 * baseline, so both measurements hold the very same objects (and strings).
 *
 * Every loop and temporary lives in a helper: a suspended async function keeps its registers,
 * and a stale one (a `for...of` iterator, say) would keep the array alive and skew the figures.
 *
 * @example
 * ```ts
 * const { bytesPerEvent } = await runMemory({ scenario: "memory", library: "qt-bus", events: 100_000 });
 * ```
 */
export async function runMemory(spec: MemorySpec): Promise<MemoryResult> {
  const n = spec.events;
  await warmUp(); // compile the publish path and load what it touches before the baseline
  const holder = hold(n);
  const baseline = heapUsedAfterGc();
  const bus = makeBus(n);
  await publishHeld(bus, holder);
  const withBoth = heapUsedAfterGc();
  holder.events = undefined;
  const busOnly = heapUsedAfterGc();

  if (bus.getStats().queueSize !== n) throw new Error(`queued ${bus.getStats().queueSize} of ${n}`);
  // The queue really held them: they are all delivered once the bus runs.
  void bus.runForever();
  await bus.idle();
  if (bus.getStats().delivered !== n) throw new Error(`delivered ${bus.getStats().delivered} of ${n}`);
  await bus.stop();
  return {
    bytesPerEvent: (busOnly - baseline) / n,
    grossBytesPerEvent: (withBoth - baseline) / n,
    arrayBytesPerEvent: (withBoth - busOnly) / n,
    events: n,
  };
}

async function warmUp(): Promise<void> {
  const bus = makeBus(1000);
  for (const event of makeTradeEvents(1000)) await bus.publish(event);
}

/** `slice()` gives an array of exactly n slots: the cheapest container of n references. */
function hold(n: number): Holder {
  return { events: makeTradeEvents(n).slice() };
}

async function publishHeld(bus: InMemoryEventBus, holder: Holder): Promise<void> {
  for (const event of holder.events ?? []) await bus.publish(event);
}

function makeBus(maxQueueSize: number): InMemoryEventBus {
  const bus = new InMemoryEventBus({ maxQueueSize, fullQueuePolicy: "reject", logger: silentLogger });
  bus.subscribe(TRADE_EXECUTED, async () => {});
  return bus;
}

function heapUsedAfterGc(): number {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  // Twice: the first pass can leave garbage that only the second collects (weak refs, finalizers).
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
