/** A source of uniform numbers in [0, 1), like `Math.random` but reproducible. */
export type Random = () => number;

/**
 * mulberry32: a tiny, fast 32-bit PRNG. Not cryptographic; good enough to make a simulated market
 * that is the same for the same seed on every machine.
 *
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // always the same first number for seed 42
 * ```
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A seed for an independent stream, derived from the run's seed and a label (FNV-1a), so that
 * adding a consumer of random numbers does not shift the numbers every other consumer sees.
 *
 * @example
 * ```ts
 * const marketRandom = mulberry32(deriveSeed(42, "market"));
 * ```
 */
export function deriveSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A standard normal draw (Box-Muller).
 *
 * @example
 * ```ts
 * const shock = normal(random) * 0.002;
 * ```
 */
export function normal(random: Random): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A uniform integer in [min, max].
 *
 * @example
 * ```ts
 * const ticks = integerBetween(random, 200, 500);
 * ```
 */
export function integerBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
