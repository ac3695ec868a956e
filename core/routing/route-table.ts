// The route table: an ordered list of compiled routes; the first whose match holds wins.
import type { RouteSettings } from '../config/settings.ts';
import type { Cluster } from '../upstream/cluster.ts';
import type { FilterChain } from '../chain/chain.ts';
import type { ListenerTraffic, RouteTraffic } from '../observe/traffic.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { compileRetryPolicy } from './retry-policy.ts';
import { isGrpcContentType } from '../http/grpc.ts';

export interface Route {
  readonly name: string;
  readonly cluster: Cluster;
  readonly timeoutMs: number;
  /** A response body that stalls this long is cut. */
  readonly idleTimeoutMs: number;
  readonly retry: RetryPolicy;
  /** The filters this route runs; undefined when it runs none. */
  readonly chain: FilterChain | undefined;
  /** During a rollout: the chain with the new versions, for `percent` of requests. */
  readonly canary: { chain: FilterChain; percent: number } | undefined;
  /** Where its requests are counted (core/observe/traffic.ts). */
  readonly traffic: RouteTraffic;
  matches(method: string, path: string, rawHeaders: string[]): boolean;
}

/** Case-insensitive lookup in Node's flat rawHeaders list, without building the headers object. */
export function rawHeader(raw: string[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    if (n.length === lowerName.length && n.toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/**
 * Whether the request's host (Host, or :authority on HTTP/2) is `host` (lower case) once its port is dropped,
 * compared in place: a sidecar's outbound table asks this once per service route, so nothing is sliced or copied.
 */
function hostIs(raw: string[], host: string): boolean {
  const h = rawHeader(raw, 'host') ?? rawHeader(raw, ':authority');
  const n = host.length;
  if (h === undefined || h.length < n || (h.length > n && h.charCodeAt(n) !== 0x3a)) return false;
  for (let i = 0; i < n; i++) {
    const c = h.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== host.charCodeAt(i)) return false;
  }
  return true;
}

export interface RouteChains {
  chain: FilterChain | undefined;
  canary?: { chain: FilterChain; percent: number };
}

function compileRoute(r: RouteSettings, cluster: Cluster, chains: RouteChains, traffic: ListenerTraffic): Route {
  const { prefix, path: exact, method, host, headers, grpc } = r.match;
  return {
    name: r.name,
    cluster,
    timeoutMs: r.timeoutMs,
    idleTimeoutMs: r.idleTimeoutMs,
    retry: compileRetryPolicy(r.retries),
    chain: chains.chain,
    canary: chains.canary,
    traffic: traffic.route(r.name, cluster, chains.chain),
    matches(m, path, raw) {
      if (method !== undefined && m !== method) return false;
      if (prefix !== undefined && !path.startsWith(prefix)) return false;
      if (exact !== undefined && pathOnly(path) !== exact) return false;
      if (host !== undefined && !hostIs(raw, host)) return false;
      if (grpc === true && !isGrpcContentType(rawHeader(raw, 'content-type'))) return false;
      for (let i = 0; i < headers.length; i++) {
        if (rawHeader(raw, headers[i][0]) !== headers[i][1]) return false;
      }
      return true;
    },
  };
}

export class RouteTable {
  private readonly routes: Route[];
  /** `traffic`: the listener's part of the worker's counts, where each route's requests are counted. */
  constructor(routes: RouteSettings[], clusters: Map<string, Cluster>, traffic: ListenerTraffic, chainsFor: (r: RouteSettings) => RouteChains = () => ({ chain: undefined })) {
    this.routes = routes.map((r) => compileRoute(r, clusters.get(r.cluster)!, chainsFor(r), traffic));
  }

  match(method: string, path: string, rawHeaders: string[]): Route | undefined {
    const rs = this.routes;
    for (let i = 0; i < rs.length; i++) if (rs[i].matches(method, path, rawHeaders)) return rs[i];
    return undefined;
  }
}
