import { idempotent, latestOnly, type Subscription } from "@qt/eventbus";
import { type PolicyUpdatedPayload, type QtEventBus, StrategyLifecycle } from "@qt/events";
import { PortfolioBalancer } from "./portfolio-balancer.js";
import type { RejectionReason, SignalDecision } from "./rejection.js";
import { RiskGuard } from "./risk-guard.js";
import { SafetyGovernor } from "./safety-governor.js";
import { parseSignal, type SignalInput } from "./signal.js";

/**
 * Options of {@link Orchestrator}. Collaborators left out are built from `eventBus` and owned by
 * the orchestrator (`close()` closes them); collaborators passed in are the caller's to close.
 *
 * @example
 * ```ts
 * const governor = new SafetyGovernor({ eventBus: bus }); // shared with a dashboard
 * const orchestrator = new Orchestrator({ eventBus: bus, safetyGovernor: governor });
 * ```
 */
export interface OrchestratorOptions {
  /** The bus carrying the policy, opportunities, strategy, health and trade events. */
  readonly eventBus: QtEventBus;
  /** Sizes trades against `max_risk_per_trade`. */
  readonly riskGuard?: RiskGuard;
  /** Tracks positions against `max_positions`. */
  readonly portfolioBalancer?: PortfolioBalancer;
  /** Halts trading while a component is CRITICAL. */
  readonly safetyGovernor?: SafetyGovernor;
}

/**
 * Approves or rejects trading signals against the live policy (from `policy.updated`), the top
 * symbols (`opportunities.updated`), each strategy's lifecycle (`strategy.promoted`), open
 * positions, risk per trade and system health.
 *
 * Every subscription ignores a redelivered event id; the policy and the opportunities ignore an
 * update older (by timestamp) than the one applied, and so does each strategy's lifecycle.
 *
 * @example
 * ```ts
 * await using bus = createTestBus<QtEventMap>({ registry: qtEventRegistry });
 * const orchestrator = new Orchestrator({ eventBus: bus });
 * await bus.publish(PolicyUpdatedEvent.create({ risk_mode: "DEFENSIVE", allowed_strategies: ["trend"],
 *   global_min_confidence: 0.8, max_risk_per_trade: 0.01, max_positions: 2 }));
 * await bus.idle();
 * const decision = orchestrator.evaluateSignal({ symbol: "BTCUSDT", side: "BUY", confidence: 0.6,
 *   strategy_id: "trend", size: 0.1 });
 * decision.approved; // false: BELOW_MIN_CONFIDENCE, STRATEGY_NOT_LIVE, SYMBOL_NOT_IN_TOP
 * orchestrator.close();
 * ```
 */
export class Orchestrator {
  /** The risk guard consulted for `RISK_TOO_HIGH`. */
  readonly riskGuard: RiskGuard;
  /** The balancer consulted for `MAX_POSITIONS_REACHED`. */
  readonly portfolioBalancer: PortfolioBalancer;
  /** The governor consulted for `TRADING_HALTED`. */
  readonly safetyGovernor: SafetyGovernor;

  #policy: PolicyUpdatedPayload | undefined;
  #topSymbols: readonly string[] = [];
  readonly #lifecycles = new Map<string, StrategyLifecycle>();
  readonly #subscriptions: Subscription[];
  readonly #owned: { close(): void }[] = [];

