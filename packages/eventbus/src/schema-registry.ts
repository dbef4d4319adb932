import type { EventEnvelope } from "./envelope.js";

/**
 * Validates events before a bus accepts them. `@qt/events` provides one built on zod schemas;
 * any object with this method will do, so the bus itself depends on no schema library.
 *
 * @example
 * ```ts
 * const bus = new InMemoryEventBus({ registry: qtEventRegistry });
 * await bus.publish(badEvent); // rejects with EventValidationError naming the field
 * ```
 */
export interface EventSchemaRegistry {
  /**
   * Throws {@link EventValidationError} (naming each bad field) when `event`'s payload does not
   * match the schema of its type and version, or when its type is unknown to the registry.
   * Returns nothing on success.
   */
  validate(event: EventEnvelope): void;
}
