import { describe, expect, it } from "vitest";
import { createEvent } from "./envelope.js";
import { latestOnly } from "./latest-only.js";
import { createTestBus } from "./testing/index.js";

const at = (iso: string, value: string, key = "k") =>
  createEvent("policy.updated", { value, key }, { timestamp: new Date(iso) });

describe("latestOnly()", () => {
  it("ignores an update older than one already applied, and a repeat of the same id", async () => {
    await using bus = createTestBus();
    const applied: string[] = [];
    bus.subscribe(
      "policy.updated",
      latestOnly((e) => {
        applied.push((e.payload as { value: string }).value);
      }),
    );
    const newer = at("2026-01-01T10:00:01Z", "newer");
    for (const e of [
      newer,
      at("2026-01-01T10:00:00Z", "older"),
      newer,
      at("2026-01-01T10:00:02Z", "newest"),
    ]) {
      await bus.publish(e);
    }
    await bus.idle();
    expect(applied).toEqual(["newer", "newest"]);
  });

  it("orders per key when given one", async () => {
    await using bus = createTestBus();
    const applied: string[] = [];
    bus.subscribe(
      "policy.updated",
      latestOnly(
        (e) => {
          applied.push((e.payload as { value: string }).value);
        },
        { key: (e) => (e.payload as { key: string }).key },
      ),
    );
    for (const e of [
      at("2026-01-01T10:00:05Z", "a5", "a"),
      at("2026-01-01T10:00:01Z", "b1", "b"),
      at("2026-01-01T10:00:02Z", "a2", "a"),
    ]) {
      await bus.publish(e);
    }
    await bus.idle();
    expect(applied).toEqual(["a5", "b1"]);
  });
});
