import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toJSONSchemas } from "./json-schema.js";
import { PolicyUpdatedEvent } from "./policy-updated.js";
import { qtEventDefinitions, qtEventRegistry } from "./qt-events.js";
import { TradeExecutedEvent } from "./trade-executed.js";

const envelopeFields = [
  "id",
  "type",
  "timestamp",
  "payload",
  "source",
  "correlationId",
  "causationId",
  "version",
];

describe("toJSONSchemas()", () => {
  const schemas = toJSONSchemas();

  it("has one draft 2020-12 schema per registered type", () => {
    expect(Object.keys(schemas)).toEqual(qtEventRegistry.types());
    for (const schema of Object.values(schemas)) {
      expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(schema.type).toBe("object");
      expect(schema.required).toEqual(envelopeFields);
    }
  });

  it.each(qtEventDefinitions.map((d) => [d.type, d] as const))(
    "describes the %s envelope and its strict payload, every field required",
    (type, definition) => {
      const schema = schemas[type];
      const properties = schema.properties ?? {};
      expect(properties.type).toMatchObject({ const: type });
      expect(properties.version).toMatchObject({ const: definition.version });
      expect(properties.timestamp).toMatchObject({ type: "string", format: "date-time" });
      const payload = properties.payload as z.core.JSONSchema.JSONSchema;
      expect(payload.additionalProperties).toBe(false);
      expect(payload.required).toEqual(Object.keys(definition.schema.shape));
    },
  );

  it("writes the bounds and enums", () => {
    const policy = schemas["policy.updated"].properties?.payload as z.core.JSONSchema.JSONSchema;
    expect(policy.properties?.global_min_confidence).toMatchObject({
      type: "number",
      minimum: 0,
      maximum: 1,
    });
    expect(policy.properties?.max_positions).toMatchObject({ type: "integer", exclusiveMinimum: 0 });
    expect(policy.properties?.risk_mode).toMatchObject({ enum: ["AGGRESSIVE", "NORMAL", "DEFENSIVE"] });
    const trade = schemas["trade.executed"].properties?.payload as z.core.JSONSchema.JSONSchema;
    expect(trade.properties?.pnl).toEqual({ type: ["number", "null"] });
  });

  it("is plain JSON that accepts the wire form of a real event and refuses a bad one", () => {
    const schema = schemas["trade.executed"];
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    // Read back with zod's JSON Schema reader: a check that the document means what it says.
    const validator = z.fromJSONSchema(schema);
    const event = TradeExecutedEvent.create({
      order_id: "o",
      symbol: "BTCUSDT",
      side: "BUY",
      size: 1,
      price: 2,
      strategy_id: "s",
    });
    const onTheWire = JSON.parse(JSON.stringify(event));
    expect(validator.safeParse(onTheWire).success).toBe(true);
    expect(validator.safeParse({ ...onTheWire, payload: { ...onTheWire.payload, size: -1 } }).success).toBe(
      false,
    );
    expect(validator.safeParse({ ...onTheWire, timestamp: "yesterday" }).success).toBe(false);
    expect(validator.safeParse({ ...onTheWire, type: "policy.updated" }).success).toBe(false);
  });

  it("describes only the registry it is given", () => {
    const registry = { types: () => ["policy.updated"], schemaOf: () => PolicyUpdatedEvent };
    expect(Object.keys(toJSONSchemas(registry as never))).toEqual(["policy.updated"]);
  });
});
