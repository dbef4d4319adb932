/**
 * A fixed-size log-linear histogram of durations: constant memory, O(1) record, percentiles within
 * about 6% (16 sub-buckets per power of two), from 0.1 µs to over 200 s.
 */
const SUB_BITS = 4;
const SUB = 1 << SUB_BITS;
const BUCKETS = 32 * SUB;
const UNITS_PER_MS = 10_000; // 0.1 µs resolution

/** Percentiles of handler run time, in milliseconds. */
export interface LatencySummary {
  /** Durations recorded. */
  readonly count: number;
  /** Median: its bucket's upper bound (within about 6%), capped at `max`; 0 when empty. */
  readonly p50: number;
  /** 99th percentile, with the same precision as `p50`; 0 when empty. */
  readonly p99: number;
  /** Longest duration recorded, exact to 0.1 µs (capped at about 214 s); 0 when empty. */
  readonly max: number;
}

/** Records durations and reports percentiles. */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #maxUnits = 0;

  /** Records one duration in milliseconds. */
  record(ms: number): void {
    let units = Math.round(ms * UNITS_PER_MS);
    if (!(units > 0)) units = 0;
    else if (units > 0x7fffffff) units = 0x7fffffff;
    const bucket = bucketOf(units);
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + 1;
    this.#count++;
    if (units > this.#maxUnits) this.#maxUnits = units;
  }

  /** The percentile `q` (0..1) in milliseconds; 0 when empty. */
  percentile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.#counts[b] ?? 0;
      if (seen >= rank) return Math.min(upperBoundOf(b), this.#maxUnits) / UNITS_PER_MS;
    }
    return this.#maxUnits / UNITS_PER_MS;
  }

  /** Count, p50, p99 and max. */
  summary(): LatencySummary {
    return {
      count: this.#count,
      p50: this.percentile(0.5),
      p99: this.percentile(0.99),
      max: this.#maxUnits / UNITS_PER_MS,
    };
  }
}

function bucketOf(units: number): number {
  if (units < SUB) return units;
  const exponent = 31 - Math.clz32(units);
  return (exponent - SUB_BITS + 1) * SUB + ((units >>> (exponent - SUB_BITS)) & (SUB - 1));
}

function upperBoundOf(bucket: number): number {
  if (bucket < SUB) return bucket;
  const exponent = Math.floor(bucket / SUB) + SUB_BITS - 1;
  const sub = bucket % SUB;
  // A multiplication, not a shift: the top buckets' bounds pass 2^31 and a shift would wrap negative.
  return (SUB + sub + 1) * 2 ** (exponent - SUB_BITS) - 1;
}
