// What the pages read from GET /v1/stats (plane/README.md, Telemetry), in the units they show: services with golden metrics and series, caller → callee edges, authorization counts.
import { getJson } from './api.js';

/** A number, or undefined for the plane's null (no requests in the window). */
const num = (x) => (typeof x === 'number' && !Number.isNaN(x) ? x : undefined);
/** The plane gives latencies in seconds; the pages write milliseconds. */
const ms = (x) => (num(x) === undefined ? undefined : x * 1000);

function golden(x) {
  return { requests: num(x.requests) ?? 0, rps: num(x.rps), success: num(x.successRate), p50: ms(x.p50), p95: ms(x.p95), p99: ms(x.p99) };
}

/** One reading of /v1/stats. */
export function readStats(body) {
  const services = (body.services ?? []).map((s) => ({
    name: s.service,
    ...golden(s),
    errors: s.errors ?? {},
    // A rollout's canary and its stable version count under different filter lists: separate rows, side by side.
    routes: (s.routes ?? []).map((r) => ({ name: `${r.listener} ${r.route || '(no route)'}`, filters: r.filters ?? [], ...golden(r) })),
    upstreams: (s.upstreams ?? []).map((u) => ({ name: u.service || u.cluster, mtls: u.mtls, ...golden(u) })),
    series: (s.series ?? []).map((p) => ({ at: p.at, ...golden(p) })),
  }));
  const edges = (body.edges ?? []).map((e) => ({ from: e.from, to: e.to, protocol: e.protocol ?? 'http', mtls: e.mtls === true, ...golden(e) }));
  const authz = (body.services ?? []).flatMap((s) => (s.authz ?? []).map((a) => ({ service: s.service, rule: a.rule, decision: a.decision, count: num(a.count) ?? 0 })));
  // Plane replicas that did not give their proxies' reports: the figures leave those proxies out.
  const silent = (body.replicas?.missing ?? []).map((r) => `${r.url} (${r.reason})`);
  return { windowSeconds: body.windowSeconds, services, edges, authz, silent };
}

/** A reader for usePoll: `/v1/stats?…` read and normalized. */
export async function statsAt(path) {
  const r = await getJson(path);
  return r.data === undefined ? r : { data: readStats(r.data) };
}
