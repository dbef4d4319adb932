import {
  assertEventType,
  type EventEnvelope,
  type EventMap,
  type EventSchemaRegistry,
  type EventTypeOf,
  EventValidationError,
} from "@qt/eventbus";
import type { EventSchemaDefinition } from "./define-event.js";
import { describeValue, toValidationIssues } from "./issues.js";

/**
 * The event map (type to payload) of a list of definitions; several versions of a type give a union.
 *
 * @example
 * ```ts
 * type Map = EventMapOf<typeof qtEventDefinitions>; // the same as QtEventMap
 * ```
 */
export type EventMapOf<D extends readonly EventSchemaDefinition[]> = {
  [E in D[number] as E["type"]]: E extends EventSchemaDefinition<string, infer P> ? P : never;
};

/**
 * Payload schemas by type and version. Pass it to a bus (`new InMemoryEventBus({ registry })`)
 * to refuse malformed events at `publish`, or to {@link parseEvent} to read untrusted input.
 *
 * @typeParam M - the event map the registry knows.
 *
 * @example
 * ```ts
 * qtEventRegistry.validate(event); // throws EventValidationError naming each bad field
 * qtEventRegistry.has("trade.executed"); // true
 * ```
 */
export interface EventRegistry<M extends EventMap = EventMap> extends EventSchemaRegistry {
  /**
   * Returns nothing when `event.payload` matches the schema of `event.type` at `event.version`.
   * Checks the payload only: the envelope is the bus's (or {@link parseEvent}'s) job.
   *
   * @throws {@link "@qt/eventbus"!EventValidationError} with path `type` (unknown type), `version` (unknown
   * version) or `payload.<field>` for each bad field.
   */
  validate(event: EventEnvelope): void;
  /** True when the registry has a schema for `type`, in any version. */
  has(type: string): type is EventTypeOf<M>;
  /** Every type the registry knows, in registration order. */
  types(): EventTypeOf<M>[];
  /** The definition of `type` at `version` (the highest version when omitted), or `undefined`. */
  schemaOf<K extends EventTypeOf<M>>(type: K, version?: number): EventSchemaDefinition<K, M[K]> | undefined;
}

/**
 * Builds a registry from event definitions (such as `PolicyUpdatedEvent`) or plain
 * `{ type, version, schema }` objects. Register several versions of a type to keep accepting
 * events of an old version after its factory has moved on.
 *
 * @throws {@link "@qt/eventbus"!InvalidPatternError} when a type is not a valid event type.
 * @throws TypeError when a definition's version is not an integer >= 1, or a type and version
 * pair is given twice.
 *
 * @example
 * ```ts
 * const registry = createEventRegistry([...qtEventDefinitions, OrderRejectedEvent]);
 * const bus = new InMemoryEventBus({ registry });
 * ```
 */
export function createEventRegistry<const D extends readonly EventSchemaDefinition[]>(
  definitions: D,
): EventRegistry<EventMapOf<D>> {
  type M = EventMapOf<D>;
  const byType = new Map<string, Map<number, EventSchemaDefinition>>();
  const latest = new Map<string, EventSchemaDefinition>();
  for (const definition of definitions) {
    const { type, version } = definition;
    assertEventType(type);
    if (!Number.isInteger(version) || version < 1) {
      throw new TypeError(`Event "${type}": version must be an integer >= 1, received ${version}`);
    }
    let versions = byType.get(type);
    if (versions === undefined) {
      versions = new Map();
      byType.set(type, versions);
    }
    if (versions.has(version)) throw new TypeError(`Event "${type}" version ${version} is registered twice`);
    versions.set(version, definition);
    if ((latest.get(type)?.version ?? 0) < version) latest.set(type, definition);
  }

  return Object.freeze({
    // Runs on every publish: two Map lookups and a safeParse; issues are only built on failure.
    validate(event: EventEnvelope): void {
      const versions = byType.get(event.type);
      if (versions === undefined) throw unknownType(event, byType);
      const definition = versions.get(event.version);
      if (definition === undefined) throw unknownVersion(event, versions);
      const result = definition.schema.safeParse(event.payload);
      if (!result.success) {
        throw new EventValidationError(
          event.type,
          toValidationIssues(result.error.issues, event.payload, "payload"),
        );
      }
    },
    has(type: string): type is EventTypeOf<M> {
      return byType.has(type);
    },
    types(): EventTypeOf<M>[] {
      return [...byType.keys()] as EventTypeOf<M>[];
    },
    schemaOf<K extends EventTypeOf<M>>(type: K, version?: number) {
      const definition = version === undefined ? latest.get(type) : byType.get(type)?.get(version);
      return definition as EventSchemaDefinition<K, M[K]> | undefined;
    },
  });
}

function unknownType(event: EventEnvelope, byType: ReadonlyMap<string, unknown>): EventValidationError {
  const known = [...byType.keys()].join(", ");
  return new EventValidationError(String(event.type), [
    { path: "type", message: `unknown event type; known types: ${known}` },
  ]);
}

function unknownVersion(event: EventEnvelope, versions: ReadonlyMap<number, unknown>): EventValidationError {
  const known = [...versions.keys()].join(", ");
  return new EventValidationError(event.type, [
    { path: "version", message: `unknown version ${describeValue(event.version)}; known versions: ${known}` },
  ]);
}
