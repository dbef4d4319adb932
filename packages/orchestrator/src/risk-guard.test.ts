import { createTestBus } from "@qt/eventbus/testing";
import { PolicyUpdatedEvent, type QtEventMap, qtEventRegistry, RiskMode } from "@qt/events";
import { describe, expect, it } from "vitest";
import { NoPolicyError, RiskInputError } from "./errors.js";
import { RiskGuard } from "./risk-guard.js";

const T0 = Date.UTC(2025, 0, 1);

function policy(max_risk_per_trade: number, seconds = 0) {
  return PolicyUpdatedEvent.create(
    {
      risk_mode: RiskMode.NORMAL,
      allowed_strategies: [],
      global_min_confidence: 0.6,
      max_risk_per_trade,
      max_positions: 5,
    },
    { timestamp: new Date(T0 + seconds * 1000) },
  );
}

async function guardWith(maxRisk: number) {
  const bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
  const guard = new RiskGuard({ eventBus: bus });
  await bus.publish(policy(maxRisk));
  await bus.idle();
  return { bus, guard };
}

const long = { equity: 10_000, entry_price: 100, stop_price: 95 };

describe("size()", () => {
  it("is equity * max_risk_per_trade / |entry - stop|", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    expect(guard.size(long)).toBe(20); // 20 * 5 = 100 = 1% of 10,000
  });

  it("uses the stop distance whatever the side (a short's stop is above its entry)", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    expect(guard.size({ equity: 10_000, entry_price: 100, stop_price: 104 })).toBe(25);
  });

  it("follows each new policy", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    await bus.publish(policy(0.02, 1));
    await bus.idle();
    expect(guard.maxRiskPerTrade).toBe(0.02);
    expect(guard.size(long)).toBe(40);
  });

  it("throws NoPolicyError before the first policy", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const guard = new RiskGuard({ eventBus: bus });
    expect(guard.maxRiskPerTrade).toBeUndefined();
    expect(() => guard.size(long)).toThrow(NoPolicyError);
    expect(() => guard.size(long)).toThrow(
      expect.objectContaining({ code: "NO_POLICY", component: "RiskGuard" }),
    );
  });

  it.each([
    { name: "a stop at the entry", input: { ...long, stop_price: 100 }, path: "stop_price" },
    { name: "zero equity", input: { ...long, equity: 0 }, path: "equity" },
    { name: "NaN entry", input: { ...long, entry_price: Number.NaN }, path: "entry_price" },
    { name: "negative stop", input: { ...long, stop_price: -1 }, path: "stop_price" },
  ])("throws RiskInputError on $name", async ({ input, path }) => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    expect(() => guard.size(input)).toThrow(RiskInputError);
    expect(() => guard.size(input)).toThrow(
      expect.objectContaining({ code: "RISK_INPUT_VALIDATION", issues: [expect.objectContaining({ path })] }),
    );
  });
});

describe("check()", () => {
  it("allows a size within the limit and reports its risk", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    expect(guard.check({ ...long, size: 10 })).toEqual({
      allowed: true,
      risk: 0.005,
      max_risk: 0.01,
      max_size: 20,
    });
  });

  it("rejects a size whose risk exceeds the limit, with the size that would pass", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    expect(guard.check({ ...long, size: 30 })).toEqual({
      allowed: false,
      risk: 0.015,
      max_risk: 0.01,
      max_size: 20,
    });
  });

  it("allows exactly the size that size() returns, despite float rounding", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    // Here size * distance / equity comes out as 0.010000000000000002.
    const input = { equity: 9349.91, entry_price: 135.72, stop_price: 129.98 };
    expect(guard.check({ ...input, size: guard.size(input) }).allowed).toBe(true);
    expect(guard.check({ ...input, size: guard.size(input) * 1.001 }).allowed).toBe(false);
  });

  it("lets the caller reduce instead of reject", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    const verdict = guard.check({ ...long, size: 30 });
    const size = verdict.allowed ? 30 : verdict.max_size;
    expect(guard.check({ ...long, size }).allowed).toBe(true);
  });

  it("throws RiskInputError on a size that is not > 0", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    expect(() => guard.check({ ...long, size: 0 })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: "size" })] }),
    );
  });

  it("throws NoPolicyError before the first policy", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    expect(() => new RiskGuard({ eventBus: bus }).check({ ...long, size: 1 })).toThrow(NoPolicyError);
  });
});

describe("policy.updated", () => {
  it("ignores a policy older than the one applied", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    await bus.publish(policy(0.03, 10));
    await bus.publish(policy(0.05, 5));
    await bus.idle();
    expect(guard.maxRiskPerTrade).toBe(0.03);
  });

  it("ignores a duplicate delivery", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const guard = new RiskGuard({ eventBus: bus });
    const first = policy(0.01, 1);
    await bus.publish(first);
    await bus.publish(policy(0.02, 2));
    await bus.publish(first);
    await bus.idle();
    expect(guard.maxRiskPerTrade).toBe(0.02);
  });
});

describe("close()", () => {
  it("stops following the policy", async () => {
    const { bus, guard } = await guardWith(0.01);
    await using _ = bus;
    guard.close();
    guard.close();
    await bus.publish(policy(0.02, 1));
    await bus.idle();
    expect(guard.maxRiskPerTrade).toBe(0.01);
  });
});
