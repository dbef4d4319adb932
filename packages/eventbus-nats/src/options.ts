import type { NatsConnection, NodeConnectionOptions } from "@nats-io/transport-node";
import type {
  EventEnvelope,
  EventSchemaRegistry,
  HandlerError,
  Logger,
  RetryPolicy,
  SubscribeOptions,
} from "@qt/eventbus";
import type { BrokerUnavailableError } from "./errors.js";

/**
 * What `publish` does while the connection to NATS is down: `wait` (for at most `outageWaitMs`)
 * or `reject` at once with {@link BrokerUnavailableError}.
 *
 * @example
 * ```ts
 * const policy: PublishOutagePolicy = process.env.FAIL_FAST ? "reject" : "wait";
 * ```
 */
export type PublishOutagePolicy = "reject" | "wait";

/**
 * Options of {@link NatsEventBus}. Only `servers` (or `connection`) matters to most users; every
 * other option has a default.
 *
 * @example
 * ```ts
 * const options: NatsEventBusOptions = {
 *   servers: "nats-1:4222,nats-2:4222",
 *   namespace: "qt",
 *   registry: qtEventRegistry,
 *   retry: { maxAttempts: 5 },
 *   onPublishOutage: "wait",
 * };
 * ```
 */
export interface NatsEventBusOptions {
  /** Where NATS is, e.g. `"127.0.0.1:4222"` or a list. Ignored when `connection` is given. */
  servers?: string | string[];
  /**
   * A connection to use instead of opening one. The bus never closes a connection it was given;
   * it only flushes it when stopping.
   */
  connection?: NatsConnection;
  /** Passed to `connect()` when the bus opens the connection (name, auth, TLS, timeouts...). */
  connectionOptions?: Partial<NodeConnectionOptions>;
  /**
   * One stream per namespace: events go to `<namespace>.<type>` in stream `<namespace>`, dead
   * letters to `<namespace>-dlq.<type>` in stream `<namespace>-dlq`. Default `"qt"`.
   */
  namespace?: string;
  /** Validates every event published and every event received (invalid ones are dead-lettered). */
  registry?: EventSchemaRegistry;
  /** How long the stream remembers event ids to drop a republished event. Default 120,000 (2 min). */
  dedupWindowMs?: number;
  /** `file` (default) survives server restarts; `memory` does not. Applies when the bus creates its streams. */
  storage?: "file" | "memory";
  /** Stream replicas when the bus creates its streams (a cluster). Default 1. */
  replicas?: number;
  /** How long events are kept; `0` (default) keeps them until limits are hit. */
  maxAgeMs?: number;
  /** Default retry policy of every subscription: 3 tries, 100 ms doubling, full jitter. */
  retry?: Partial<RetryPolicy>;
  /**
   * How long the server waits for an ack before it redelivers. The bus extends it (working
   * acks) for handlers that run longer. Default 30,000.
   */
  ackWaitMs?: number;
  /**
   * Events a subscription holds unacknowledged at once: the consumer's `max_ack_pending`. For a
   * group it is shared by all the group's processes. This is the window that bounds duplicates
   * after a crash. Default 512.
   */
  maxInFlight?: number;
  /** How long one try of `publish` waits for the server's ack. Default 5,000. */
  publishTimeoutMs?: number;
  /**
   * `wait` (default): while disconnected (or the server does not answer) `publish` tries again,
   * with the same `Nats-Msg-Id` so the event is stored once, for at most `outageWaitMs`, then
   * rejects with {@link BrokerUnavailableError}. `reject`: `publish` rejects at once when the
   * connection is down, and a try that times out is not repeated.
   */
  onPublishOutage?: PublishOutagePolicy;
  /** With `onPublishOutage: "wait"`, the longest a `publish` waits for NATS to come back. Default 30,000. */
  outageWaitMs?: number;
  /** Default time limit of a handler invocation; a timeout is a failure. Default: none. */
  handlerTimeoutMs?: number;
  /** Invocations slower than this are counted in `slowHandlers` and logged. Default 100. */
  slowHandlerMs?: number;
  /** How long `stop()` waits for handlers in flight before handing their events back to NATS. Default 10,000. */
  stopTimeoutMs?: number;
  /** How deep a chain of events publishing events may go, across processes too. Default 32. */
  maxCausationDepth?: number;
  /**
   * Carry the handled event through each handler's awaits (via `AsyncLocalStorage`), so what it
   * publishes joins its correlation chain and the causation depth is enforced. Default `true`.
   */
  propagateContext?: boolean;
  /** A subscription without a group is deleted by the server after this long without its process. Default 300,000. */
  ephemeralInactiveMs?: number;
  /** Default: JSON lines on stderr. Payloads are never logged. */
  logger?: Logger;
  /** Called with every handler failure (after it is counted and logged). */
  onError?: (error: HandlerError) => void;
  /** Distinct types counted one by one in `byType`. Default 1,000. */
  maxTrackedTypes?: number;
}

/**
 * Where a new subscription starts reading the stream. By default, a subscription sees events
 * published after it was made; a group that already exists carries on where it was.
 *
 * @example
 * ```ts
 * bus.subscribe("trade.executed", rebuild, { from: "beginning" });
 * bus.subscribe("trade.executed", audit, { from: { time: new Date("2026-01-01") } });
 * bus.subscribe("trade.executed", resume, { from: { sequence: 42_001 } });
 * ```
 */
export type ReplayStart =
  | "beginning"
  | "new"
  | {
      /** The event stream sequence to start at, inclusive: an integer >= 1. */
      readonly sequence: number;
    }
  | {
      /** Start at the first event the server stored at or after this time (a valid `Date`). */
      readonly time: Date;
    };

/**
 * `subscribe` options of {@link NatsEventBus}: the contract's, plus where to start.
 *
 * @example
 * ```ts
 * bus.subscribe("trade.*", handler, { group: "analytics", from: "beginning" });
 * ```
 */
export interface NatsSubscribeOptions<E extends EventEnvelope = EventEnvelope> extends SubscribeOptions<E> {
  /**
   * Where to start (see {@link ReplayStart}). For a group, it applies when the group's durable
   * consumer is created; a group that exists keeps its position.
   */
  from?: ReplayStart;
}
