import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BusFeatures, describeFeatures, featureLabels } from "./features.js";
import type { SuiteContext } from "./suite-context.js";
import { registerDeliveryTests } from "./tests/delivery-tests.js";
import { registerDurabilityTests } from "./tests/durability-tests.js";
import { registerFailureTests } from "./tests/failure-tests.js";
import { registerGroupTests } from "./tests/group-tests.js";
import { registerOrderingTests } from "./tests/ordering-tests.js";
import type { ConformanceWorld, MakeWorld } from "./world.js";

/**
 * Options of {@link describeEventBusConformance}.
 *
 * @example
 * ```ts
 * describeEventBusConformance("NatsEventBus", makeNatsWorld, features, { timeoutMs: 45_000 });
 * ```
 */
export interface ConformanceOptions {
  /** Time limit of each test. Default 30,000 ms (a broker, a restart, 10,000 events). */
  timeoutMs?: number;
}

/**
 * Registers the conformance suite of one bus implementation with vitest: every core test, the
 * tests of each declared feature, and for each feature not declared a test named
 * `declares no <feature> (not applicable)`, so that nothing is skipped silently. Each test gets a
 * fresh world from `makeWorld` and cleans it up after.
 *
 * @example
 * ```ts
 * // in-memory.conformance.test.ts
 * describeEventBusConformance("InMemoryEventBus", makeInMemoryWorld, {
 *   persistent: false, consumerGroups: true, ordered: true, replay: false,
 *   deadLetters: true, brokerRestart: false, foreignMessages: false,
 * });
 * ```
 */
export function describeEventBusConformance(
  name: string,
  makeWorld: MakeWorld,
  features: BusFeatures,
  options: ConformanceOptions = {},
): void {
  describe(describeFeatures(name, features), () => {
    let current: ConformanceWorld | undefined;
    const ctx: SuiteContext = {
      features,
      timeoutMs: options.timeoutMs ?? 30_000,
      world() {
        if (current === undefined) throw new Error("no world: tests must run inside the suite");
        return current;
      },
    };
    beforeEach(async () => {
      current = await makeWorld();
    }, ctx.timeoutMs);
    afterEach(async () => {
      const world = current;
      current = undefined;
      await world?.cleanup();
    }, ctx.timeoutMs);

    registerDeliveryTests(ctx);
    registerFailureTests(ctx);
    registerGroupTests(ctx);
    registerOrderingTests(ctx);
    registerDurabilityTests(ctx);

    for (const key of Object.keys(featureLabels) as (keyof BusFeatures)[]) {
      if (features[key]) continue;
      it(`declares no ${featureLabels[key]} (not applicable)`, () => {
        expect(features[key]).toBe(false);
      });
    }
  });
}
