// The proxies' traffic summaries as the plane keeps them: checked on arrival, held for a bounded window in memory, summed into the mesh's Prometheus series.
import client from 'prom-client';
import type { MetricJson } from '../core/observe/filter-metrics.ts';
import { LATENCY_BUCKETS } from '../core/observe/latency.ts';
import type { AuthzRecord, ClusterRecord, TrafficRecord, TrafficSummary } from '../core/observe/summary.ts';
import { family, histogramValues } from '../core/observe/traffic-metrics.ts';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import type { Peers, ReplicaCoverage } from './peers.ts';

/** How long reports are kept when `--stats-window` does not say. */
export const DEFAULT_STATS_WINDOW_MS = 15 * 60_000;

/** How long a replica waits for another one's reports before it answers without them. */
const PEER_WAIT_MS = 2000;

/** However many proxies report, the window holds at most this much of their reports (as they arrived); the oldest go first. */
const MAX_WINDOW_BYTES = 256 << 20;

/** One proxy's report as kept: who sent it, when it arrived, and what it said. */
export interface StoredReport {
  at: number;
  node: string;
  /** The sidecar's service, else the node's name. */
  service: string;
  /** A sidecar: its inbound side is what its service answered. */
  sidecar: boolean;
  traffic: TrafficRecord[];
  authz: AuthzRecord[];
  clusters: ClusterRecord[];
  /** The report's size as it arrived: what the window's memory gauge adds up. */
  bytes: number;
}

const isCount = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
const isCounts = (o: unknown) => typeof o === 'object' && o !== null && !Array.isArray(o) && Object.values(o).every(isCount);
const isText = (s: unknown) => typeof s === 'string' && s.length <= 512;

function validRecord(r: Record<string, unknown>): boolean {
  return [r.listener, r.route, r.cluster, r.callee, r.caller].every(isText) &&
    (r.direction === 'inbound' || r.direction === 'outbound') && typeof r.mtls === 'boolean' &&
    (r.protocol === 'http' || r.protocol === 'tcp') && Array.isArray(r.filters) && r.filters.length <= 64 && r.filters.every(isText) &&
    [r.requests, r.failures, r.retries, r.seconds, r.bytesIn, r.bytesOut].every(isCount) &&
    [r.statuses, r.errors, r.grpc].every(isCounts) &&
    Array.isArray(r.latency) && r.latency.every((p: unknown) => Array.isArray(p) && p.length === 2 &&
      Number.isInteger(p[0]) && p[0] >= 0 && p[0] < LATENCY_BUCKETS && isCount(p[1]));
}

/** A summary as the proxy's control client posts it; anything else is refused with what was expected. */
export function checkSummary(x: unknown): TrafficSummary {
  const s = x as Record<string, unknown> | null;
  const ok = typeof s === 'object' && s !== null && (s.service === undefined || isText(s.service)) &&
    Array.isArray(s.traffic) && s.traffic.every((r) => typeof r === 'object' && r !== null && validRecord(r as Record<string, unknown>)) &&
    Array.isArray(s.authz) && s.authz.every((a: Record<string, unknown>) => isText(a?.service) && isText(a.rule) && ['allow', 'deny', 'audit'].includes(a.decision as string) && isCount(a.count)) &&
    Array.isArray(s.clusters) && s.clusters.every((c: Record<string, unknown>) => isText(c?.cluster) && isText(c.callee) &&
      [c.ejections, c.retryBudgetExhausted, c.panicPicks].every(isCount) && isCounts(c.overflows));
  if (!ok) throw new WeftError(ErrorCodes.USAGE, 'summary needs {service?, traffic: [records of core/observe/summary.ts], authz: [], clusters: []}, counts as non-negative numbers', 2);
  return s as unknown as TrafficSummary;
}

/** Running totals under one label set, since the plane started. */
interface Series { labels: Record<string, string>; latency: Float64Array; seconds: number; count: number }

/** Every report of the last `windowMs`, oldest first; and the mesh's series summed over every report since start. */
export class StatsWindow {
  readonly windowMs: number;
  readonly #reports: StoredReport[] = [];
  #bytes = 0;
  readonly #requests = new Map<string, { labels: Record<string, string>; value: number }>();
  readonly #errors = new Map<string, { labels: Record<string, string>; value: number }>();
  readonly #authz = new Map<string, { labels: Record<string, string>; value: number }>();
  readonly #durations = new Map<string, Series>();

