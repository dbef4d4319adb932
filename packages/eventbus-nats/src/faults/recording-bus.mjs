import { openSync, writeSync } from "node:fs";

/**
 * Wraps a bus so that every event it acknowledged is written to `path` as "<id> <type>" (sync,
 * so the file is the truth even if the process dies): what the trader-split test counts.
 * Components get the wrapper; it delegates everything else to the bus.
 */
export function recordingBus(bus, path) {
  const file = openSync(path, "a");
  return {
    async publish(event) {
      await bus.publish(event);
      writeSync(file, `${event.id} ${event.type}\n`);
    },
    subscribe: (pattern, handler, options) => bus.subscribe(pattern, handler, options),
    unsubscribe: (pattern, handler) => bus.unsubscribe(pattern, handler),
    runForever: () => bus.runForever(),
    stop: (options) => bus.stop(options),
    idle: () => bus.idle(),
    getStats: () => bus.getStats(),
  };
}
