// What the pages read from GET /v1/stats, in one shape: services with their golden metrics and series, caller → callee edges, authorization counts.
import { getJson } from './api.js';

const num = (...xs) => xs.find((x) => typeof x === 'number' && !Number.isNaN(x));

function golden(x) {
  const latency = x.latency ?? {};
  return {
    requests: num(x.requests, 0),
    rps: num(x.rps, x.requestsPerSecond),
    success: num(x.successRate, x.success),
    p50: num(latency.p50, x.p50),
    p95: num(latency.p95, x.p95),
    p99: num(latency.p99, x.p99),
  };
}

/** One reading of /v1/stats normalized; `null` while the plane does not serve it. */
export function readStats(body) {
  if (!body) return null;
  const services = (body.services ?? []).map((s) => ({
    name: s.service ?? s.name,
    ...golden(s),
    routes: (s.routes ?? []).map((r) => ({ name: r.route ?? r.name, ...golden(r) })),
    upstreams: (s.upstreams ?? []).map((u) => ({ name: u.callee ?? u.cluster ?? u.name, ...golden(u) })),
    versions: (s.versions ?? []).map((v) => ({ name: v.version ?? v.name, ...golden(v) })),
    series: (s.series ?? []).map((p) => ({ at: p.at, ...golden(p) })),
  }));
  const edges = (body.edges ?? []).map((e) => ({
    from: e.caller ?? e.from,
    to: e.callee ?? e.to,
    protocol: e.protocol ?? 'http',
    mtls: e.mtls !== false,
    ...golden(e),
  }));
  const authz = (body.authz ?? []).map((a) => ({ service: a.service, rule: a.rule, decision: a.decision, count: num(a.count, 0) }));
  return { window: body.window, services, edges, authz };
}

/** A reader for usePoll: `/v1/stats?…` normalized. */
export async function statsAt(path) {
  const r = await getJson(path);
  return r.data === undefined ? r : { data: readStats(r.data) };
}
