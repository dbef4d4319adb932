import { createTestBus, type TestBus } from "@qt/eventbus/testing";
import {
  PolicyUpdatedEvent,
  type QtEvent,
  type QtEventMap,
  qtEventRegistry,
  RiskMode,
  TradeExecutedEvent,
  TradeSide,
} from "@qt/events";
import { describe, expect, it } from "vitest";
import { PortfolioBalancer } from "./portfolio-balancer.js";

const T0 = Date.UTC(2025, 0, 1);
const at = (seconds: number) => ({ timestamp: new Date(T0 + seconds * 1000) });

function policy(max_positions: number, seconds = 0) {
  return PolicyUpdatedEvent.create(
    {
      risk_mode: RiskMode.NORMAL,
      allowed_strategies: [],
      global_min_confidence: 0.6,
      max_risk_per_trade: 0.02,
      max_positions,
    },
    at(seconds),
  );
}

function trade(symbol: string, side: TradeSide, size: number, price: number, seconds = 0) {
  return TradeExecutedEvent.create(
    { order_id: `o-${seconds}`, symbol, side, size, price, strategy_id: "trend" },
    at(seconds),
  );
}

async function setup(maxPositions = 3) {
  const bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
  const balancer = new PortfolioBalancer({ eventBus: bus });
  await bus.publish(policy(maxPositions));
  await bus.idle();
  return { bus, balancer };
}

async function fill(bus: TestBus<QtEventMap>, ...events: QtEvent[]) {
  for (const event of events) await bus.publish(event);
  await bus.idle();
}

describe("openPositions", () => {
  it("nets BUYs and SELLs per symbol: a SELL reduces a long, then flips it short", async () => {
    const { bus, balancer } = await setup();
    await using _ = bus;
    await fill(
      bus,
      trade("ETHUSDT", TradeSide.BUY, 2, 3000, 1),
      trade("ETHUSDT", TradeSide.SELL, 0.5, 3100, 2),
    );
    expect(balancer.openPositions).toEqual([{ symbol: "ETHUSDT", net_size: 1.5, last_price: 3100 }]);

    await fill(bus, trade("ETHUSDT", TradeSide.SELL, 3, 3200, 3));
    expect(balancer.position("ETHUSDT")).toEqual({ symbol: "ETHUSDT", net_size: -1.5, last_price: 3200 });

    await fill(bus, trade("ETHUSDT", TradeSide.BUY, 1.5, 3000, 4));
    expect(balancer.position("ETHUSDT")).toBeUndefined();
    expect(balancer.openPositions).toEqual([]);
  });

  it("treats float dust as flat", async () => {
    const { bus, balancer } = await setup();
    await using _ = bus;
    await fill(
      bus,
      trade("SOLUSDT", TradeSide.BUY, 0.1, 150, 1),
      trade("SOLUSDT", TradeSide.BUY, 0.2, 150, 2),
      trade("SOLUSDT", TradeSide.SELL, 0.3, 150, 3),
    );
    expect(balancer.openPositions).toEqual([]);
  });

  it("counts each symbol once", async () => {
    const { bus, balancer } = await setup();
    await using _ = bus;
    await fill(
      bus,
      trade("BTCUSDT", TradeSide.BUY, 1, 60_000, 1),
      trade("BTCUSDT", TradeSide.BUY, 1, 61_000, 2),
      trade("ETHUSDT", TradeSide.SELL, 1, 3000, 3),
    );
    expect(balancer.openPositions.map((p) => [p.symbol, p.net_size])).toEqual([
      ["BTCUSDT", 2],
      ["ETHUSDT", -1],
    ]);
  });

  it("applies the same trade.executed delivered twice once", async () => {
    const { bus, balancer } = await setup();
    await using _ = bus;
    const buy = trade("BTCUSDT", TradeSide.BUY, 1, 60_000, 1);
    await fill(bus, buy, buy);
    expect(balancer.position("BTCUSDT")?.net_size).toBe(1);
  });

  it("applies trades in any order, keeping the newest price", async () => {
    const { bus, balancer } = await setup();
    await using _ = bus;
    await fill(
      bus,
      trade("BTCUSDT", TradeSide.BUY, 1, 62_000, 10),
      trade("BTCUSDT", TradeSide.BUY, 1, 60_000, 5),
    );
    expect(balancer.position("BTCUSDT")).toEqual({ symbol: "BTCUSDT", net_size: 2, last_price: 62_000 });
  });
});

describe("exposure()", () => {
  it("is net size × last price, signed", async () => {
    const { bus, balancer } = await setup();
    await using _ = bus;
    await fill(
      bus,
      trade("ETHUSDT", TradeSide.BUY, 2, 3000, 1),
      trade("ETHUSDT", TradeSide.SELL, 0.5, 3100, 2),
      trade("SOLUSDT", TradeSide.SELL, 4, 150, 3),
    );
    expect(balancer.exposure("ETHUSDT")).toBe(4650);
    expect(balancer.exposure("SOLUSDT")).toBe(-600);
  });

  it("is 0 for a flat or never-traded symbol", async () => {
    const { bus, balancer } = await setup();
    await using _ = bus;
    await fill(
      bus,
      trade("ETHUSDT", TradeSide.BUY, 1, 3000, 1),
      trade("ETHUSDT", TradeSide.SELL, 1, 3000, 2),
    );
    expect(balancer.exposure("ETHUSDT")).toBe(0);
    expect(balancer.exposure("XRPUSDT")).toBe(0);
  });
});

describe("canOpen()", () => {
  it("is false at max positions for a new symbol, true for an open one", async () => {
    const { bus, balancer } = await setup(2);
    await using _ = bus;
    await fill(bus, trade("BTCUSDT", TradeSide.BUY, 1, 60_000, 1));
    expect(balancer.canOpen("ETHUSDT")).toBe(true);
    await fill(bus, trade("ETHUSDT", TradeSide.SELL, 1, 3000, 2));
    expect(balancer.canOpen("SOLUSDT")).toBe(false);
    expect(balancer.canOpen("BTCUSDT")).toBe(true);

    await fill(bus, trade("ETHUSDT", TradeSide.BUY, 1, 3000, 3)); // closes the short
    expect(balancer.canOpen("SOLUSDT")).toBe(true);
  });

  it("follows max_positions, ignoring an older policy", async () => {
    const { bus, balancer } = await setup(1);
    await using _ = bus;
    await fill(bus, trade("BTCUSDT", TradeSide.BUY, 1, 60_000, 1));
    expect(balancer.canOpen("ETHUSDT")).toBe(false);
    await bus.publish(policy(2, 10));
    await bus.publish(policy(1, 5));
    await bus.idle();
    expect(balancer.maxPositions).toBe(2);
    expect(balancer.canOpen("ETHUSDT")).toBe(true);
  });

  it("is false before the first policy", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const balancer = new PortfolioBalancer({ eventBus: bus });
    expect(balancer.maxPositions).toBeUndefined();
    expect(balancer.canOpen("BTCUSDT")).toBe(false);
  });
});

describe("close()", () => {
  it("stops following trades and the policy", async () => {
    const { bus, balancer } = await setup(3);
    await using _ = bus;
    balancer.close();
    balancer.close();
    await fill(bus, trade("BTCUSDT", TradeSide.BUY, 1, 60_000, 1), policy(5, 1));
    expect(balancer.openPositions).toEqual([]);
    expect(balancer.maxPositions).toBe(3);
  });
});
