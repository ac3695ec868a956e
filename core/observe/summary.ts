// The traffic summary a proxy sends the plane with each report: what its listeners served since the last one, in mergeable counts.
import type { SparseHistogram } from './latency.ts';

/**
 * One combination a worker counts requests under (core/observe/traffic.ts), the same in every worker and proxy, so
 * equal keys add up: a listener's route, the cluster that served it, the filter versions of the chain that ran, and
 * who called (the verified SPIFFE ID, on a sidecar's inbound side).
 */
export interface TrafficKey {
  /** inbound, outbound or bind:SERVICE (core/proxy/listeners.ts). */
  listener: string;
  /** `inbound`: a sidecar's mTLS side, whose callers are other workloads; `outbound`: every other listener. */
  direction: 'inbound' | 'outbound';
  /** The route's name; '' for requests no route matched. */
  route: string;
  /** The cluster the request went to; '' when it never got that far. */
  cluster: string;
  /** The mesh service the cluster reaches (a sidecar's outbound:NAME, a mesh cluster's `service`); '' for others. */
  callee: string;
  /** The caller's verified SPIFFE ID on an inbound side; '' for plain-text callers and on outbound sides. */
  caller: string;
  /** Inbound: the caller proved an identity; outbound: the cluster dials other sidecars over mTLS. */
  mtls: boolean;
  /** "name@version" of each filter of the chain that ran, in chain order; [] without filters. */
  filters: string[];
  /** `http` (HTTP/1.1 and HTTP/2, gRPC counted within); `tcp` is kept for tunnelled TCP, whose records count connections. */
  protocol: 'http' | 'tcp';
}

/** Counts under one key over one report's interval. */
export interface TrafficCounts {
  requests: number;
  /** 5xx answers, and gRPC calls whose grpc-status was not OK (Linkerd's definition of a failure). */
  failures: number;
  /** By HTTP status code. */
  statuses: Record<string, number>;
  /** By WEFT_ERR_* code, for answers Weft made or cut (docs/errors.md). */
  errors: Record<string, number>;
  /** gRPC calls by grpc-status. */
  grpc: Record<string, number>;
  /** Tries after the first. */
  retries: number;
  /** Request-to-last-byte durations in core/observe/latency.ts buckets. */
  latency: SparseHistogram;
  /** Sum of those durations, seconds. */
  seconds: number;
  bytesIn: number;
  bytesOut: number;
}

export type TrafficRecord = TrafficKey & TrafficCounts;

/** Authorization decisions of a sidecar's inbound side, by rule ('default' when no rule matched). */
export interface AuthzRecord {
  service: string;
  decision: 'allow' | 'deny' | 'audit';
  rule: string;
  count: number;
}

/** A cluster's resilience events (core/upstream/cluster-state.ts) over the interval. */
export interface ClusterRecord {
  cluster: string;
  callee: string;
  ejections: number;
  /** Attempts a full breaker refused (connections, pending, requests) and retries it held back. */
  overflows: { connections: number; pending: number; requests: number; retries: number };
  retryBudgetExhausted: number;
  panicPicks: number;
}

const BREAKERS = ['connections', 'pending', 'requests', 'retries'] as const;

/** A cluster's events between two readings of its running totals; undefined when none happened. */
export function clusterSince(now: ClusterRecord, before: ClusterRecord | undefined): ClusterRecord | undefined {
  const d: ClusterRecord = {
    ...now,
    ejections: now.ejections - (before?.ejections ?? 0),
    retryBudgetExhausted: now.retryBudgetExhausted - (before?.retryBudgetExhausted ?? 0),
    panicPicks: now.panicPicks - (before?.panicPicks ?? 0),
    overflows: { ...now.overflows },
  };
  for (const b of BREAKERS) d.overflows[b] -= before?.overflows[b] ?? 0;
  const any = d.ejections > 0 || d.retryBudgetExhausted > 0 || d.panicPicks > 0 || BREAKERS.some((b) => d.overflows[b] > 0);
  return any ? d : undefined;
}

/** Adds the events of `from` into `into` (the same cluster). */
export function addClusterEvents(into: ClusterRecord, from: ClusterRecord): void {
  into.ejections += from.ejections;
  into.retryBudgetExhausted += from.retryBudgetExhausted;
  into.panicPicks += from.panicPicks;
  for (const b of BREAKERS) into.overflows[b] += from.overflows[b];
}

/** What one proxy served since its last accepted report (deltas: a report that fails is merged into the next). */
export interface TrafficSummary {
  /** The sidecar's service; absent for a proxy that is not one (the plane then names it by node). */
  service?: string;
  traffic: TrafficRecord[];
  authz: AuthzRecord[];
  clusters: ClusterRecord[];
}

export function emptySummary(service?: string): TrafficSummary {
  return { ...(service === undefined ? {} : { service }), traffic: [], authz: [], clusters: [] };
}

/** The identity of a record's key as one string: records with equal keys add up. */
export function trafficKey(k: TrafficKey): string {
  return JSON.stringify([k.listener, k.direction, k.route, k.cluster, k.callee, k.caller, k.mtls, k.filters, k.protocol]);
}

function addRecord(into: Record<string, number>, from: Record<string, number>): void {
  for (const k in from) into[k] = (into[k] ?? 0) + from[k];
}

/** Adds the counts of `from` into `into` (same key). */
export function addCounts(into: TrafficCounts, from: TrafficCounts): void {
  into.requests += from.requests;
  into.failures += from.failures;
  addRecord(into.statuses, from.statuses);
  addRecord(into.errors, from.errors);
  addRecord(into.grpc, from.grpc);
  into.retries += from.retries;
  into.seconds += from.seconds;
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
  const latency = new Map(into.latency);
  for (const [i, n] of from.latency) latency.set(i, (latency.get(i) ?? 0) + n);
  into.latency = [...latency];
}

function copyRecord(r: TrafficRecord): TrafficRecord {
  return { ...r, filters: [...r.filters], statuses: { ...r.statuses }, errors: { ...r.errors }, grpc: { ...r.grpc }, latency: r.latency.map(([i, n]) => [i, n]) };
}

/** A summary holding both (the workers' of one proxy, or a report that failed and the next): `into` is changed and returned. */
export function mergeSummary(into: TrafficSummary, from: TrafficSummary): TrafficSummary {
  const byKey = new Map(into.traffic.map((r) => [trafficKey(r), r]));
  for (const r of from.traffic) {
    const key = trafficKey(r);
    const have = byKey.get(key);
    if (have) addCounts(have, r);
    else {
      const copy = copyRecord(r);
      byKey.set(key, copy);
      into.traffic.push(copy);
    }
  }
  for (const a of from.authz) {
    const have = into.authz.find((x) => x.service === a.service && x.decision === a.decision && x.rule === a.rule);
    if (have) have.count += a.count;
    else into.authz.push({ ...a });
  }
  for (const c of from.clusters) {
    const have = into.clusters.find((x) => x.cluster === c.cluster);
    if (have) addClusterEvents(have, c);
    else into.clusters.push({ ...c, overflows: { ...c.overflows } });
  }
  return into;
}
