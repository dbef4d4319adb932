import { AsyncLocalStorage } from "node:async_hooks";
import type { EventEnvelope } from "./envelope.js";

/** What a bus knows while one of its handlers runs: the event being handled and its chain depth. */
export interface HandlingContext {
  /** The event being handled: what a publish from its handler is correlated with and caused by. */
  readonly event: EventEnvelope;
  /** 0 for a root event, 1 for an event its handler published, and so on. */
  readonly depth: number;
}

/**
 * Carries the event being handled through a handler's awaits, so that anything it publishes is
 * stamped with the same correlation id and caused by it, without the handler passing anything.
 *
 * One storage for the whole process, on purpose: every enabled `AsyncLocalStorage` adds work to
 * every promise the process creates (Node 20 propagates each one through promise hooks), so one
 * storage per bus would make each new bus slow down all the others. Sharing it also lets a
 * chain continue across two buses (e.g. an in-memory bus bridged to a broker).
 */
const storage = new AsyncLocalStorage<HandlingContext>();

/** The context of the handler running now, if any. */
export function currentHandlingContext(): HandlingContext | undefined {
  return storage.getStore();
}

/** Runs `fn(...args)` with `context` as the current handling context. */
export function runInHandlingContext<A extends unknown[], R>(
  context: HandlingContext,
  fn: (...args: A) => R,
  ...args: A
): R {
  return storage.run(context, fn, ...args);
}

/**
 * Returns the envelope a handler should publish: inside a handling context, a root event
 * (no causation given) joins the handled event's chain; an event with explicit ids is left as is.
 */
export function withCausation(event: EventEnvelope, context: HandlingContext | undefined): EventEnvelope {
  if (context === undefined || event.causationId !== null || event.correlationId !== event.id) return event;
  return { ...event, correlationId: context.event.correlationId, causationId: context.event.id };
}
