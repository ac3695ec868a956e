// The one latency histogram layout of Weft: fixed buckets shared by every proxy and the plane, so histograms merge across proxies and over time.

/**
 * Bucket upper bounds in seconds: ten per decade (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5 × 10^k) from 10 µs to 100 s,
 * then +Inf. Two neighbours differ by at most a third, so a percentile read from merged histograms is within a
 * third of the true value (interpolation usually does much better). The steps hold every bound of the proxy's
 * Prometheus histogram (0.5 ms … 10 s), so /metrics is summed from these buckets rather than kept twice.
 */
const STEPS = [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5];
const FIRST_DECADE = -5;
const LAST_DECADE = 1;

function bounds(): Float64Array {
  const out: number[] = [];
  for (let k = FIRST_DECADE; k <= LAST_DECADE; k++) for (const s of STEPS) out.push(Number((s * 10 ** k).toPrecision(3)));
  out.push(10 ** (LAST_DECADE + 1));
  return Float64Array.from(out);
}

/** Finite upper bounds, ascending; the bucket after the last is +Inf. */
export const LATENCY_BOUNDS = bounds();
/** Buckets in a histogram: one per finite bound, plus +Inf. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS.length + 1;

/** The bucket of a duration in seconds: the first whose upper bound is at least it (a binary search, no allocation). */
export function bucketOf(seconds: number): number {
  const b = LATENCY_BOUNDS;
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b[mid] < seconds) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A histogram as it travels and is kept: [bucket, count] pairs for the non-empty buckets, in any order. */
export type SparseHistogram = [number, number][];

/** Adds `from` into `into` (bucket → count). */
export function addSparse(into: Map<number, number>, from: Iterable<readonly [number, number]>): void {
  for (const [i, n] of from) into.set(i, (into.get(i) ?? 0) + n);
}

/**
 * The q-quantile (0..1) in seconds of a histogram given as bucket → count, interpolated linearly inside its bucket
 * as Prometheus' histogram_quantile does; undefined when it is empty. A quantile in the +Inf bucket reads as the
 * last finite bound.
 */
export function quantile(q: number, histogram: ReadonlyMap<number, number>): number | undefined {
  let total = 0;
  for (const n of histogram.values()) total += n;
  if (total <= 0) return undefined;
  const rank = q * total;
  const buckets = [...histogram.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const i of buckets) {
    const n = histogram.get(i)!;
    if (n <= 0) continue;
    if (seen + n >= rank) {
      if (i >= LATENCY_BOUNDS.length) return LATENCY_BOUNDS[LATENCY_BOUNDS.length - 1];
      const lower = i === 0 ? 0 : LATENCY_BOUNDS[i - 1];
      return lower + (LATENCY_BOUNDS[i] - lower) * Math.max(0, rank - seen) / n;
    }
    seen += n;
  }
  return LATENCY_BOUNDS[LATENCY_BOUNDS.length - 1];
}

/** The bounds of the bucket a duration falls in: what "within bucket precision" means for a percentile. */
export function bucketRange(seconds: number): { lower: number; upper: number } {
  const i = bucketOf(seconds);
  return { lower: i === 0 ? 0 : LATENCY_BOUNDS[i - 1], upper: i < LATENCY_BOUNDS.length ? LATENCY_BOUNDS[i] : Infinity };
}
