// The request series of /metrics (weft_requests_total, weft_request_duration_seconds, weft_grpc_requests_total), summed from a worker's traffic cells when scraped.
import type { MetricJson } from './filter-metrics.ts';
import { bucketOf, LATENCY_BUCKETS } from './latency.ts';
import type { TrafficCell } from './traffic.ts';
import { histogramValues as bucketed } from './series.ts';

/** The Prometheus histogram's bounds in seconds, each one of the finer buckets' (core/observe/latency.ts). */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DURATION_INDEX = DURATION_BUCKETS.map(bucketOf);

type Labels = Record<string, string | number>;

/** A latency histogram (core/observe/latency.ts buckets) as the samples of a Prometheus histogram `name` with these labels. */
export function histogramValues(name: string, latency: Float64Array, seconds: number, count: number, labels: Labels): MetricJson['values'] {
  // The finer buckets up to each bound, taken in order.
  let next = 0;
  return bucketed(name, DURATION_BUCKETS, (b) => {
    let n = 0;
    for (; next <= DURATION_INDEX[b]; next++) n += latency[next];
    return n;
  }, seconds, count, labels);
}

export function family(name: string, help: string, type: 'counter' | 'histogram'): MetricJson {
  return { name, help, type, values: [], aggregator: 'sum' };
}

/**
 * The three families in prom-client's JSON shape, so the admin server merges them with the rest of the worker's.
 * Cells that differ only by listener, caller or chain add up under the same labels (the labels are those the
 * proxy always had: route, cluster, status code, worker).
 */
export function trafficMetricsJson(cells: Iterable<TrafficCell>, worker: string): MetricJson[] {
  const requests = new Map<string, { labels: Labels; value: number }>();
  const grpc = new Map<string, { labels: Labels; value: number }>();
  const durations = new Map<string, { route: string; cluster: string; latency: Float64Array; seconds: number; count: number }>();
  const add = (m: Map<string, { labels: Labels; value: number }>, key: string, labels: Labels, n: number) => {
    const have = m.get(key);
    if (have) have.value += n;
    else m.set(key, { labels, value: n });
  };
  for (const c of cells) {
    if (c.requests === 0) continue;
    const { route, cluster } = c.key;
    const rc = `${route}\n${cluster}`;
    for (const [code, n] of c.statuses) add(requests, `${rc}\n${code}`, { route, cluster, code, worker }, n);
    for (const [status, n] of c.grpc) add(grpc, `${rc}\n${status}`, { route, cluster, grpc_status: status, worker }, n);
    let d = durations.get(rc);
    if (!d) durations.set(rc, d = { route, cluster, latency: new Float64Array(LATENCY_BUCKETS), seconds: 0, count: 0 });
    for (let i = 0; i < LATENCY_BUCKETS; i++) d.latency[i] += c.latency[i];
    d.seconds += c.seconds;
    d.count += c.requests;
  }
  const total = family('weft_requests_total', 'Requests answered, by route, cluster, status code and worker', 'counter');
  total.values = [...requests.values()];
  const calls = family('weft_grpc_requests_total', 'gRPC calls answered, by route, cluster, grpc-status and worker (their HTTP status is 200)', 'counter');
  calls.values = [...grpc.values()];
  const duration = family('weft_request_duration_seconds', 'Time from request start to the last response byte', 'histogram');
  for (const d of durations.values()) duration.values.push(...histogramValues(duration.name, d.latency, d.seconds, d.count, { route: d.route, cluster: d.cluster }));
  return [total, duration, calls];
}
