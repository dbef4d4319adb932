import {
  consoleLogger,
  idempotent,
  type Logger,
  latestOnly,
  SerialQueue,
  type Subscription,
} from "@qt/eventbus";
import {
  HealthStatus,
  type HealthStatusChangedEvent,
  PolicyUpdatedEvent,
  type QtEventBus,
  RiskMode,
  toValidationIssues,
} from "@qt/events";
import { z } from "zod";
import { ControllerClosedError, InvalidConfigError } from "./errors.js";
import { type ModeTable, type ModeTableInput, parseModeTable } from "./mode-table.js";
import { checkMode, type PolicyStore } from "./policy-store.js";
import { type MarketRegimeName, parseRegimeMap, type RegimeMap, riskModeForRegime } from "./regime.js";
import { systemTimers, type Timers } from "./timers.js";

/** The `source` of every event the controller publishes. */
const SOURCE = "msc-ai";
/** `setTimeout` fires at once for longer delays (they overflow a signed 32-bit int). */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * When the controller lifts a health-forced DEFENSIVE mode.
 *
 * @example
 * ```ts
 * const recovery: RecoveryOptions = { delayMs: 5 * 60_000 }; // five calm minutes before risk comes back
 * ```
 */
export interface RecoveryOptions {
  /**
   * How long no component may be CRITICAL before the previous mode is restored; a new CRITICAL
   * resets the wait. `0` restores at once, while handling the HEALTHY event. Default 60,000.
   */
  delayMs?: number;
}

/**
 * What {@link MetaStrategyController} takes: its collaborators and its configuration.
 *
 * @example
 * ```ts
 * const options: MetaStrategyControllerOptions = {
 *   eventBus: bus,
 *   policyStore: new InMemoryPolicyStore({ allowedStrategies: ["trend"] }),
 *   modes: { DEFENSIVE: { max_positions: 2 } },
 *   recovery: { delayMs: 120_000 },
 * };
 * ```
 */
export interface MetaStrategyControllerOptions {
  /** The bus it subscribes to (`health.status_changed`) and publishes on (`policy.updated`). */
  eventBus: QtEventBus;
  /** Where the risk mode and the allowed strategies live. */
  policyStore: PolicyStore;
  /** Overrides of the per-mode parameters; see {@link parseModeTable}. */
  modes?: ModeTableInput;
  /** Overrides and additions to the regime → mode map; see {@link parseRegimeMap}. */
  regimes?: Readonly<Record<string, RiskMode>>;
  /** When a health-forced DEFENSIVE mode is lifted. */
  recovery?: RecoveryOptions;
  /** `updated_by` of the events published. Default `"MSC_AI"`. */
  updatedBy?: string;
  /** Timer functions for the recovery delay. Default: the globals, looked up at each call. */
  timers?: Timers;
  /** Where failures of background work (a delayed recovery) are reported. Default JSON lines on stderr. */
  logger?: Logger;
}

const optionsSchema = z.object({
  recovery: z.strictObject({ delayMs: z.number().min(0).max(MAX_TIMER_DELAY_MS).optional() }).optional(),
  updatedBy: z.string().min(1).optional(),
});

/**
 * The meta strategy controller (MSC AI): owns the global risk mode and tells the system about it.
 *
 * Every change is written to the {@link PolicyStore} first and then published as one
 * `policy.updated` event (source `msc-ai`) carrying the allowed strategies from the store and the
 * parameters of the mode. A request that changes nothing publishes nothing.
 *
 * It also reacts by itself:
 * - `health.status_changed` to CRITICAL, from any component, forces DEFENSIVE. The force holds
 *   until every component that went CRITICAL has reported HEALTHY (DEGRADED neither forces nor
 *   releases) and that has lasted `recovery.delayMs`; then the mode from before is restored, or
 *   the one most recently requested while forced. Duplicate deliveries (same event id) and events
 *   older than the last one seen from the same component are ignored.
 * - {@link MetaStrategyController.onRegimeChange}: a market regime maps to a mode.
 *
 * While DEFENSIVE is forced, requests (`updateRiskMode`, `onRegimeChange`) do not lift it: the
 * latest is remembered and applied on recovery. Requests and health events are handled one at a
 * time, in the order they arrive.
 *
 * @throws {@link InvalidConfigError} from the constructor when `modes`, `regimes`, `recovery` or
 *   `updatedBy` is malformed; nothing is subscribed then.
 *
 * @example
 * ```ts
 * const msc = new MetaStrategyController({ eventBus: bus, policyStore: new InMemoryPolicyStore() });
 * await msc.updateRiskMode(RiskMode.AGGRESSIVE); // stored, then policy.updated published
 * await msc.onRegimeChange("volatile");          // DEFENSIVE
 * await msc.close();
 * ```
 */
