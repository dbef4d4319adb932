import type { AnalyticsStore } from "@qt/analytics";

/**
 * Wraps a store to count the events and trades this process wrote, for the run's summary ("bus
 * published N, store events N"): events whose append resolved (the bus delivers each to the event
 * logger once per run), and trades newly stored.
 *
 * @example
 * ```ts
 * const { store, counted } = countingStore(await createSqliteStore({ path }));
 * counted.events(); // 0
 * ```
 */
export function countingStore(inner: AnalyticsStore): {
  store: AnalyticsStore;
  counted: { events(): number; trades(): number };
} {
  let events = 0;
  let trades = 0;
  // Trades are written by two subscribers (trade log, performance tracker): count what was newly stored.
  inner.onTradesStored((stored) => {
    trades += stored.length;
  });
  const store: AnalyticsStore = {
    get dialect() {
      return inner.dialect;
    },
    get target() {
      return inner.target;
    },
    migrate: () => inner.migrate(),
    appendTrade: (trade) => inner.appendTrade(trade),
    appendEvent: async (event) => {
      await inner.appendEvent(event);
      events++;
    },
    flush: () => inner.flush(),
    listTrades: (query) => inner.listTrades(query),
    findEvents: (query) => inner.findEvents(query),
    readPolicy: () => inner.readPolicy(),
    writePolicy: (change, defaults) => inner.writePolicy(change, defaults),
    onTradesStored: (listener) => inner.onTradesStored(listener),
    close: () => inner.close(),
  };
  return { store, counted: { events: () => events, trades: () => trades } };
}
