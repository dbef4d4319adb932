import type { EventBus, EventMap } from "@qt/eventbus";

/**
 * A view of a bus that stamps every event published through it with market time. In a simulated
 * or replayed session, market time is the system's time: every component that takes a clock gets
 * the session's; the MSC AI takes none (its events would carry wall-clock time amid market-time
 * events), so its bus is this view. Subscriptions and everything else go to the bus unchanged.
 *
 * @example
 * ```ts
 * const msc = new MetaStrategyController({ eventBus: atMarketTime(bus, () => clock.now()), policyStore });
 * ```
 */
export function atMarketTime<M extends EventMap>(bus: EventBus<M>, now: () => Date): EventBus<M> {
  return {
    publish: (event) => bus.publish({ ...event, timestamp: now() }),
    subscribe: (pattern, handler, options) => bus.subscribe(pattern, handler, options),
    unsubscribe: (pattern, handler) => bus.unsubscribe(pattern, handler),
    runForever: () => bus.runForever(),
    stop: (options) => bus.stop(options),
    idle: () => bus.idle(),
    getStats: () => bus.getStats(),
  };
}
