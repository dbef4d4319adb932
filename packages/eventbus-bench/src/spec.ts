/**
 * The libraries compared, ours first (with its defaults, then with context propagation off).
 * Each runs in its own child process.
 */
export const LIBRARY_NAMES = [
  "qt-bus",
  "qt-bus-no-context",
  "node-events",
  "eventemitter3",
  "tseep",
  "eventemitter2",
  "emittery",
] as const;

/** One of {@link LIBRARY_NAMES}. */
export type LibraryName = (typeof LIBRARY_NAMES)[number];

/** Events/s delivered to `handlers` async handlers, awaiting every invocation. */
export interface ThroughputSpec {
  readonly scenario: "throughput";
  readonly library: LibraryName;
  /** Handlers subscribed to the event type. */
  readonly handlers: number;
  /** Validate every event with the zod schema before it is delivered. */
  readonly validate: boolean;
  /** Events published in the measured pass. */
  readonly events: number;
  /** Profile the measured pass (only it) with V8's sampler and write the profile to `file`. */
  readonly cpuProfile?: { readonly file: string; readonly intervalUs: number };
}

/** Publish-to-handler latency at a fixed offered rate. */
export interface LatencySpec {
  readonly scenario: "latency";
  readonly library: LibraryName;
  /** Offered rate, events/s. */
  readonly rate: number;
  /** Length of the measured window, s (after an equal-rate warm-up). */
  readonly seconds: number;
}

/** Heap bytes per event queued in a bus that is not running (our bus only). */
export interface MemorySpec {
  readonly scenario: "memory";
  readonly library: "qt-bus";
  /** Events queued. */
  readonly events: number;
}

/** What a worker process is asked to run, passed as its only argument (JSON). */
export type WorkerSpec = ThroughputSpec | LatencySpec | MemorySpec;

/** What a throughput worker prints. */
export interface ThroughputResult {
  readonly eventsPerSecond: number;
  /** Handler invocations completed (events x handlers): checked by the worker. */
  readonly deliveries: number;
  readonly elapsedMs: number;
}

/** What a latency worker prints; times in µs. */
export interface LatencyResult {
  /** Handler entry minus the time just before `publish`/`emit` was called. */
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  /** Handler entry minus the event's slot on the timetable: adds the driver's own lateness. */
  readonly scheduledP99Us: number;
  readonly samples: number;
}

/** What a memory worker prints. */
export interface MemoryResult {
  /** (heap with the events held by the bus only - heap with them in a plain array) / N. */
  readonly bytesPerEvent: number;
  /** (heap with the events held by the bus and the array - heap with the array only) / N. */
  readonly grossBytesPerEvent: number;
  /** (heap with both - heap with the bus only) / N: the array's share, ~8 B; checks the method. */
  readonly arrayBytesPerEvent: number;
  readonly events: number;
}

/** A worker's output line. */
export type WorkerResult = ThroughputResult | LatencyResult | MemoryResult;
