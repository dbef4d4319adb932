import type { EventMap, EventTypeOf } from "@qt/eventbus";
import { z } from "zod";
import type { EventSchemaDefinition } from "./define-event.js";
import { type QtEventMap, qtEventRegistry } from "./qt-events.js";
import type { EventRegistry } from "./registry.js";

/**
 * A JSON Schema (draft 2020-12) document, as zod writes it.
 *
 * @example
 * ```ts
 * const schema: JSONSchema = toJSONSchemas()["trade.executed"];
 * ```
 */
export type JSONSchema = z.core.JSONSchema.JSONSchema;

const nonEmpty = z.string().min(1);

/**
 * JSON Schemas (draft 2020-12) of each event type's wire form: the envelope, with `timestamp` as
 * an ISO 8601 date-time string, around the payload schema of the type's highest version. Envelope
 * fields beyond the known ones are allowed (readers ignore them); payload fields are not. For
 * other languages, docs and contract tests; generated from the zod schemas, so they never drift.
 *
 * @example
 * ```ts
 * for (const [type, schema] of Object.entries(toJSONSchemas())) {
 *   await writeFile(`schemas/${type}.json`, JSON.stringify(schema, null, 2));
 * }
 * ```
 */
export function toJSONSchemas(): Record<EventTypeOf<QtEventMap>, JSONSchema>;
export function toJSONSchemas<M extends EventMap>(
  registry: EventRegistry<M>,
): Record<EventTypeOf<M>, JSONSchema>;
export function toJSONSchemas(
  registry: {
    types(): readonly string[];
    schemaOf(type: string): EventSchemaDefinition | undefined;
  } = qtEventRegistry,
): Record<string, JSONSchema> {
  const out: Record<string, JSONSchema> = {};
  for (const type of registry.types()) {
    const definition = registry.schemaOf(type);
    if (definition === undefined) continue;
    const envelope = z
      .looseObject({
        id: nonEmpty,
        type: z.literal(type),
        timestamp: z.iso.datetime({ offset: true }),
        payload: definition.schema,
        source: nonEmpty,
        correlationId: nonEmpty,
        causationId: nonEmpty.nullable(),
        version: z.literal(definition.version),
      })
      .meta({ title: `${type} v${definition.version}` });
    out[type] = z.toJSONSchema(envelope, { target: "draft-2020-12", io: "output" });
  }
  return out;
}
