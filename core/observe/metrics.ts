// The proxy's Prometheus metrics as one worker records them; the admin server merges every worker's on scrape.
import client from 'prom-client';
import type { AuthzDecision } from '../authz/authorizer.ts';
import type { Cluster } from '../upstream/cluster.ts';
import type { AuthzRecord } from './summary.ts';
import { registerUpstreamMetrics } from './upstream-metrics.ts';

/**
 * The counters that are not per request. Requests themselves (weft_requests_total, weft_request_duration_seconds,
 * weft_grpc_requests_total) are counted in the worker's traffic cells (core/observe/traffic.ts) and turned into
 * series at scrape time (traffic-metrics.ts): no label hashing on the request path.
 */
export class WorkerMetrics {
  readonly registry = new client.Registry();
  readonly worker: string;
  private readonly rejected: client.Counter<string>;
  private readonly upstreamErrors: client.Counter<string>;
  private readonly retries: client.Counter<string>;
  private readonly authzDecisions: client.Counter<string>;
  private readonly filterFaults: client.Counter<string>;
  /** Decisions as the last summary took them, by service, decision and rule. */
  private readonly authzTaken = new Map<string, number>();
  /** Per service, per decision object (the Authorizer hands out one per outcome): its child, so a check costs no label hashing. */
  private readonly authzChildren = new Map<string, WeakMap<AuthzDecision, client.Counter.Internal>>();

  constructor(worker: number, clusters: () => Iterable<Cluster>) {
    this.worker = String(worker);
    const registers = [this.registry];
    this.rejected = new client.Counter({
      name: 'weft_downstream_rejected_total', help: 'Downstream requests refused before routing (malformed, too large, too slow)',
      labelNames: ['reason', 'worker'], registers,
    });
    this.upstreamErrors = new client.Counter({
      name: 'weft_upstream_errors_total', help: 'Upstream attempts that failed, by cluster and error code',
      labelNames: ['cluster', 'error'], registers,
    });
    this.retries = new client.Counter({
      name: 'weft_upstream_retries_total', help: 'Upstream attempts that were retries', labelNames: ['cluster'], registers,
    });
    // No worker label: the scrape sums the workers, and rule names already multiply the series.
    this.authzDecisions = new client.Counter({
      name: 'weft_authz_decisions_total', help: 'Inbound requests checked against the service authorization policy, by service, decision (allow, deny, audit) and deciding rule',
      labelNames: ['service', 'decision', 'rule'], registers,
    });
    this.filterFaults = new client.Counter({
      name: 'weft_filter_traps_total',
      help: 'Requests a filter failed by its own fault, each answered per the filter\'s fail policy, by filter, version and cause: '
        + 'trap (a wasm trap, or the module exited), fuel (its callback ran out of fuel), invalid_header (it handed the host a header that cannot go on the wire)',
      labelNames: ['filter', 'version', 'cause'], registers,
    });
    const connections = new client.Gauge({
      name: 'weft_upstream_connections', help: 'Upstream connections by cluster, endpoint and state (open, idle)',
      labelNames: ['cluster', 'endpoint', 'state'], registers,
      collect() {
        this.reset();
        for (const c of clusters()) {
          for (const e of c.endpoints) {
            const s = e.pool.stats;
            this.set({ cluster: c.name, endpoint: e.origin, state: 'open' }, s.connected);
            this.set({ cluster: c.name, endpoint: e.origin, state: 'idle' }, s.free);
          }
        }
      },
    });
    void connections;
    registerUpstreamMetrics(this.registry, clusters);
  }

  authz(service: string, d: AuthzDecision): void {
    let children = this.authzChildren.get(service);
    if (!children) this.authzChildren.set(service, children = new WeakMap());
    let child = children.get(d);
    if (!child) children.set(d, child = this.authzDecisions.labels(service, d.decision, d.rule));
    child.inc();
  }

  filterFault(filter: string, version: string, cause: string): void {
    this.filterFaults.inc({ filter, version, cause });
  }

  /** Decisions since the last call, for the plane's summary (read off the counter, nothing added per check). */
  async takeAuthz(): Promise<AuthzRecord[]> {
    const out: AuthzRecord[] = [];
    for (const { labels, value } of (await this.authzDecisions.get()).values) {
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
}
