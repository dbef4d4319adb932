import type { BusFeatures } from "./features.js";
import type { ConformanceWorld } from "./world.js";

/**
 * What each group of conformance tests gets: the declared features, the per-test time limit,
 * and the current test's world.
 *
 * @example
 * ```ts
 * export function registerDeliveryTests(ctx: SuiteContext): void {
 *   it("...", async () => { const bus = await ctx.world().connect(); }, ctx.timeoutMs);
 * }
 * ```
 */
export interface SuiteContext {
  readonly features: BusFeatures;
  /** Time limit of one test, in ms. */
  readonly timeoutMs: number;
  /** The world of the test running now (made in `beforeEach`). */
  world(): ConformanceWorld;
}
