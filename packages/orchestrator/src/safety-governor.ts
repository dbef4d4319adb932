import { idempotent, latestOnly, type Subscription } from "@qt/eventbus";
import { HealthStatus, type QtEventBus } from "@qt/events";

/**
 * Options of {@link SafetyGovernor}.
 *
 * @example
 * ```ts
 * const options: SafetyGovernorOptions = { eventBus: bus };
 * ```
 */
export interface SafetyGovernorOptions {
  /** The bus carrying `health.status_changed`. */
  readonly eventBus: QtEventBus;
}

/**
 * Halts new trades while any component is CRITICAL. Follows `health.status_changed` per
 * `component`: CRITICAL starts halting for that component, HEALTHY ends it, DEGRADED changes
 * nothing (a component that was CRITICAL stays halting until it reports HEALTHY). Only
 * `new_status` is read. Per component, an event older than one already applied, or a
 * redelivered one, is ignored.
 *
 * @example
 * ```ts
 * const governor = new SafetyGovernor({ eventBus: bus });
 * // after DrawdownGuard reports CRITICAL:
 * governor.halted; // true
 * governor.criticalComponents; // ["DrawdownGuard"]
 * governor.close();
 * ```
 */
export class SafetyGovernor {
  readonly #critical = new Set<string>();
  readonly #subscriptions: Subscription[];

  constructor(options: SafetyGovernorOptions) {
    this.#subscriptions = [
      options.eventBus.subscribe(
        "health.status_changed",
        idempotent(
          latestOnly(
            (event) => {
              const { component, new_status } = event.payload;
              if (new_status === HealthStatus.CRITICAL) this.#critical.add(component);
              else if (new_status === HealthStatus.HEALTHY) this.#critical.delete(component);
            },
            { key: (event) => event.payload.component },
          ),
        ),
        { name: "SafetyGovernor.health" },
      ),
    ];
  }

  /** True while at least one component is CRITICAL (and has not reported HEALTHY since). */
  get halted(): boolean {
    return this.#critical.size > 0;
  }

  /** The components halting trading, in the order they went CRITICAL. A fresh array. */
  get criticalComponents(): readonly string[] {
    return [...this.#critical];
  }

  /** Unsubscribes from the bus. The halted state stays readable. Idempotent. */
  close(): void {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
  }
}
