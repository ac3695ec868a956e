// GET /v1/stats: the kept reports of a window summed into per-service golden metrics, routes, upstreams and caller → callee edges (plane/README.md, Telemetry).
import { parseSpiffeId } from '../core/identity/spiffe.ts';
import { quantile } from '../core/observe/latency.ts';
import { addClusterEvents } from '../core/observe/summary.ts';
import type { ClusterRecord, TrafficRecord } from '../core/observe/summary.ts';
import type { StoredReport } from './stats.ts';

/** Counts summed over many records. */
class Tally {
  requests = 0;
  failures = 0;
  retries = 0;
  readonly statuses: Record<string, number> = {};
  readonly errors: Record<string, number> = {};
  readonly latency = new Map<number, number>();

  add(r: TrafficRecord): void {
    this.requests += r.requests;
    this.failures += r.failures;
    this.retries += r.retries;
    for (const [k, n] of Object.entries(r.statuses)) this.statuses[k] = (this.statuses[k] ?? 0) + n;
    for (const [k, n] of Object.entries(r.errors)) this.errors[k] = (this.errors[k] ?? 0) + n;
    for (const [i, n] of r.latency) this.latency.set(i, (this.latency.get(i) ?? 0) + n);
  }

  /** Requests/s over `seconds`, the share that did not fail, and latency percentiles in seconds (null without requests). */
  golden(seconds: number): Golden {
    const q = (p: number) => round(quantile(p, this.latency) ?? null, 6);
    return {
      requests: this.requests, rps: round(this.requests / seconds, 3)!,
      successRate: this.requests ? round((this.requests - this.failures) / this.requests, 4) : null,
      p50: q(0.5), p95: q(0.95), p99: q(0.99),
    };
  }
}

interface Golden { requests: number; rps: number; successRate: number | null; p50: number | null; p95: number | null; p99: number | null }