  constructor(options: OrchestratorOptions) {
    const bus = options.eventBus;
    this.riskGuard = options.riskGuard ?? this.#own(new RiskGuard({ eventBus: bus }));
    this.portfolioBalancer = options.portfolioBalancer ?? this.#own(new PortfolioBalancer({ eventBus: bus }));
    this.safetyGovernor = options.safetyGovernor ?? this.#own(new SafetyGovernor({ eventBus: bus }));
    this.#subscriptions = [
      bus.subscribe(
        "policy.updated",
        idempotent(
          latestOnly((event) => {
            this.#policy = event.payload;
          }),
        ),
        { name: "Orchestrator.policy" },
      ),
      bus.subscribe(
        "opportunities.updated",
        idempotent(
          latestOnly((event) => {
            this.#topSymbols = event.payload.top_symbols;
          }),
        ),
        { name: "Orchestrator.opportunities" },
      ),
      bus.subscribe(
        "strategy.promoted",
        idempotent(
          latestOnly(
            (event) => {
              this.#lifecycles.set(event.payload.strategy_id, event.payload.to_stage);
            },
            { key: (event) => event.payload.strategy_id },
          ),
        ),
        { name: "Orchestrator.strategies" },
      ),
    ];
  }

  /** The last `policy.updated` payload applied, or `undefined` before the first. */
  get currentPolicy(): PolicyUpdatedPayload | undefined {
    return this.#policy;
  }

  /** The policy's `global_min_confidence`, or `undefined` before the first policy. */
  get globalMinConfidence(): number | undefined {
    return this.#policy?.global_min_confidence;
  }

  /** The policy's `max_risk_per_trade`, or `undefined` before the first policy. */
  get maxRiskPerTrade(): number | undefined {
    return this.#policy?.max_risk_per_trade;
  }

  /** The last `opportunities.updated` top symbols; empty before the first (so no symbol passes). */
  get topSymbols(): readonly string[] {
    return this.#topSymbols;
  }

  /** The strategy's stage from its latest `strategy.promoted`, or `undefined` if none was seen. */
  lifecycleOf(strategyId: string): StrategyLifecycle | undefined {
    return this.#lifecycles.get(strategyId);
  }

  /** True when the strategy is in the policy's `allowed_strategies` and its lifecycle is LIVE. */
  isTradable(strategyId: string): boolean {
    return (
      this.#policy?.allowed_strategies.includes(strategyId) === true &&
      this.#lifecycles.get(strategyId) === StrategyLifecycle.LIVE
    );
  }

  /**
   * Approves the signal, or rejects it with every reason that applies (see `RejectionReason` for
   * the checks and their order). A pure query: it reserves nothing and changes no state; positions
   * change only when `trade.executed` arrives. The risk check runs only when `signal.risk` is given.
   *
   * @throws {@link SignalValidationError} when the signal is malformed, naming every bad field.
   */
  evaluateSignal(signal: SignalInput): SignalDecision {
    const parsed = parseSignal(signal);
    const reasons: RejectionReason[] = [];
    const policy = this.#policy;
    const maxRisk = this.riskGuard.maxRiskPerTrade;
    const maxPositions = this.portfolioBalancer.maxPositions;
    const hasPolicy = policy !== undefined && maxRisk !== undefined && maxPositions !== undefined;

    if (!hasPolicy) reasons.push({ code: "NO_POLICY" });
    if (this.safetyGovernor.halted) {
      reasons.push({ code: "TRADING_HALTED", components: this.safetyGovernor.criticalComponents });
    }
    if (hasPolicy && parsed.confidence < policy.global_min_confidence) {
      reasons.push({
        code: "BELOW_MIN_CONFIDENCE",
        confidence: parsed.confidence,
        minimum: policy.global_min_confidence,
      });
    }
    if (hasPolicy && !policy.allowed_strategies.includes(parsed.strategy_id)) {
      reasons.push({
        code: "STRATEGY_NOT_ALLOWED",
        strategy_id: parsed.strategy_id,
        allowed: policy.allowed_strategies,
      });
    }
    const lifecycle = this.#lifecycles.get(parsed.strategy_id);
    if (lifecycle !== StrategyLifecycle.LIVE) {
      reasons.push({
        code: "STRATEGY_NOT_LIVE",
        strategy_id: parsed.strategy_id,
        lifecycle: lifecycle ?? null,
      });
    }
    if (!this.#topSymbols.includes(parsed.symbol)) {
      reasons.push({ code: "SYMBOL_NOT_IN_TOP", symbol: parsed.symbol, top_symbols: this.#topSymbols });
    }
    if (hasPolicy && !this.portfolioBalancer.canOpen(parsed.symbol)) {
      reasons.push({
        code: "MAX_POSITIONS_REACHED",
        symbol: parsed.symbol,
        open: this.portfolioBalancer.openPositions.length,
        maximum: maxPositions,
      });
    }
    if (hasPolicy && parsed.risk !== undefined) {
      const check = this.riskGuard.check({ ...parsed.risk, size: parsed.size });
      if (!check.allowed) {
        reasons.push({
          code: "RISK_TOO_HIGH",
          risk: check.risk,
          maximum: check.max_risk,
          size: parsed.size,
          max_size: check.max_size,
        });
      }
    }

    const [first, ...rest] = reasons;
    return first === undefined
      ? { approved: true, signal: parsed }
      : { approved: false, signal: parsed, reasons: [first, ...rest] };
  }

  /** Unsubscribes, and closes the collaborators it built itself. State stays readable. Idempotent. */
  close(): void {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    for (const owned of this.#owned) owned.close();
  }

  #own<T extends { close(): void }>(component: T): T {
    this.#owned.push(component);
    return component;
  }
}
