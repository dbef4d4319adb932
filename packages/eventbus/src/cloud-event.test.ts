import { describe, expect, it } from "vitest";
import { fromCloudEvent, toCloudEvent } from "./cloud-event.js";
import { createEvent } from "./envelope.js";
import { InvalidEventError } from "./errors.js";

describe("toCloudEvent()", () => {
  it("maps the envelope to CloudEvents 1.0 attributes and extensions", () => {
    const event = createEvent(
      "policy.updated",
      { risk_mode: "DEFENSIVE" },
      {
        source: "msc-ai",
        correlationId: "corr",
        causationId: "cause",
        version: 2,
        timestamp: new Date("2026-01-02T03:04:05.006Z"),
      },
    );
    expect(toCloudEvent(event)).toEqual({
      specversion: "1.0",
      id: event.id,
      source: "msc-ai",
      type: "policy.updated",
      time: "2026-01-02T03:04:05.006Z",
      datacontenttype: "application/json",
      data: { risk_mode: "DEFENSIVE" },
      correlationid: "corr",
      causationid: "cause",
      dataversion: 2,
    });
  });

  it("omits causationid for a root event", () => {
    expect(toCloudEvent(createEvent("a", {}))).not.toHaveProperty("causationid");
  });
});

describe("fromCloudEvent()", () => {
  it("round-trips our events (payload without dates) exactly", () => {
    const event = createEvent(
      "trade.executed",
      { symbol: "ETHUSDT", size: 2, tags: ["a"] },
      { source: "executor" },
    );
    expect(fromCloudEvent(JSON.stringify(toCloudEvent(event)))).toEqual(event);
  });

  it("reads a foreign CloudEvent with only the required attributes", () => {
    const event = fromCloudEvent({
      specversion: "1.0",
      id: "ext-1",
      source: "/partner/feed",
      type: "opportunities.updated",
    });
    expect(event).toMatchObject({
      id: "ext-1",
      source: "/partner/feed",
      type: "opportunities.updated",
      correlationId: "ext-1",
      causationId: null,
      version: 1,
      payload: null,
    });
    expect(event.timestamp).toBeInstanceOf(Date);
  });

  it("decodes data_base64 JSON", () => {
    const data_base64 = Buffer.from(JSON.stringify({ x: 1 })).toString("base64");
    const event = fromCloudEvent({
      specversion: "1.0",
      id: "1",
      source: "s",
      type: "t",
      datacontenttype: "application/json",
      data_base64,
    });
    expect(event.payload).toEqual({ x: 1 });
  });

  it("names every missing or malformed attribute", () => {
    const error = (() => {
      try {
        fromCloudEvent({ specversion: "0.3", id: "", type: 5 });
      } catch (e) {
        return e as InvalidEventError;
      }
    })();
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error?.issues.map((i) => i.path)).toEqual(["specversion", "id", "source", "type"]);
    expect(() => fromCloudEvent("nope")).toThrow(InvalidEventError);
    expect(() =>
      fromCloudEvent({ specversion: "1.0", id: "1", source: "s", type: "t", time: "garbage" }),
    ).toThrow(/timestamp/);
  });
});
