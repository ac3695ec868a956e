// The upstream resilience metrics (health, ejections, breakers, retry budgets, panic), read from the clusters' own counts at scrape time.
import client from 'prom-client';
import type { Cluster } from '../upstream/cluster.ts';
import type { Breaker } from '../upstream/cluster-state.ts';

const BREAKERS: Breaker[] = ['connections', 'pending', 'requests', 'retries'];

/**
 * The request path only bumps plain integers on the cluster state (no label lookups per request); these
 * collect() callbacks turn them into series when /metrics asks. Counters are reset and set to the running
 * totals, which outlive config swaps on the per-worker ClusterState.
 */
export function registerUpstreamMetrics(registry: client.Registry, clusters: () => Iterable<Cluster>): void {
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[], read: (c: Cluster, set: (labels: Record<string, string>, n: number) => void) => void) =>
    new client.Counter({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        for (const c of clusters()) read(c, (labels, n) => this.inc({ cluster: c.name, ...labels }, n));
      },
    });
  const gauge = (name: string, help: string, aggregator: 'min' | 'max', read: (c: Cluster, now: number) => (e: Cluster['endpoints'][number]) => number) =>
    new client.Gauge({
      name, help, labelNames: ['cluster', 'endpoint'], registers, aggregator,
      collect() {
        this.reset();
        const now = performance.now();
        for (const c of clusters()) {
          const value = read(c, now);
          for (const e of c.endpoints) this.set({ cluster: c.name, endpoint: e.origin }, value(e));
        }
      },
    });

  gauge('weft_upstream_endpoint_healthy', 'Whether active health checks pass (1) or not (0); 1 only if every worker agrees', 'min', () => (e) => (e.healthy ? 1 : 0));
  gauge('weft_upstream_endpoint_ejected', 'Whether outlier detection has the endpoint ejected (1) on any worker', 'max', (_c, now) => (e) => (e.ejectedUntil > now ? 1 : 0));
  counter('weft_upstream_ejections_total', 'Endpoints ejected by outlier detection', ['cluster'], (c, set) => set({}, c.state.ejections));
  counter('weft_upstream_health_checks_total', 'Active health probes by result (pass, fail)', ['cluster', 'result'], (c, set) => {
    set({ result: 'pass' }, c.state.healthPasses);
    set({ result: 'fail' }, c.state.healthFailures);
  });
  counter('weft_upstream_overflow_total', 'Attempts a circuit breaker refused (connections, pending, requests) and retries it held back (retries)', ['cluster', 'breaker'], (c, set) => {
    for (const b of BREAKERS) set({ breaker: b }, c.state.overflows[b]);
  });
  counter('weft_upstream_retry_budget_exhausted_total', 'Retries not made because the retry budget was spent', ['cluster'], (c, set) => set({}, c.state.budgetExhausted));
  counter('weft_upstream_panic_total', 'Endpoint picks made in panic mode (too few endpoints available: all were used)', ['cluster'], (c, set) => set({}, c.state.panicPicks));
}
