// Metrics defined by filters in one worker: counters, gauges and histograms by id, read as a snapshot for /metrics.
import { MetricType, Status } from './abi.ts';

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricSample {
  name: string;
  type: MetricKind;
  /** Counter or gauge value; for a histogram, the sum of observations. */
  value: number;
  /** Histograms only. */
  count?: number;
  sum?: number;
  /** Histograms only: [upper bound, cumulative count]; the last bound is +Infinity. */
  buckets?: [number, number][];
}

const KINDS: MetricKind[] = ['counter', 'gauge', 'histogram'];
/** Histogram bounds (Envoy's default buckets, in the unit the filter records). */
export const HISTOGRAM_BOUNDS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

interface Metric {
  name: string;
  type: number;
  value: bigint;
  counts: Float64Array | null;
  sum: number;
}

export class MetricStore {
  readonly #byName = new Map<string, number>();
  readonly #metrics: Metric[] = [];

  /** Defines (or finds) a metric; returns its id (≥ 1), or 0 when the name exists with another type. */
  define(type: number, name: string): number {
    const found = this.#byName.get(name);
    if (found !== undefined) return this.#metrics[found - 1].type === type ? found : 0;
    this.#metrics.push({ name, type, value: 0n, counts: type === MetricType.Histogram ? new Float64Array(HISTOGRAM_BOUNDS.length + 1) : null, sum: 0 });
    this.#byName.set(name, this.#metrics.length);
    return this.#metrics.length;
  }

  increment(id: number, delta: bigint): number {
    const m = this.#metrics[id - 1];
    if (!m) return Status.NotFound;
    if (m.type === MetricType.Histogram || (m.type === MetricType.Counter && delta < 0n)) return Status.BadArgument;
    m.value += delta;
    return Status.Ok;
  }

  record(id: number, value: bigint): number {
    const m = this.#metrics[id - 1];
    if (!m) return Status.NotFound;
    if (m.type !== MetricType.Histogram) {
      m.value = value;
      return Status.Ok;
    }
    const v = Number(value);
    let i = 0;
    while (i < HISTOGRAM_BOUNDS.length && v > HISTOGRAM_BOUNDS[i]) i++;
    m.counts![i]++;
    m.sum += v;
    return Status.Ok;
  }

  /** Value of a counter or gauge; undefined for unknown ids and histograms. */
  get(id: number): bigint | undefined {
    const m = this.#metrics[id - 1];
    return m && m.type !== MetricType.Histogram ? m.value : undefined;
  }

  has(id: number): boolean {
    return id >= 1 && id <= this.#metrics.length;
  }

  snapshot(): MetricSample[] {
    return this.#metrics.map((m) => {
      if (!m.counts) return { name: m.name, type: KINDS[m.type], value: Number(m.value) };
      let cumulative = 0;
      const buckets: [number, number][] = [];
      for (let i = 0; i < m.counts.length; i++) {
        cumulative += m.counts[i];
        buckets.push([i < HISTOGRAM_BOUNDS.length ? HISTOGRAM_BOUNDS[i] : Infinity, cumulative]);
      }
      return { name: m.name, type: 'histogram', value: m.sum, count: cumulative, sum: m.sum, buckets };
    });
  }
}
