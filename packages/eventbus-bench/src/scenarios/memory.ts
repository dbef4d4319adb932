import { InMemoryEventBus, silentLogger } from "@qt/eventbus";
import type { MemoryResult, MemorySpec } from "../spec.js";
import { makeTradeEvents, TRADE_EXECUTED, type TradeEvent } from "../trade-events.js";

/**
 * Heap bytes per event queued in an `InMemoryEventBus` that is not running yet (so nothing is
 * delivered), over the same events held in a plain array. The events are created before the
 * baseline, so both measurements hold the very same objects (and strings).
 *
 * @example
 * ```ts
 * const { bytesPerEvent } = await runMemory({ scenario: "memory", library: "qt-bus", events: 100_000 });
 * ```
 */
export async function runMemory(spec: MemorySpec): Promise<MemoryResult> {
  const n = spec.events;
  // Compile the publish path and load everything it touches before the baseline.
  const warm = makeBus(1000);
  for (const event of makeTradeEvents(1000)) await warm.publish(event);

  // slice() gives an array of exactly n slots, the cheapest container of n references.
  let held: TradeEvent[] | undefined = makeTradeEvents(n).slice();
  const baseline = heapUsedAfterGc();

  const bus = makeBus(n);
  for (const event of held) await bus.publish(event);
  const withBoth = heapUsedAfterGc();
  held = undefined; // now only the bus holds the events
  const busOnly = heapUsedAfterGc();

  if (bus.getStats().queueSize !== n) throw new Error(`queued ${bus.getStats().queueSize} of ${n}`);
  // They are still deliverable: the queue really held them.
  void bus.runForever();
  await bus.idle();
  if (bus.getStats().delivered !== n) throw new Error(`delivered ${bus.getStats().delivered} of ${n}`);
  await bus.stop();
  return {
    bytesPerEvent: (busOnly - baseline) / n,
    grossBytesPerEvent: (withBoth - baseline) / n,
    events: n,
  };
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
