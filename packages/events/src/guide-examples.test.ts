/**
 * The integration guide's own examples, in TypeScript: components that take the bus in their
 * constructor and subscribe to typed events. The real components live in their own packages;
 * these small ones show that the bus and the events carry the guide's flows as written.
 */
import type { EventBus } from "@qt/eventbus";
import { createTestBus, recordEvents } from "@qt/eventbus/testing";
import { describe, expect, it } from "vitest";
import { HealthStatus, RiskMode } from "./enums.js";
import { HealthStatusChangedEvent } from "./health-status-changed.js";
import { OpportunitiesUpdatedEvent } from "./opportunities-updated.js";
import { PolicyUpdatedEvent, type PolicyUpdatedPayload } from "./policy-updated.js";
import { type QtEventMap, qtEventRegistry } from "./qt-events.js";
import { TradeExecutedEvent } from "./trade-executed.js";

class Orchestrator {
  currentPolicy: PolicyUpdatedPayload | undefined;
  topSymbols: string[] = [];
  constructor(bus: EventBus<QtEventMap>) {
    bus.subscribe("policy.updated", (e) => {
      this.currentPolicy = e.payload;
    });
    bus.subscribe("opportunities.updated", (e) => {
      this.topSymbols = e.payload.top_symbols;
    });
  }
}

class RiskGuard {
  maxRiskPerTrade = 0;
  constructor(bus: EventBus<QtEventMap>) {
    bus.subscribe("policy.updated", (e) => {
      this.maxRiskPerTrade = e.payload.max_risk_per_trade;
    });
  }
}

class MetaStrategyController {
  constructor(private readonly bus: EventBus<QtEventMap>) {}
  async updateRiskMode(mode: RiskMode): Promise<void> {
    const defensive = mode === RiskMode.DEFENSIVE;
    await this.bus.publish(
      PolicyUpdatedEvent.create({
        risk_mode: mode,
        allowed_strategies: ["trend"],
        global_min_confidence: defensive ? 0.7 : 0.6,
        max_risk_per_trade: defensive ? 0.01 : 0.02,
        max_positions: defensive ? 3 : 5,
      }),
    );
  }
}

describe("the guide's unit test", () => {
  it("the orchestrator reacts to a DEFENSIVE policy", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const orchestrator = new Orchestrator(bus);
    await bus.publish(
      PolicyUpdatedEvent.create({
        risk_mode: RiskMode.DEFENSIVE,
        allowed_strategies: ["test"],
        global_min_confidence: 0.8,
        max_risk_per_trade: 0.01,
        max_positions: 2,
      }),
    );
    await bus.idle();
    expect(orchestrator.currentPolicy?.risk_mode).toBe("DEFENSIVE");
  });
});

describe("the guide's integration test", () => {
  it("MSC AI switching to AGGRESSIVE reaches the orchestrator and the risk guard", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const msc = new MetaStrategyController(bus);
    const orchestrator = new Orchestrator(bus);
    const riskGuard = new RiskGuard(bus);
    await msc.updateRiskMode(RiskMode.AGGRESSIVE);
    await bus.idle();
    expect(orchestrator.currentPolicy?.risk_mode).toBe("AGGRESSIVE");
    expect(riskGuard.maxRiskPerTrade).toBe(0.02);
  });
});

describe("the guide's patterns", () => {
  it("health -> several alert channels, each notified of CRITICAL only", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const discord: string[] = [];
    const email: string[] = [];
    for (const sink of [discord, email]) {
      bus.subscribe("health.status_changed", async (e) => {
        if (e.payload.new_status === HealthStatus.CRITICAL) sink.push(e.payload.component);
      });
    }
    for (const new_status of [HealthStatus.DEGRADED, HealthStatus.CRITICAL]) {
      await bus.publish(
        HealthStatusChangedEvent.create({
          old_status: HealthStatus.HEALTHY,
          new_status,
          component: "DrawdownGuard",
          reason: "Daily drawdown exceeded",
          metrics: { dd: -5.2 },
        }),
      );
    }
    await bus.idle();
    expect({ discord, email }).toEqual({ discord: ["DrawdownGuard"], email: ["DrawdownGuard"] });
  });

  it("executor -> analytics pipeline: every trade logged, realised pnl summed", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const log = recordEvents(bus, "trade.executed");
    let totalPnl = 0;
    let closed = 0;
    bus.subscribe("trade.executed", (e) => {
      if (e.payload.pnl === null) return;
      totalPnl += e.payload.pnl;
      closed++;
    });
    const fills = [
      { order_id: "1", side: "BUY", pnl: null },
      { order_id: "2", side: "SELL", pnl: 12.5 },
      { order_id: "3", side: "SELL", pnl: -2.5 },
    ] as const;
    for (const fill of fills) {
      await bus.publish(
        TradeExecutedEvent.create({
          ...fill,
          symbol: "ETHUSDT",
          size: 1,
          price: 3000,
          strategy_id: "s",
          model: null,
        }),
      );
    }
    await bus.idle();
    expect(log.events).toHaveLength(3);
    expect({ totalPnl, closed }).toEqual({ totalPnl: 10, closed: 2 });
  });

  it("opportunities -> orchestrator follows the top symbols", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const orchestrator = new Orchestrator(bus);
    await bus.publish(
      OpportunitiesUpdatedEvent.create({
        top_symbols: ["BTCUSDT", "SOLUSDT"],
        scores: { BTCUSDT: 0.9, SOLUSDT: 0.8 },
        criteria: { min_volume: 1_000_000 },
        excluded_count: 12,
      }),
    );
    await bus.idle();
    expect(orchestrator.topSymbols).toEqual(["BTCUSDT", "SOLUSDT"]);
  });

  it("a bus with the registry refuses a malformed event before any handler sees it", async () => {
    await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
    const orchestrator = new Orchestrator(bus);
    const forged = {
      ...PolicyUpdatedEvent.create({
        risk_mode: RiskMode.NORMAL,
        allowed_strategies: [],
        global_min_confidence: 0.6,
        max_risk_per_trade: 0.02,
        max_positions: 5,
      }),
    };
    (forged as { payload: unknown }).payload = { ...forged.payload, max_risk_per_trade: 1.5 };
    await expect(bus.publish(forged)).rejects.toMatchObject({
      code: "EVENT_VALIDATION",
      issues: [expect.objectContaining({ path: "payload.max_risk_per_trade" })],
    });
    await bus.idle();
    expect(orchestrator.currentPolicy).toBeUndefined();
  });
});