export class MetaStrategyController {
  readonly #bus: QtEventBus;
  readonly #store: PolicyStore;
  readonly #modes: ModeTable;
  readonly #regimes: RegimeMap;
  readonly #delayMs: number;
  readonly #updatedBy: string;
  readonly #timers: Timers;
  readonly #logger: Logger;
  readonly #subscription: Subscription;

  /** Requests and health events, one at a time in arrival order. */
  readonly #queue = new SerialQueue();
  #closed = false;
  #riskMode: RiskMode | undefined;
  /** A mode written to the store whose event could not be published: still owed to subscribers. */
  #unpublished: RiskMode | undefined;
  #regime: string | undefined;
  /** Components whose CRITICAL has not yet been followed by a HEALTHY. */
  readonly #critical = new Set<string>();
  #forced = false;
  /** While forced: the mode to restore on recovery. */
  #resumeMode: RiskMode | undefined;
  #recoveryTimer: { handle: unknown } | undefined;

  constructor(options: MetaStrategyControllerOptions) {
    this.#modes = parseModeTable(options.modes);
    this.#regimes = parseRegimeMap(options.regimes);
    const parsed = optionsSchema.safeParse({ recovery: options.recovery, updatedBy: options.updatedBy });
    if (!parsed.success) {
      throw new InvalidConfigError("INVALID_OPTIONS", toValidationIssues(parsed.error.issues, options, ""));
    }
    this.#delayMs = parsed.data.recovery?.delayMs ?? 60_000;
    this.#updatedBy = parsed.data.updatedBy ?? "MSC_AI";
    this.#bus = options.eventBus;
    this.#store = options.policyStore;
    this.#timers = options.timers ?? systemTimers;
    this.#logger = options.logger ?? consoleLogger();

    const component = (event: HealthStatusChangedEvent) => event.payload.component;
    const onHealthStatusChanged = (event: HealthStatusChangedEvent): Promise<void> | undefined =>
      this.#closed ? undefined : this.#enqueue(() => this.#applyHealth(event));
    // Per component: a redelivered id is skipped, an older event never overrides a newer one, and
    // (ordering by the same key) two events of one component are never checked at the same time.
    this.#subscription = this.#bus.subscribe(
      "health.status_changed",
      idempotent(latestOnly(onHealthStatusChanged, { key: component })),
      { name: "msc-ai.health", ordering: { key: component } },
    );
    this.#enqueue(async () => {
      this.#riskMode ??= await this.#store.getRiskMode();
    }).catch((error: unknown) => this.#report(error, "could not read the risk mode from the policy store"));
  }

  /**
   * The risk mode as last read from or written to the store; `undefined` until the first read has
   * finished (await {@link MetaStrategyController.idle}).
   *
   * @example
   * ```ts
   * await msc.idle();
   * if (msc.riskMode === RiskMode.DEFENSIVE) showBanner();
   * ```
   */
  get riskMode(): RiskMode | undefined {
    return this.#riskMode;
  }

  /**
   * True while DEFENSIVE is forced by a CRITICAL component (including the recovery delay).
   *
   * @example
   * ```ts
   * if (msc.forcedDefensive) log.info({ components: msc.criticalComponents }, "DEFENSIVE forced by health");
   * ```
   */
  get forcedDefensive(): boolean {
    return this.#forced;
  }

  /**
   * The components whose CRITICAL has not been followed by a HEALTHY yet, in the order they went CRITICAL.
   *
   * @example
   * ```ts
   * msc.criticalComponents; // ["DrawdownGuard"]
   * ```
   */
  get criticalComponents(): readonly string[] {
    return [...this.#critical];
  }

  /**
   * While DEFENSIVE is forced: the mode recovery will restore (the mode from before, or the latest
   * requested since). `undefined` otherwise.
   *
   * @example
   * ```ts
   * await msc.onRegimeChange("trending"); // while forced
   * msc.resumeMode; // "AGGRESSIVE"
   * ```
   */
  get resumeMode(): RiskMode | undefined {
    return this.#forced ? this.#resumeMode : undefined;
  }

  /**
   * True while the recovery delay is running (no component CRITICAL, mode not restored yet).
   *
   * @example
   * ```ts
   * if (msc.recoveryPending) status = "recovering";
   * ```
   */
  get recoveryPending(): boolean {
    return this.#recoveryTimer !== undefined;
  }

  /**
   * The latest market regime accepted by {@link MetaStrategyController.onRegimeChange}, if any.
   *
   * @example
   * ```ts
   * msc.regime; // "ranging"
   * ```
   */
  get regime(): string | undefined {
    return this.#regime;
  }

  /**
   * The parameters published per mode: the defaults with the `modes` option applied.
   *
   * @example
   * ```ts
   * msc.modeTable.DEFENSIVE.max_positions; // 3
   * ```
   */
  get modeTable(): ModeTable {
    return this.#modes;
  }

  /**
   * Sets the risk mode: stores it, then publishes `policy.updated` with the allowed strategies
   * from the store and the mode's parameters. Nothing is published (or stored) when the store
   * already has that mode, unless an earlier publish of it failed: then it is published now. While
   * DEFENSIVE is forced by health, the mode is only remembered and applied on recovery.
   *
   * @returns the event published, or `undefined` when nothing was published.
   * @throws {@link InvalidRiskModeError} when `mode` is not a risk mode; nothing stored or published.
   * @throws {@link ControllerClosedError} after `close()`.
   * @throws whatever the store or the bus throws (e.g. `BusStoppedError`); a failed publish is
   *   retried by the next request for that mode.
   *
   * @example
   * ```ts
   * const event = await msc.updateRiskMode(RiskMode.DEFENSIVE);
   * event?.payload.max_risk_per_trade; // 0.01
   * ```
   */
  async updateRiskMode(mode: RiskMode): Promise<PolicyUpdatedEvent | undefined> {
    this.#assertOpen("updateRiskMode");
    const target = checkMode(mode);
    return this.#enqueue(() => this.#request(target));
  }

  /**
   * Publishes the stored policy as it is, changed or not: call it once at start so that every
   * consumer begins from the same policy (the "no event without change" rule would otherwise leave
   * them without one until the first change), and after changing the allowed strategies in the
   * store.
   *
   * @returns the event published.
   * @throws {@link ControllerClosedError} after `close()`.
   *
   * @example
   * ```ts
   * const msc = new MetaStrategyController({ eventBus: bus, policyStore });
   * await msc.announce(); // policy.updated with the stored mode
   * ```
   */
  async announce(): Promise<PolicyUpdatedEvent> {
    this.#assertOpen("announce");
    return this.#enqueue(async () => {
      const policy = await this.#store.getPolicy();
      this.#riskMode = policy.riskMode;
      const event = this.#policyEvent(policy.riskMode, policy.allowedStrategies);
      await this.#bus.publish(event);
      if (this.#unpublished === policy.riskMode) this.#unpublished = undefined;
      return event;
    });
  }

  /**
   * Reacts to a new market regime: sets the mode the regime map gives it (by default trending →
   * AGGRESSIVE, ranging → NORMAL, volatile → DEFENSIVE), as {@link MetaStrategyController.updateRiskMode}
   * does. While DEFENSIVE is forced by health, the mode is remembered and applied on recovery.
   *
   * @returns the event published, or `undefined` when nothing was published.
   * @throws {@link UnknownRegimeError} when the regime map does not know `regime`; nothing changed.
   * @throws {@link ControllerClosedError} after `close()`.
   *
   * @example
   * ```ts
   * await msc.onRegimeChange(MarketRegime.TRENDING); // AGGRESSIVE
   * ```
   */
  async onRegimeChange(regime: MarketRegimeName): Promise<PolicyUpdatedEvent | undefined> {
    this.#assertOpen("onRegimeChange");
    const target = riskModeForRegime(this.#regimes, regime);
    return this.#enqueue(() => {
      this.#regime = regime;
      return this.#request(target);
    });
  }

  /**
   * Resolves when the controller has finished everything it has started (requests, health events,
   * a recovery that has fired). A recovery delay still running does not count.
   *
   * @example
   * ```ts
   * await vi.advanceTimersByTimeAsync(60_000); // the recovery delay
   * await msc.idle();
   * await bus.idle();
   * ```
   */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /**
   * Unsubscribes from the bus, cancels a pending recovery and refuses further requests; resolves
   * once the work already started has finished. Idempotent. The stored mode is left as it is.
   *
   * @example
   * ```ts
   * process.on("SIGTERM", async () => { await msc.close(); await bus.stop(); });
   * ```
   */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#subscription.unsubscribe();
      this.#cancelRecovery();
    }
    await this.idle();
  }

  /**
   * Same as {@link MetaStrategyController.close}, for `await using`.
   *
   * @example
   * ```ts
   * await using msc = new MetaStrategyController({ eventBus: bus, policyStore: store });
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // --- jobs (run one at a time, in order) ---------------------------------------------------

  async #request(target: RiskMode): Promise<PolicyUpdatedEvent | undefined> {
    if (this.#forced) {
      this.#resumeMode = target;
      return undefined;
    }
    return this.#apply(target);
  }

  async #applyHealth(event: HealthStatusChangedEvent): Promise<void> {
    const { component, new_status } = event.payload;
    if (new_status === HealthStatus.CRITICAL) {
      this.#critical.add(component);
      this.#cancelRecovery();
      if (!this.#forced) {
        this.#resumeMode = await this.#store.getRiskMode();
        this.#forced = true;
      }
      // Also when already forced: converges if an earlier attempt failed half-way.
      await this.#apply(RiskMode.DEFENSIVE);
    } else if (new_status === HealthStatus.HEALTHY) {
      this.#critical.delete(component);
      if (this.#forced && this.#critical.size === 0) await this.#startRecovery();
    }
    // DEGRADED neither forces nor releases: a CRITICAL component must come back to HEALTHY.
  }

  async #recover(): Promise<void> {
    if (!this.#forced || this.#critical.size > 0 || this.#closed) return;
    await this.#apply(this.#resumeMode ?? RiskMode.NORMAL);
    // Only once restored: if that failed, the next attempt (a redelivery, the timer) tries again.
    this.#forced = false;
    this.#resumeMode = undefined;
  }

  /** Makes `target` the stored and announced mode; does nothing if it already is both. */
  async #apply(target: RiskMode): Promise<PolicyUpdatedEvent | undefined> {
    const policy = await this.#store.getPolicy();
    this.#riskMode = policy.riskMode;
    if (policy.riskMode === target && this.#unpublished !== target) return undefined;
    // Built (and so validated) before anything is written: an invalid payload changes nothing.
    const event = this.#policyEvent(target, policy.allowedStrategies);
    if (policy.riskMode !== target) {
      await this.#store.setRiskMode(target);
      this.#riskMode = target;
    }
    this.#unpublished = target;
    await this.#bus.publish(event);
    this.#unpublished = undefined;
    return event;
  }

  // --- plumbing -----------------------------------------------------------------------------

  #policyEvent(mode: RiskMode, allowedStrategies: readonly string[]): PolicyUpdatedEvent {
    return PolicyUpdatedEvent.create(
      {
        risk_mode: mode,
        allowed_strategies: [...allowedStrategies],
        ...this.#modes[mode],
        updated_by: this.#updatedBy,
      },
      { source: SOURCE },
    );
  }

  #startRecovery(): Promise<void> | undefined {
    if (this.#delayMs === 0) return this.#recover();
    if (this.#recoveryTimer !== undefined) return;
    const timer = {
      handle: this.#timers.setTimeout(() => {
        if (this.#recoveryTimer !== timer) return;
        this.#recoveryTimer = undefined;
        this.#enqueue(() => this.#recover()).catch((error: unknown) => {
          this.#report(error, "could not restore the risk mode after recovery: retrying after the delay");
          if (!this.#closed && this.#forced && this.#critical.size === 0) void this.#startRecovery();
        });
      }, this.#delayMs),
    };
    this.#recoveryTimer = timer;
  }

  #cancelRecovery(): void {
    if (this.#recoveryTimer === undefined) return;
    this.#timers.clearTimeout(this.#recoveryTimer.handle);
    this.#recoveryTimer = undefined;
  }

  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    return this.#queue.run(job);
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new ControllerClosedError(operation);
  }

  #report(error: unknown, message: string): void {
    this.#logger.error(
      {
        component: "msc-ai",
        error: error instanceof Error ? error.message : String(error),
        code: (error as { code?: unknown } | null)?.code,
      },
      message,
    );
  }
}
