import type { EventBus, EventEnvelope } from "@qt/eventbus";

/**
 * A dead letter as the suite inspects it: the fields every bus keeps. `DeadLetter` of
 * `@qt/eventbus` and `NatsDeadLetter` both fit.
 *
 * @example
 * ```ts
 * const deadLetters = async (): Promise<readonly ConformanceDeadLetter[]> => bus.deadLetters.list();
 * ```
 */
export interface ConformanceDeadLetter {
  /** `handler-failed`, `handler-timeout`, `shutdown`, or (foreign messages) `invalid-message`. */
  readonly reason: string;
  readonly attempts: number;
  /** `undefined` for a message that was not a valid event. */
  readonly event: EventEnvelope | undefined;
  readonly handler:
    | { readonly handlerName: string; readonly pattern: string; readonly group: string | undefined }
    | undefined;
  readonly error:
    | { readonly name: string; readonly message: string; readonly code: string | undefined }
    | undefined;
}

/**
 * One test's world: a broker namespace (or one in-process bus) that the test's buses share. The
 * suite makes a new world for every test and cleans it up after.
 *
 * @example
 * ```ts
 * const makeWorld: MakeWorld = async () => {
 *   const bus = new InMemoryEventBus({ registry: conformanceRegistry, logger: silentLogger });
 *   void bus.runForever();
 *   return { connect: async () => bus, deadLetters: async () => bus.deadLetters.list(), cleanup: () => bus.stop() };
 * };
 * ```
 */
export interface ConformanceWorld {
  /**
   * A bus attached to this world, as another process would have: running, validating with
   * `conformanceRegistry`, with silent logs. An in-process implementation may return the same
   * bus every time.
   */
  connect(): Promise<EventBus>;
  /** Every dead letter of the world, oldest first. Required when `deadLetters` is declared. */
  deadLetters(): Promise<readonly ConformanceDeadLetter[]>;
  /** Restarts the broker, keeping what it stored. Required when `brokerRestart` is declared. */
  restartBroker?(): Promise<void>;
  /** Puts raw bytes where events of `type` travel, as a foreign producer would. Required when `foreignMessages` is declared. */
  injectForeign?(type: string, body: string | Uint8Array): Promise<void>;
  /** Stops every bus of the world and removes what it created on the broker. */
  cleanup(): Promise<void>;
}

/**
 * Makes a fresh world for one test.
 *
 * @example
 * ```ts
 * describeEventBusConformance("MyBus", makeWorld, features);
 * ```
 */
export type MakeWorld = () => Promise<ConformanceWorld>;
