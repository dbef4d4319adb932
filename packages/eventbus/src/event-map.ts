import type { EventEnvelope } from "./envelope.js";

/**
 * Maps each event type to its payload type, e.g. `{ "policy.updated": PolicyUpdatedPayload }`.
 * A bus typed with a map infers payloads in handlers and refuses unknown type names at compile
 * time. `Record<string, unknown>` (the default) accepts anything.
 */
export type EventMap = Record<string, unknown>;

/** The event types of a map. */
export type EventTypeOf<M extends EventMap> = keyof M & string;

/** The envelope of one type of a map. */
export type EventOf<M extends EventMap, K extends EventTypeOf<M>> = EventEnvelope<K, M[K]>;

/** Any envelope of a map (a union, one member per type). */
export type AnyEventOf<M extends EventMap> = {
  [K in EventTypeOf<M>]: EventEnvelope<K, M[K]>;
}[EventTypeOf<M>];

/** Every wildcard spelling of one type: `a.b` gives `a.b`, `a.*`, `*.b`, `*.*`, `a.>`. */
type WildcardsOf<T extends string> = T extends `${infer Head}.${infer Rest}`
  ? `${Head | "*"}.${WildcardsOf<Rest>}` | `${Head}.>` | `*.>`
  : T | "*";

/**
 * What `subscribe` accepts for a map: an exact type, a wildcard pattern that matches at least one
 * type, or `>`. With a concrete map, any other string is a compile error.
 */
export type PatternOf<M extends EventMap> =
  string extends EventTypeOf<M> ? string : EventTypeOf<M> | WildcardsOf<EventTypeOf<M>> | ">";

/** True when the concrete type `T` matches pattern `P` (same rules as at run time). */
export type Matches<T extends string, P extends string> = P extends ">"
  ? true
  : P extends `${infer PH}.${infer PR}`
    ? T extends `${infer TH}.${infer TR}`
      ? PH extends "*" | TH
        ? Matches<TR, PR>
        : false
      : false
    : P extends "*"
      ? T extends `${string}.${string}`
        ? false
        : true
      : P extends T
        ? true
        : false;

/** The envelope(s) a handler of pattern `P` receives: the union of every matching type's envelope. */
export type EventForPattern<M extends EventMap, P extends string> =
  string extends EventTypeOf<M>
    ? EventEnvelope<string, M[string]>
    : { [K in EventTypeOf<M>]: Matches<K, P> extends true ? EventEnvelope<K, M[K]> : never }[EventTypeOf<M>];
