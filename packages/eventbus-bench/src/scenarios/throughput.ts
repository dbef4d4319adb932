import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { qtEventRegistry } from "@qt/events";
import { startCpuProfile } from "../cpu-profile.js";
import { type Library, libraries, type SubjectOptions } from "../libraries.js";
import type { ThroughputResult, ThroughputSpec } from "../spec.js";
import { makeTradeEvents, type TradeEvent } from "../trade-events.js";
import { Completion } from "./completion.js";

/** Distinct events a throughput worker creates; a pass cycles through them. */
export const DISTINCT_EVENTS = 20_000;
/** Events of each warm-up pass. */
export const WARMUP_EVENTS = 20_000;
/** Warm-up passes, each on a fresh instance, before the timed pass. */
export const WARMUP_PASSES = 2;

/**
 * Events/s through `spec.library` to `spec.handlers` async handlers: from the first publish until
 * every handler invocation has completed. Warm-up passes run on separate instances first.
 *
 * @example
 * ```ts
 * const { eventsPerSecond } = await runThroughput({ scenario: "throughput", library: "qt-bus", handlers: 10, validate: false, events: 200_000 });
 * ```
 */
export async function runThroughput(spec: ThroughputSpec): Promise<ThroughputResult> {
  const library = libraries[spec.library];
  const events = makeTradeEvents(spec.events, DISTINCT_EVENTS);
  const options: SubjectOptions = spec.validate ? { registry: qtEventRegistry } : {};
  const warmup = events.slice(0, Math.min(events.length, WARMUP_EVENTS));
  for (let i = 0; i < WARMUP_PASSES; i++) await timePass(library, options, spec.handlers, warmup);
  globalThis.gc?.();
  const { cpuProfile } = spec;
  const stopProfile = cpuProfile === undefined ? undefined : await startCpuProfile(cpuProfile.intervalUs);
  const elapsedMs = await timePass(library, options, spec.handlers, events);
  if (cpuProfile !== undefined && stopProfile !== undefined) {
    writeFileSync(cpuProfile.file, JSON.stringify(await stopProfile()));
  }
  return {
    eventsPerSecond: (events.length / elapsedMs) * 1000,
    deliveries: events.length * spec.handlers,
    elapsedMs,
  };
}

/** One timed pass on a fresh instance; throws unless every delivery completed. */
async function timePass(
  library: Library,
  options: SubjectOptions,
  handlers: number,
  events: readonly TradeEvent[],
): Promise<number> {
  const subject = library.create(options);
  const completion = new Completion(events.length * handlers);
  for (let i = 0; i < handlers; i++) subject.subscribe(completion.handler());
  const start = performance.now();
  await subject.publishAll(events);
  await completion.done;
  const elapsedMs = performance.now() - start;
  subject.verify(completion.expected);
  if (completion.completed !== completion.expected || !(completion.sink > 0)) {
    throw new Error(
      `${library.name}: ${completion.completed} of ${completion.expected} deliveries completed`,
    );
  }
  return elapsedMs;
}
