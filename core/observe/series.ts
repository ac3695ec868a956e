// A worker's counters, gauges and histograms as plain numbers, handed over in prom-client's JSON shape: the thread that renders /metrics merges and prints them with prom-client, and a worker, which only counts, loads no metrics library.
import type { MetricJson } from './filter-metrics.ts';

export type Labels = Record<string, string | number>;
type Aggregator = MetricJson['aggregator'];

/** One label set's running count; a caller that keeps it bumps `value` with no label lookup. */
export interface Cell { labels: Labels; value: number }

/** Label values joined: a family's callers always pass its labels in the same order. */
function keyOf(labels: Labels): string {
  let key = '';
  for (const name in labels) key += `${labels[name]}\0`;
  return key;
}

/** A counter, or a gauge set at collection, by label set. */
export class Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly aggregator: Aggregator;
  private cells = new Map<string, Cell>();

  /** `aggregator`: how the main thread merges the workers' values (prom-client's names: sum, min, max...). */
  constructor(name: string, help: string, type: 'counter' | 'gauge' = 'counter', aggregator: Aggregator = 'sum') {
    this.name = name;
    this.help = help;
    this.type = type;
    this.aggregator = aggregator;
  }

  cell(labels: Labels): Cell {
    const key = keyOf(labels);
    let c = this.cells.get(key);
    if (!c) this.cells.set(key, c = { labels, value: 0 });
    return c;
  }

  inc(labels: Labels, n = 1): void {
    this.cell(labels).value += n;
  }

  set(labels: Labels, n: number): void {
    this.cell(labels).value = n;
  }

  /** For values read afresh at each collection (gauges, and counters kept elsewhere). */
  reset(): void {
    this.cells = new Map();
  }

  values(): Iterable<Cell> {
    return this.cells.values();
  }

  json(): MetricJson {
    return { name: this.name, help: this.help, type: this.type, values: [...this.cells.values()].map(({ labels, value }) => ({ labels, value })), aggregator: this.aggregator };
  }
}

/** A histogram with fixed bounds (seconds), by label set. */
export class Histogram {
  readonly name: string;
  readonly help: string;
  private readonly bounds: number[];
  private readonly cells = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(name: string, help: string, bounds: number[]) {
    this.name = name;
    this.help = help;
    this.bounds = bounds;
  }

  observe(labels: Labels, value: number): void {
    const key = keyOf(labels);
    let c = this.cells.get(key);
    if (!c) this.cells.set(key, c = { labels, counts: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 });
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) c.counts[i]++;
    c.sum += value;
    c.count++;
  }

  json(): MetricJson {
    const values: MetricJson['values'] = [];
    for (const { labels, counts, sum, count } of this.cells.values()) values.push(...histogramValues(this.name, this.bounds, (b) => counts[b], sum, count, labels));
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }
}

/**
 * A histogram's samples as prom-client exports one: a bucket per bound (cumulative), +Inf, sum and count. `within(b)`
 * is how many observations fell above bound b - 1 and at most bound b; it is asked for b = 0, 1, ... in order.
 */
export function histogramValues(name: string, bounds: readonly number[], within: (b: number) => number, sum: number, count: number, labels: Labels): MetricJson['values'] {
  const out: MetricJson['values'] = [];
  let cumulative = 0;
  for (let b = 0; b < bounds.length; b++) {
    cumulative += within(b);
    out.push({ value: cumulative, labels: { le: bounds[b], ...labels }, metricName: `${name}_bucket` });
  }
  out.push({ value: count, labels: { le: '+Inf', ...labels }, metricName: `${name}_bucket` });
  out.push({ value: sum, labels, metricName: `${name}_sum` });
  out.push({ value: count, labels, metricName: `${name}_count` });
  return out;
}
