import { type EventBus, InMemoryEventBus, type Logger } from "@qt/eventbus";
import {
  HealthStatus,
  HealthStatusChangedEvent,
  PolicyUpdatedEvent,
  type QtEventMap,
  qtEventRegistry,
  RiskMode,
  TradeExecutedEvent,
} from "@qt/events";

/** What the demo printed and counted, for its test. */
export interface DemoResult {
  readonly lines: string[];
  readonly totalPnl: number;
  readonly riskMode: string | undefined;
}

/**
 * Runs the guide's three flows on one bus: a health alert that makes the policy defensive (a
 * handler publishing, so the policy event joins the alert's correlation chain), policy listeners,
 * and trades feeding a PnL tracker. Returns what it printed.
 *
 * @example
 * ```ts
 * const { lines } = await runDemo();
 * for (const line of lines) console.log(line);
 * ```
 */
export async function runDemo(logger?: Logger): Promise<DemoResult> {
  const bus: EventBus<QtEventMap> = new InMemoryEventBus<QtEventMap>({
    maxQueueSize: 10_000,
    registry: qtEventRegistry,
    ...(logger === undefined ? {} : { logger }),
  });
  const lines: string[] = [];
  let totalPnl = 0;
  let riskMode: string | undefined;

  // Safety governor: a CRITICAL health status switches the policy to DEFENSIVE.
  bus.subscribe("health.status_changed", async (event) => {
    lines.push(
      `health   ${event.payload.component}: ${event.payload.old_status} -> ${event.payload.new_status}`,
    );
    if (event.payload.new_status !== HealthStatus.CRITICAL) return;
    await bus.publish(
      PolicyUpdatedEvent.create(
        {
          risk_mode: RiskMode.DEFENSIVE,
          allowed_strategies: ["trend-follow"],
          global_min_confidence: 0.7,
          max_risk_per_trade: 0.01,
          max_positions: 3,
        },
        { source: "msc-ai" },
      ),
    );
  });
  // Orchestrator: follows the policy.
  bus.subscribe("policy.updated", (event) => {
    riskMode = event.payload.risk_mode;
    const caused = event.causationId === null ? "" : ` (caused by ${event.causationId.slice(0, 8)})`;
    lines.push(`policy   ${event.payload.risk_mode}, max risk ${event.payload.max_risk_per_trade}${caused}`);
  });
  // Performance tracker: sums realised PnL.
  bus.subscribe("trade.executed", (event) => {
    if (event.payload.pnl !== null) totalPnl += event.payload.pnl;
    lines.push(
      `trade    ${event.payload.side} ${event.payload.size} ${event.payload.symbol} @ ${event.payload.price}`,
    );
  });

  const running = bus.runForever();
  await bus.publish(
    TradeExecutedEvent.create(
      {
        order_id: "o-1",
        symbol: "BTCUSDT",
        side: "BUY",
        size: 0.1,
        price: 97_000,
        strategy_id: "trend-follow",
      },
      { source: "executor" },
    ),
  );
  await bus.publish(
    TradeExecutedEvent.create(
      {
        order_id: "o-2",
        symbol: "BTCUSDT",
        side: "SELL",
        size: 0.1,
        price: 98_500,
        strategy_id: "trend-follow",
        pnl: 150,
      },
      { source: "executor" },
    ),
  );
  await bus.publish(
    HealthStatusChangedEvent.create(
      {
        old_status: HealthStatus.HEALTHY,
        new_status: HealthStatus.CRITICAL,
        component: "DrawdownGuard",
        reason: "Daily drawdown exceeded",
        metrics: { dd: -5.2 },
      },
      { source: "health-monitor" },
    ),
  );
  await bus.idle();
  const stats = bus.getStats();
  lines.push(
    `stats    published ${stats.published}, dispatched ${stats.dispatched}, errors ${stats.errors}, handlers ${stats.totalHandlers}`,
  );
  await bus.stop();
  await running;
  return { lines, totalPnl, riskMode };
}
