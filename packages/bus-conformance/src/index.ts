/**
 * `@qt/bus-conformance` (private): the one test suite every `EventBus` implementation runs,
 * each declaring the guarantees it makes.
 *
 * @packageDocumentation
 */
export { conformanceRegistry, type ProbePayload, probe, probes } from "./conformance-events.js";
export { type ConformanceOptions, describeEventBusConformance } from "./describe-event-bus-conformance.js";
export { eventually, inBatches } from "./eventually.js";
export { type BusFeatures, describeFeatures, featureLabels } from "./features.js";
export type { ConformanceDeadLetter, ConformanceWorld, MakeWorld } from "./world.js";
