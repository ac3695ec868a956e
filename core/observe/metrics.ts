// The proxy's Prometheus metrics as one worker records them: plain counts (series.ts) the admin server merges and renders with prom-client on scrape.
import type { AuthzDecision } from '../authz/authorizer.ts';
import type { Cluster } from '../upstream/cluster.ts';
import type { MetricJson } from './filter-metrics.ts';
import { Family } from './series.ts';
import type { Cell } from './series.ts';
import type { AuthzRecord } from './summary.ts';
import { upstreamMetricsJson } from './upstream-metrics.ts';

/**
 * The counters that are not per request. Requests themselves (weft_requests_total, weft_request_duration_seconds,
 * weft_grpc_requests_total) are counted in the worker's traffic cells (core/observe/traffic.ts) and turned into
 * series at scrape time (traffic-metrics.ts): no label hashing on the request path.
 */
export class WorkerMetrics {
  readonly worker: string;
  /** Requests this worker began, exported nowhere: its idle check reads it (core/proxy/idle-collect.ts). */
  requests = 0;
  private readonly clusters: () => Iterable<Cluster>;
  private readonly rejected = new Family('weft_downstream_rejected_total', 'Downstream requests refused before routing (malformed, too large, too slow)');
  private readonly upstreamErrors = new Family('weft_upstream_errors_total', 'Upstream attempts that failed, by cluster and error code');
  private readonly retries = new Family('weft_upstream_retries_total', 'Upstream attempts that were retries');
  // No worker label: the scrape sums the workers, and rule names already multiply the series.
  private readonly authzDecisions = new Family('weft_authz_decisions_total', 'Inbound requests checked against the service authorization policy, by service, decision (allow, deny, audit) and deciding rule');
  private readonly filterFaults = new Family('weft_filter_traps_total',
    'Requests a filter failed by its own fault, each answered per the filter\'s fail policy, by filter, version and cause: '
    + 'trap (a wasm trap, or the module exited), fuel (its callback ran out of fuel), invalid_header (it handed the host a header that cannot go on the wire)');
  private readonly connections = new Family('weft_upstream_connections', 'Upstream connections by cluster, endpoint and state (open, idle)', 'gauge');
  /** Decisions as the last summary took them, by service, decision and rule. */
  private readonly authzTaken = new Map<string, number>();
  /** Per service, per decision object (the Authorizer hands out one per outcome): its cell, so a check costs no label lookup. */
  private readonly authzCells = new Map<string, WeakMap<AuthzDecision, Cell>>();

  constructor(worker: number, clusters: () => Iterable<Cluster>) {
    this.worker = String(worker);
    this.clusters = clusters;
  }

  authz(service: string, d: AuthzDecision): void {
    let cells = this.authzCells.get(service);
    if (!cells) this.authzCells.set(service, cells = new WeakMap());
    let cell = cells.get(d);
    if (!cell) cells.set(d, cell = this.authzDecisions.cell({ service, decision: d.decision, rule: d.rule }));
    cell.value++;
  }

  filterFault(filter: string, version: string, cause: string): void {
    this.filterFaults.inc({ filter, version, cause });
  }

  /** Decisions since the last call, for the plane's summary (read off the counter, nothing added per check). */
  takeAuthz(): AuthzRecord[] {
    const out: AuthzRecord[] = [];
    for (const { labels, value } of this.authzDecisions.values()) {
      const { service, decision, rule } = labels as { service: string; decision: AuthzRecord['decision']; rule: string };
      const key = JSON.stringify([service, decision, rule]);
      const count = value - (this.authzTaken.get(key) ?? 0);
      this.authzTaken.set(key, value);
      if (count > 0) out.push({ service, decision, rule, count });
    }
    return out;
  }

  rejectedDownstream(reason: string): void {
    this.rejected.inc({ reason, worker: this.worker });
  }

  upstreamError(cluster: string, error: string): void {
    this.upstreamErrors.inc({ cluster, error });
  }

  retry(cluster: string): void {
    this.retries.inc({ cluster });
  }

  /** Every family, the gauges and the upstream counts read now, in prom-client's JSON shape. */
  json(): MetricJson[] {
    const connections = this.connections;
    connections.reset();
    for (const c of this.clusters()) {
      for (const e of c.endpoints) {
        const s = e.pool.stats;
        connections.set({ cluster: c.name, endpoint: e.origin, state: 'open' }, s.connected);
        connections.set({ cluster: c.name, endpoint: e.origin, state: 'idle' }, s.free);
      }
    }
    return [
      this.rejected.json(), this.upstreamErrors.json(), this.retries.json(), this.authzDecisions.json(), this.filterFaults.json(), connections.json(),
      ...upstreamMetricsJson(this.clusters()),
    ];
  }
}
