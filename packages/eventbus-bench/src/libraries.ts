import { EventEmitter as NodeEventEmitter } from "node:events";
import { type EventSchemaRegistry, InMemoryEventBus, silentLogger } from "@qt/eventbus";
import type { QtEventMap } from "@qt/events";
import Emittery from "emittery";
import eventemitter2Module from "eventemitter2";
import { EventEmitter as EventEmitter3 } from "eventemitter3";
import { EventEmitter as TseepEventEmitter } from "tseep";
import type { LibraryName } from "./spec.js";
import { TRADE_EXECUTED, type TradeEvent } from "./trade-events.js";

// A CommonJS module whose named exports Node cannot detect: take the class off its default export.
const { EventEmitter2 } = eventemitter2Module;

/** The handler every library runs: the same function body for all of them. */
export type Handler = (event: TradeEvent) => Promise<void>;

/** One emitter or bus, driven the way its documentation drives it. */
export interface Subject {
  /** Adds `handler` as one more listener of `trade.executed`. */
  subscribe(handler: Handler): void;
  /**
   * Publishes `events` one by one, the library's idiomatic way, validating each first when a
   * registry was given. Handlers may still be running when it resolves: callers count completions.
   */
  publishAll(events: readonly TradeEvent[]): Promise<void>;
  /** Publishes one event without waiting for anything (the fixed-rate scenario). */
  publishOne(event: TradeEvent): void;
  /** Throws unless the library's own bookkeeping shows `deliveries` successes and no failure. */
  verify(deliveries: number): void;
}

/** What {@link Library.create} takes. */
export interface SubjectOptions {
  /** Validates every event at publish: our bus is given it, peers call it before emitting. */
  readonly registry?: EventSchemaRegistry;
}

/** A library under test: its name, how it publishes and a factory of fresh instances. */
export interface Library {
  readonly name: LibraryName;
  /** The npm package, whose version the report shows; `undefined` for a Node.js built-in. */
  readonly packageName: string | undefined;
  /** How one event is published, for the report. */
  readonly publishes: string;
  create(options?: SubjectOptions): Subject;
}

/** The shape node:events, eventemitter3 and tseep share. */
interface SyncEmitter {
  on(type: string, listener: Handler): unknown;
  emit(type: string, event: TradeEvent): boolean;
}

/** Emitters whose `emit` calls listeners synchronously and ignores the promises they return. */
function syncSubject(emitter: SyncEmitter, registry: EventSchemaRegistry | undefined): Subject {
  return {
    subscribe: (handler) => emitter.on(TRADE_EXECUTED, handler),
    async publishAll(events) {
      for (const event of events) {
        registry?.validate(event);
        emitter.emit(TRADE_EXECUTED, event);
      }
    },
    publishOne: (event) => emitter.emit(TRADE_EXECUTED, event),
    verify() {},
  };
}

/** Our bus with its defaults, or (`propagateContext: false`) with AsyncLocalStorage left off. */
function qtBusLibrary(name: LibraryName, propagateContext: boolean): Library {
  return {
    name,
    packageName: "@qt/eventbus",
    publishes: propagateContext
      ? "`await bus.publish(e)` per event, then `await bus.idle()`"
      : "as qt-bus, with `propagateContext: false`: context propagation off, so events published by handlers are not correlated and the causation depth limit is not enforced",
    create({ registry } = {}) {
      const bus = new InMemoryEventBus<QtEventMap>({
        logger: silentLogger,
        ...(registry && { registry }),
        ...(!propagateContext && { propagateContext }),
      });
      void bus.runForever();
      return {
        subscribe: (handler) => bus.subscribe(TRADE_EXECUTED, handler),
        async publishAll(events) {
          for (const event of events) await bus.publish(event);
          await bus.idle();
        },
        publishOne: (event) => void bus.publish(event),
        verify(deliveries) {
          const s = bus.getStats();
          const failures = s.errors + s.rejected + s.deadLettered + s.dropped + s.retried;
          if (s.delivered !== deliveries || failures !== 0 || s.queueSize !== 0 || s.inFlight !== 0) {
            throw new Error(`${name} stats: delivered ${s.delivered} of ${deliveries}, failures ${failures}`);
          }
        },
      };
    },
  };
}

const nodeEvents: Library = {
  name: "node-events",
  packageName: undefined,
  publishes: "`emitter.emit(type, e)` per event (sync)",
  create: ({ registry } = {}) => syncSubject(new NodeEventEmitter(), registry),
};

const eventemitter3: Library = {
  name: "eventemitter3",
  packageName: "eventemitter3",
  publishes: "`emitter.emit(type, e)` per event (sync)",
  create: ({ registry } = {}) => syncSubject(new EventEmitter3(), registry),
};

const tseep: Library = {
  name: "tseep",
  packageName: "tseep",
  publishes: "`emitter.emit(type, e)` per event (sync)",
  create: ({ registry } = {}) =>
    syncSubject(new TseepEventEmitter<{ [TRADE_EXECUTED]: Handler }>() as SyncEmitter, registry),
};

const eventemitter2: Library = {
  name: "eventemitter2",
  packageName: "eventemitter2",
  publishes: "`await emitter.emitAsync(type, e)` per event",
  create({ registry } = {}) {
    const emitter = new EventEmitter2();
    return {
      subscribe: (handler) => emitter.on(TRADE_EXECUTED, handler),
      async publishAll(events) {
        for (const event of events) {
          registry?.validate(event);
          await emitter.emitAsync(TRADE_EXECUTED, event);
        }
      },
      publishOne: (event) => void emitter.emitAsync(TRADE_EXECUTED, event),
      verify() {},
    };
  },
};

const emittery: Library = {
  name: "emittery",
  packageName: "emittery",
  publishes: "`await emitter.emit(type, e)` per event",
  create({ registry } = {}) {
    const emitter = new Emittery<{ [TRADE_EXECUTED]: TradeEvent }>();
    return {
      // Emittery hands listeners `{ name, data }`: unwrap it, the handler stays the same.
      subscribe: (handler) => emitter.on(TRADE_EXECUTED, (message) => handler(message.data)),
      async publishAll(events) {
        for (const event of events) {
          registry?.validate(event);
          await emitter.emit(TRADE_EXECUTED, event);
        }
      },
      publishOne: (event) => void emitter.emit(TRADE_EXECUTED, event),
      verify() {},
    };
  },
};

/** Every library, by name. */
export const libraries: Readonly<Record<LibraryName, Library>> = Object.freeze({
  "qt-bus": qtBusLibrary("qt-bus", true),
  "qt-bus-no-context": qtBusLibrary("qt-bus-no-context", false),
  "node-events": nodeEvents,
  eventemitter3,
  tseep,
  eventemitter2,
  emittery,
});
