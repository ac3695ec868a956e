// The upstream resilience metrics (health, ejections, breakers, retry budgets, resent streams, panic), read from the clusters' own counts at scrape time.
import type { Cluster } from '../upstream/cluster.ts';
import type { Breaker } from '../upstream/cluster-state.ts';
import type { MetricJson } from './filter-metrics.ts';
import { Family } from './series.ts';
import type { Labels } from './series.ts';

const BREAKERS: Breaker[] = ['connections', 'pending', 'requests', 'retries'];

/**
 * The request path only bumps plain integers on the cluster state (no label lookups per request); a scrape turns
 * them into series: the running totals, which outlive config swaps on the per-worker ClusterState.
 */
export function upstreamMetricsJson(live: Iterable<Cluster>): MetricJson[] {
  const clusters = [...live];
  const now = performance.now();
  const counter = (name: string, help: string, read: (c: Cluster, set: (labels: Labels, n: number) => void) => void): MetricJson => {
    const f = new Family(name, help);
    for (const c of clusters) read(c, (labels, n) => f.inc({ cluster: c.name, ...labels }, n));
    return f.json();
  };
  const gauge = (name: string, help: string, aggregator: 'min' | 'max', value: (e: Cluster['endpoints'][number]) => number): MetricJson => {
    const f = new Family(name, help, 'gauge', aggregator);
    for (const c of clusters) for (const e of c.endpoints) f.set({ cluster: c.name, endpoint: e.origin }, value(e));
    return f.json();
  };
  return [
    gauge('weft_upstream_endpoint_healthy', 'Whether active health checks pass (1) or not (0); 1 only if every worker agrees', 'min', (e) => (e.healthy ? 1 : 0)),
    gauge('weft_upstream_endpoint_ejected', 'Whether outlier detection has the endpoint ejected (1) on any worker', 'max', (e) => (e.ejectedUntil > now ? 1 : 0)),
    counter('weft_upstream_ejections_total', 'Endpoints ejected by outlier detection', (c, set) => set({}, c.state.ejections)),
    counter('weft_upstream_health_checks_total', 'Active health probes by result (pass, fail)', (c, set) => {
      set({ result: 'pass' }, c.state.healthPasses);
      set({ result: 'fail' }, c.state.healthFailures);
    }),
    counter('weft_upstream_overflow_total', 'Attempts a circuit breaker refused (connections, pending, requests) and retries it held back (retries)', (c, set) => {
      for (const b of BREAKERS) set({ breaker: b }, c.state.overflows[b]);
    }),
    counter('weft_upstream_retry_budget_exhausted_total', 'Retries not made because the retry budget was spent', (c, set) => set({}, c.state.budgetExhausted)),
    counter('weft_upstream_resent_total', 'Requests sent again on a new HTTP/2 stream because the endpoint refused theirs unprocessed (REFUSED_STREAM, GOAWAY)', (c, set) => set({}, c.state.resent)),
    counter('weft_upstream_panic_total', 'Endpoint picks made in panic mode (too few endpoints available: all were used)', (c, set) => set({}, c.state.panicPicks)),
  ];
}