  constructor(windowMs: number, registry: client.Registry) {
    this.windowMs = windowMs;
    const reports = this.#reports;
    const bytes = () => this.#bytes;
    new client.Gauge({ name: 'weft_plane_stats_reports', help: 'Proxy traffic reports the plane holds for GET /v1/stats', registers: [registry], collect() { this.set(reports.length); } });
    new client.Gauge({ name: 'weft_plane_stats_bytes', help: 'Size of the traffic reports the plane holds, as they arrived (JSON bytes)', registers: [registry], collect() { this.set(bytes()); } });
  }

  add(node: string, summary: TrafficSummary, bytes: number, now: number): void {
    const service = summary.service ?? node;
    this.#reports.push({ at: now, node, service, sidecar: summary.service !== undefined, traffic: summary.traffic, authz: summary.authz, clusters: summary.clusters, bytes });
    this.#bytes += bytes;
    this.#total(service, summary);
    this.expire(now);
  }

  /** Drops what is older than the window, and the oldest beyond MAX_WINDOW_BYTES (reports arrive in time order, so from the front). */
  expire(now: number): void {
    let drop = 0;
    while (drop < this.#reports.length && (this.#reports[drop].at <= now - this.windowMs || this.#bytes > MAX_WINDOW_BYTES)) this.#bytes -= this.#reports[drop++].bytes;
    if (drop) this.#reports.splice(0, drop);
  }

  /** The reports that arrived after `since`. */
  since(since: number): StoredReport[] {
    const r = this.#reports;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r[mid].at <= since) lo = mid + 1;
      else hi = mid;
    }
    return r.slice(lo);
  }

  #total(service: string, s: TrafficSummary): void {
    const bump = (m: Map<string, { labels: Record<string, string>; value: number }>, labels: Record<string, string>, n: number) => {
      const key = JSON.stringify(labels);
      const have = m.get(key);
      if (have) have.value += n;
      else m.set(key, { labels, value: n });
    };
    for (const r of s.traffic) {
      const base = { service, direction: r.direction, route: r.route, cluster: r.cluster };
      for (const [code, n] of Object.entries(r.statuses)) bump(this.#requests, { ...base, code }, n);
      for (const [error, n] of Object.entries(r.errors)) bump(this.#errors, { service, route: r.route, cluster: r.cluster, error }, n);
      const key = JSON.stringify(base);
      let d = this.#durations.get(key);
      if (!d) this.#durations.set(key, d = { labels: base, latency: new Float64Array(LATENCY_BUCKETS), seconds: 0, count: 0 });
      for (const [i, n] of r.latency) d.latency[i] += n;
      d.seconds += r.seconds;
      d.count += r.requests;
    }
    for (const a of s.authz) bump(this.#authz, { service: a.service, decision: a.decision, rule: a.rule }, a.count);
  }

  /** The mesh's series in Prometheus text. */
  async metricsText(): Promise<string> {
    const requests = family('weft_mesh_requests_total', 'Requests the mesh\'s proxies answered, by service, direction, route, cluster and status code (from their reports)', 'counter');
    requests.values = [...this.#requests.values()];
    const errors = family('weft_mesh_errors_total', 'Answers Weft made or cut, by service, route, cluster and WEFT_ERR_* code (from the proxies\' reports)', 'counter');
    errors.values = [...this.#errors.values()];
    const authz = family('weft_mesh_authz_decisions_total', 'Authorization decisions of the sidecars, by service, decision (allow, deny, audit) and rule', 'counter');
    authz.values = [...this.#authz.values()];
    const duration = family('weft_mesh_request_duration_seconds', 'Time from request start to the last response byte, as the proxies measured it', 'histogram');
    for (const d of this.#durations.values()) duration.values.push(...histogramValues(duration.name, d.latency, d.seconds, d.count, d.labels));
    const families: MetricJson[] = [requests, errors, duration, authz];
    return client.AggregatorRegistry.aggregate([families as unknown as client.MetricObjectWithValues<client.MetricValue<string>>[]]).metrics();
  }
}

/**
 * The reports of the last `windowMs` held by every replica: each proxy posts to the replica it watches, so the
 * mesh's view is the union. A replica that does not answer within PEER_WAIT_MS is left out and named.
 */
export async function meshReports(stats: StatsWindow, peers: Peers | null, windowMs: number, now: number): Promise<{ reports: StoredReport[]; replicas: ReplicaCoverage }> {
  stats.expire(now);
  const own = stats.since(now - windowMs);
  if (!peers) return { reports: own, replicas: { answered: 1, missing: [] } };
  const { answers, coverage } = await peers.ask<{ reports: StoredReport[] }>(`/v1/stats/reports?window=${windowMs}`, undefined, PEER_WAIT_MS);
  const reports = own.concat(...answers.map((a) => (Array.isArray(a.reports) ? a.reports : [])));
  return { reports, replicas: coverage };
}
