import {
  assertEventType,
  type CreateEventOptions,
  createEvent,
  type EventEnvelope,
  EventValidationError,
} from "@qt/eventbus";
import type { z } from "zod";
import { toValidationIssues } from "./issues.js";

/**
 * A versioned payload schema of one event type: what a registry needs to validate events.
 *
 * @example
 * ```ts
 * // Keep reading events of an old version after the factory has moved on to version 2.
 * const legacy: EventSchemaDefinition<"policy.updated"> = { type: "policy.updated", version: 1, schema: policyV1 };
 * ```
 */
export interface EventSchemaDefinition<T extends string = string, P = unknown> {
  /** The event type, e.g. `"policy.updated"`. */
  readonly type: T;
  /** The payload schema's version: an integer >= 1. */
  readonly version: number;
  /** The payload schema: a strict zod object, the single source of truth of the payload type. */
  readonly schema: z.ZodType<P>;
}

/**
 * Envelope fields a factory lets the caller set: everything but `version`, which is the schema's.
 *
 * @example
 * ```ts
 * TradeExecutedEvent.create(payload, { source: "executor", correlationId: signal.correlationId });
 * ```
 */
export type EventOptions = Omit<CreateEventOptions, "version">;

/**
 * An event type's schema and its typed, validating factory.
 *
 * @typeParam T - the event type.
 * @typeParam P - the payload, as validated and sent.
 * @typeParam I - what `create` takes: the payload, with defaulted fields optional.
 *
 * @example
 * ```ts
 * const event = PolicyUpdatedEvent.create({ risk_mode: "NORMAL", allowed_strategies: [], global_min_confidence: 0.6, max_risk_per_trade: 0.02, max_positions: 5 });
 * PolicyUpdatedEvent.schema.safeParse(event.payload).success; // true
 * ```
 */
export interface EventDefinition<T extends string = string, P = unknown, I = P>
  extends EventSchemaDefinition<T, P> {
  /**
   * Validates `payload` (after filling in defaults) and wraps it in an envelope of this type and
   * version.
   *
   * @throws {@link "@qt/eventbus"!EventValidationError} naming each bad field, e.g. `payload.max_risk_per_trade`.
   */
  create(payload: I, options?: EventOptions): EventEnvelope<T, P>;
}

type Simplify<O> = { [K in keyof O]: O[K] } & {};

/**
 * The payload `P` with the fields `K` made optional: what a factory with defaults for `K` takes.
 *
 * @example
 * ```ts
 * type Input = WithDefaults<TradeExecutedPayload, "model" | "pnl">; // model?, pnl?
 * ```
 */
export type WithDefaults<P, K extends PropertyKey> = Simplify<Omit<P, K> & Partial<Pick<P, K & keyof P>>>;

/**
 * Defines an event type from its payload schema: returns its {@link EventDefinition}.
 *
 * `defaults` are filled in by `create` only; the schema itself has none, so a payload that
 * reaches a registry without a field is refused instead of being silently completed.
 *
 * @throws {@link "@qt/eventbus"!InvalidPatternError} when `type` is not a valid event type (dot-separated segments).
 * @throws TypeError when `version` is not an integer >= 1.
 *
 * @example
 * ```ts
 * const schema = z.strictObject({ order_id: z.string().min(1), reason: z.string().min(1) });
 * export type OrderRejectedPayload = z.infer<typeof schema>;
 * export const OrderRejectedEvent = defineEvent({ type: "order.rejected", version: 1, schema });
 * ```
 */
export function defineEvent<
  const T extends string,
  S extends z.ZodType<object>,
  D extends Partial<z.output<S>> = Record<never, never>,
>(init: {
  type: T;
  version: number;
  schema: S;
  defaults?: D;
}): EventDefinition<T, z.output<S>, WithDefaults<z.output<S>, keyof D>> & {
  /** The payload schema with its exact zod type, for `.shape`, `.extend()` or a new version. */
  readonly schema: S;
} {
  const { type, version, schema, defaults } = init;
  assertEventType(type);
  if (!Number.isInteger(version) || version < 1) {
    throw new TypeError(`Event "${type}": version must be an integer >= 1, received ${version}`);
  }
  return Object.freeze({
    type,
    version,
    // TypeScript cannot see that a generic S is a ZodType of its own output.
    schema: schema as S & z.ZodType<z.output<S>>,
    create(
      payload: WithDefaults<z.output<S>, keyof D>,
      options?: EventOptions,
    ): EventEnvelope<T, z.output<S>> {
      const input = defaults === undefined ? payload : { ...defaults, ...payload };
      const result = schema.safeParse(input);
      if (!result.success) {
        throw new EventValidationError(type, toValidationIssues(result.error.issues, input, "payload"));
      }
      return createEvent(type, result.data, options === undefined ? { version } : { ...options, version });
    },
  });
}
