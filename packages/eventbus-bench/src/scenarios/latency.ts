import { performance } from "node:perf_hooks";
import { type Handler, libraries } from "../libraries.js";
import type { LatencyResult, LatencySpec } from "../spec.js";
import { quantile } from "../statistics.js";
import { makeTradeEvents } from "../trade-events.js";
import { Completion } from "./completion.js";

const WARMUP_SECONDS = 0.5;
const JIT_WARMUP_EVENTS = 20_000;

/**
 * Publish-to-handler latency of `spec.library` with one async handler, at `spec.rate` events/s
 * offered on a fixed timetable: a `setImmediate` loop publishes each event once its slot is due,
 * without waiting for earlier ones. Samples of the first {@link WARMUP_SECONDS} are discarded.
 *
 * @example
 * ```ts
 * const { p99Us } = await runLatency({ scenario: "latency", library: "qt-bus", rate: 10_000, seconds: 2 });
 * ```
 */
export async function runLatency(spec: LatencySpec): Promise<LatencyResult> {
  const library = libraries[spec.library];
  const skip = Math.round(spec.rate * WARMUP_SECONDS);
  const total = skip + Math.round(spec.rate * spec.seconds);
  const events = makeTradeEvents(Math.max(total, JIT_WARMUP_EVENTS));

  // Optimise the code paths first, at full speed, on a separate instance.
  const warm = library.create();
  const completion = new Completion(JIT_WARMUP_EVENTS);
  warm.subscribe(completion.handler());
  await warm.publishAll(events.slice(0, JIT_WARMUP_EVENTS));
  await completion.done;
  globalThis.gc?.();

  const subject = library.create();
  const scheduledAt = new Float64Array(total);
  const publishedAt = new Float64Array(total);
  const enteredAt = new Float64Array(total);
  let received = 0;
  let misordered = 0;
  let sink = 0;
  let allReceived!: () => void;
  const done = new Promise<void>((resolve) => {
    allReceived = resolve;
  });
  const handler: Handler = async (event) => {
    const now = performance.now();
    // Every library here delivers in publish order: the i-th call is the i-th event (checked).
    if (events[received] !== event) misordered++;
    enteredAt[received++] = now;
    sink += event.payload.size;
    if (received === total) allReceived();
  };
  subject.subscribe(handler);

  const intervalMs = 1000 / spec.rate;
  const start = performance.now() + 1;
  for (let i = 0; i < total; i++) scheduledAt[i] = start + i * intervalMs;
  let next = 0;
  const tick = () => {
    while (next < total && (scheduledAt[next] as number) <= performance.now()) {
      publishedAt[next] = performance.now();
      subject.publishOne(events[next] as (typeof events)[number]);
      next++;
    }
    if (next < total) setImmediate(tick);
  };
  setImmediate(tick);
  await done;
  if (misordered !== 0 || !(sink > 0)) throw new Error(`${library.name}: ${misordered} events out of order`);

  const latency = new Float64Array(total - skip);
  const lateness = new Float64Array(total - skip);
  for (let i = skip; i < total; i++) {
    latency[i - skip] = ((enteredAt[i] as number) - (publishedAt[i] as number)) * 1000;
    lateness[i - skip] = ((enteredAt[i] as number) - (scheduledAt[i] as number)) * 1000;
  }
  latency.sort();
  lateness.sort();
  return {
    p50Us: quantile(latency, 0.5),
    p99Us: quantile(latency, 0.99),
    maxUs: latency[latency.length - 1] as number,
    scheduledP99Us: quantile(lateness, 0.99),
    samples: latency.length,
  };
}
