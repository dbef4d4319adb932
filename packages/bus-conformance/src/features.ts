/**
 * What a bus implementation guarantees beyond the core contract. The suite registers the tests
 * of each declared feature, and for each undeclared one a test stating it does not apply, so a
 * report never hides a skipped guarantee.
 *
 * @example
 * ```ts
 * const features: BusFeatures = {
 *   persistent: true, consumerGroups: true, ordered: true, replay: true,
 *   deadLetters: true, brokerRestart: true, foreignMessages: true,
 * };
 * ```
 */
export interface BusFeatures {
  /** Events outlive the bus object: a group that closes and reopens mid-stream loses nothing. */
  readonly persistent: boolean;
  /** `group`: each group gets every event, the members of one group share them. */
  readonly consumerGroups: boolean;
  /** `ordering: { key }` keeps the order per key, retries included. */
  readonly ordered: boolean;
  /** `subscribe(..., { from })` reads events published before the subscription. */
  readonly replay: boolean;
  /** Failed deliveries are retried, then kept as dead letters the world can read back. */
  readonly deadLetters: boolean;
  /** The world can restart the broker (`restartBroker`) and the bus rides through it. */
  readonly brokerRestart: boolean;
  /** Messages not written by a bus can reach it (`injectForeign`); they are dead-lettered. */
  readonly foreignMessages: boolean;
}

/**
 * Each feature and how test names spell it.
 *
 * @example
 * ```ts
 * featureLabels.consumerGroups; // "consumer groups"
 * ```
 */
export const featureLabels: Readonly<Record<keyof BusFeatures, string>> = Object.freeze({
  persistent: "persistent",
  consumerGroups: "consumer groups",
  ordered: "per-key ordering",
  replay: "replay",
  deadLetters: "dead letters",
  brokerRestart: "broker restart",
  foreignMessages: "foreign messages",
});

/**
 * The label of a suite: the bus name and the features it declares, e.g.
 * `NatsEventBus [persistent, consumer groups, ...]`.
 *
 * @example
 * ```ts
 * describeFeatures("InMemoryEventBus", features); // "InMemoryEventBus [consumer groups, per-key ordering, dead letters]"
 * ```
 */
export function describeFeatures(name: string, features: BusFeatures): string {
  const declared = (Object.keys(featureLabels) as (keyof BusFeatures)[])
    .filter((key) => features[key])
    .map((key) => featureLabels[key]);
  return `${name} [${declared.join(", ") || "core only"}]`;
}