function round(n: number | null, digits: number): number | null {
  if (n === null) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function tally<K>(m: Map<K, Tally>, k: K): Tally {
  let t = m.get(k);
  if (!t) m.set(k, t = new Tally());
  return t;
}

/** What a service answered: a sidecar's inbound side, every listener of a plain proxy. */
function served(report: StoredReport, r: TrafficRecord): boolean {
  return !report.sidecar || r.direction === 'inbound';
}

/** The caller of an inbound record by its service name; 'unknown' for a plain-text caller. */
function callerService(r: TrafficRecord): string {
  return (r.caller && parseSpiffeId(r.caller)?.service) || 'unknown';
}

interface ServiceAcc {
  instances: Set<string>;
  served: Tally;
  routes: Map<string, { key: Pick<TrafficRecord, 'listener' | 'direction' | 'route' | 'filters'>; t: Tally }>;
  upstreams: Map<string, { cluster: string; service: string; mtls: boolean; t: Tally; events: ClusterRecord }>;
  authz: Map<string, { decision: string; rule: string; count: number }>;
  series: Map<number, Tally>;
}

interface EdgeAcc { from: string; to: string; protocol: string; mtls: boolean; t: Tally }

const byRequests = (a: { requests: number }, b: { requests: number }) => b.requests - a.requests;

/**
 * The answer of GET /v1/stats over `reports` (those of the window), at `now`; `stepMs` is the series' resolution
 * (the proxies' report interval). With `service`, only it and the edges that touch it.
 */
export function statsView(reports: StoredReport[], now: number, windowMs: number, stepMs: number, service?: string): object {
  const seconds = windowMs / 1000;
  const services = new Map<string, ServiceAcc>();
  const edges = new Map<string, EdgeAcc>();
  const inboundEdges = new Map<string, EdgeAcc>();
  const start = now - windowMs;
  const edge = (m: Map<string, EdgeAcc>, from: string, to: string, r: TrafficRecord) => {
    const protocol = Object.keys(r.grpc).length ? 'grpc' : r.protocol;
    const key = `${from}\n${to}\n${protocol}`;
    let e = m.get(key);
    if (!e) m.set(key, e = { from, to, protocol, mtls: r.mtls, t: new Tally() });
    e.mtls &&= r.mtls;
    e.t.add(r);
  };
  for (const report of reports) {
    let s = services.get(report.service);
    if (!s) services.set(report.service, s = { instances: new Set(), served: new Tally(), routes: new Map(), upstreams: new Map(), authz: new Map(), series: new Map() });
    s.instances.add(report.node);
    // A report counts the interval before it arrived: it belongs to the step that ends at or after its arrival.
    const step = Math.ceil((report.at - start) / stepMs) - 1;
    for (const r of report.traffic) {
      if (served(report, r)) {
        s.served.add(r);
        tally(s.series, step).add(r);
      }
      // During a rollout the canary's chain has other versions: its own row, beside the stable one.
      const routeKey = `${r.listener}\n${r.route}\n${r.filters.join(',')}`;
      let route = s.routes.get(routeKey);
      if (!route) s.routes.set(routeKey, route = { key: { listener: r.listener, direction: r.direction, route: r.route, filters: r.filters }, t: new Tally() });
      route.t.add(r);
      if (r.direction === 'outbound' && r.cluster) {
        let u = s.upstreams.get(r.cluster);
        if (!u) s.upstreams.set(r.cluster, u = { cluster: r.cluster, service: r.callee, mtls: r.mtls, t: new Tally(), events: noEvents(r.cluster, r.callee) });
        u.t.add(r);
        if (r.callee) edge(edges, report.service, r.callee, r);
      } else if (report.sidecar && r.direction === 'inbound') {
        edge(inboundEdges, callerService(r), report.service, r);
      }
    }
    for (const c of report.clusters) {
      let u = s.upstreams.get(c.cluster);
      if (!u) s.upstreams.set(c.cluster, u = { cluster: c.cluster, service: c.callee, mtls: false, t: new Tally(), events: noEvents(c.cluster, c.callee) });
      addClusterEvents(u.events, c);
    }
    for (const a of report.authz) {
      const key = `${a.decision}\n${a.rule}`;
      const have = s.authz.get(key);
      if (have) have.count += a.count;
      else s.authz.set(key, { decision: a.decision, rule: a.rule, count: a.count });
    }
  }
  // The callee's inbound side names callers that do not report themselves (a plain client, a proxy outside the mesh).
  const callers = new Set([...edges.values()].map((e) => `${e.from}\n${e.to}`));
  for (const e of inboundEdges.values()) if (!callers.has(`${e.from}\n${e.to}`)) edges.set(`${e.from}\n${e.to}\n${e.protocol}`, e);

  const steps = Math.max(1, Math.ceil(windowMs / stepMs));
  const names = [...services.keys()].filter((n) => service === undefined || n === service).sort();
  return {
    at: now,
    windowSeconds: seconds,
    services: names.map((name) => {
      const s = services.get(name)!;
      return {
        service: name,
        instances: [...s.instances].sort(),
        ...s.served.golden(seconds),
        errors: s.served.errors,
        statuses: s.served.statuses,
        routes: [...s.routes.values()].map((r) => ({
          ...r.key, ...r.t.golden(seconds), errors: r.t.errors, statuses: r.t.statuses, retries: r.t.retries,
        })).sort(byRequests),
        upstreams: [...s.upstreams.values()].map((u) => ({
          cluster: u.cluster, service: u.service, mtls: u.mtls, ...u.t.golden(seconds), errors: u.t.errors, retries: u.t.retries,
          ejections: u.events.ejections, overflows: u.events.overflows,
        })).sort(byRequests),
        authz: [...s.authz.values()].sort((a, b) => b.count - a.count),
        series: Array.from({ length: steps }, (_, i) => {
          const t = s.series.get(i) ?? new Tally();
          const { rps, successRate, p50, p95, p99 } = t.golden(stepMs / 1000);
          return { at: start + (i + 1) * stepMs, rps, successRate, p50, p95, p99 };
        }),
      };
    }),
    edges: [...edges.values()]
      .filter((e) => service === undefined || e.from === service || e.to === service)
      .map((e) => {
        const g = e.t.golden(seconds);
        return { from: e.from, to: e.to, protocol: e.protocol, mtls: e.mtls, requests: g.requests, rps: g.rps, successRate: g.successRate, p99: g.p99 };
      })
      .sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1)),
  };
}

function noEvents(cluster: string, callee: string): ClusterRecord {
  return { cluster, callee, ejections: 0, overflows: { connections: 0, pending: 0, requests: 0, retries: 0 }, retryBudgetExhausted: 0, panicPicks: 0 };
}

