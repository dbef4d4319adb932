import type { HandlerError } from "../errors.js";
import type { EventMap } from "../event-map.js";
import { InMemoryEventBus, type InMemoryEventBusOptions } from "../in-memory-event-bus.js";
import { createRecordingLogger, type RecordingLogger } from "./recording-logger.js";

/** An {@link "@qt/eventbus"!InMemoryEventBus} set up for tests, with what it reported. */
export interface TestBus<M extends EventMap> extends InMemoryEventBus<M> {
  /** Every handler failure, in order. */
  readonly handlerErrors: HandlerError[];
  /** Everything the bus logged. */
  readonly logger: RecordingLogger;
  /** Stops the bus (drains first). */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A running bus for component tests: records its logs and handler errors instead of printing
 * them, retries without delay, and disposes with `await using`.
 *
 * @example
 * ```ts
 * await using bus = createTestBus<QtEventMap>();
 * const orchestrator = new Orchestrator({ eventBus: bus });
 * await bus.publish(PolicyUpdatedEvent.create({ ... }));
 * await bus.idle();
 * expect(orchestrator.currentPolicy?.risk_mode).toBe("DEFENSIVE");
 * ```
 */
export function createTestBus<M extends EventMap = EventMap>(
  options: InMemoryEventBusOptions = {},
): TestBus<M> {
  const logger = createRecordingLogger();
  const handlerErrors: HandlerError[] = [];
  const bus = new InMemoryEventBus<M>({
    logger,
    retry: { initialDelayMs: 0, maxDelayMs: 0, ...options.retry },
    stopTimeoutMs: 2_000,
    ...options,
    onError: (error) => {
      handlerErrors.push(error);
      options.onError?.(error);
    },
  });
  void bus.runForever();
  return Object.assign(bus, {
    handlerErrors,
    logger,
    [Symbol.asyncDispose]: () => bus.stop(),
  }) as TestBus<M>;
}
