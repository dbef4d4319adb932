// Test support (not built): events, a recording channel and a bus for notifier tests.
import type { Logger } from "@qt/eventbus";
import {
  createRecordingLogger,
  createTestBus,
  type RecordingLogger,
  type TestBus,
} from "@qt/eventbus/testing";
import {
  type HealthStatus,
  HealthStatusChangedEvent,
  PolicyUpdatedEvent,
  type QtEventMap,
  qtEventRegistry,
  type RiskMode,
  TradeExecutedEvent,
} from "@qt/events";
import type { Alert } from "../alert.js";
import type { Channel } from "../channel.js";

export const WEBHOOK_ID = "123456789012345678";
export const WEBHOOK_TOKEN = "wHk-T0ken_SECRET_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP";
export const BOT_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GbOtSe.cret-BOT-token_0123456789abcdef";
export const CHANNEL_ID = "987654321098765432";

export function testBus(): TestBus<QtEventMap> {
  return createTestBus<QtEventMap>({ registry: qtEventRegistry });
}

export function healthChanged(
  new_status: HealthStatus,
  component = "DrawdownGuard",
  old_status: HealthStatus = new_status === "HEALTHY" ? "CRITICAL" : "HEALTHY",
  reason = "Daily drawdown exceeded",
) {
  return HealthStatusChangedEvent.create(
    { old_status, new_status, component, reason, metrics: { dd: -5.2 } },
    { source: "health-monitor" },
  );
}

export function trade(pnl: number | null, symbol = "BTCUSDT") {
  return TradeExecutedEvent.create(
    {
      order_id: `o-${Math.random()}`,
      symbol,
      side: "SELL",
      size: 0.5,
      price: 64_000,
      strategy_id: "trend",
      pnl,
    },
    { source: "executor" },
  );
}

export function policy(risk_mode: RiskMode) {
  return PolicyUpdatedEvent.create({
    risk_mode,
    allowed_strategies: ["trend"],
    global_min_confidence: 0.7,
    max_risk_per_trade: 0.01,
    max_positions: 3,
  });
}

/** What a scripted channel does on one attempt: succeed, throw, or never settle. */
export type Outcome = "ok" | "hang" | Error;

export interface RecordingChannel extends Channel {
  /** Alerts delivered successfully, in order. */
  readonly alerts: Alert[];
  /** Every attempt, delivered or not. */
  readonly attempts: Alert[];
  closed: boolean;
}

/** A channel that records alerts; `script(attemptIndex)` decides each attempt's outcome. */
export function recordingChannel(
  script: (attempt: number, alert: Alert) => Outcome = () => "ok",
): RecordingChannel {
  const channel: RecordingChannel = {
    name: "recording",
    alerts: [],
    attempts: [],
    closed: false,
    send(alert) {
      const outcome = script(channel.attempts.length, alert);
      channel.attempts.push(alert);
      if (outcome === "hang") return new Promise<void>(() => {});
      if (outcome instanceof Error) return Promise.reject(outcome);
      channel.alerts.push(alert);
      return Promise.resolve();
    },
    close() {
      channel.closed = true;
    },
  };
  return channel;
}

export function recordingLogger(): RecordingLogger & Logger {
  return createRecordingLogger();
}

/** Fast retries for tests: the component's own backoff, kept tiny. */
export const fastRetry = { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, jitter: "none" } as const;
