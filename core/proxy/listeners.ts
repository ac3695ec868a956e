// What each of a worker's listeners serves: one listener for a plain proxy; inbound, outbound and bound ports for a sidecar.
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TCP_IDLE_TIMEOUT_MS } from '../config/settings.ts';
import type { AppProtocol, ClusterSettings, HostPort, ProxySettings, RouteSettings, SidecarSettings } from '../config/settings.ts';
import { normalizeCluster, normalizeRoute } from '../config/normalize.ts';
import type { TcpApp, TcpTarget } from '../tcp/targets.ts';

/** How a listener's connections are secured. `workload`: mTLS with the proxy's identity (`permissive`: plain text too). */
export type ListenerSecurity = 'config' | 'workload' | 'permissive' | 'plain';

export interface ListenerPlan {
  /** inbound, outbound or bind:SERVICE; names the listener in logs and the ready line. */
  name: string;
  listen: HostPort;
  security: ListenerSecurity;
  /** The inbound side of a sidecar: callers are other workloads, so authorization policies apply there. */
  inbound: boolean;
}

export interface ListenerRoutes {
  clusters: ClusterSettings[];
  /** By listener, in plan order. */
  routes: RouteSettings[][];
  /** By listener: whether its routes run the filter chain. */
  chain: boolean[];
  /** By listener: where its connections are tunnelled when it serves a TCP service (a bound port), else undefined. */
  tcp: (TcpTarget | undefined)[];
  /** The inbound side's app when it speaks TCP: CONNECT streams go there (and no HTTP route does). */
  tcpApp?: TcpApp;
}

/** The listeners a proxy process opens; fixed for its life (flags, not config). */
export function listenerPlans(s: ProxySettings, hasIdentity: boolean): ListenerPlan[] {
  const sc = s.sidecar;
  const mainSecurity: ListenerSecurity = !hasIdentity ? (s.tls ? 'config' : 'plain') : sc?.permissive ? 'permissive' : 'workload';
  const plans: ListenerPlan[] = [{ name: 'inbound', listen: s.listen, security: mainSecurity, inbound: hasIdentity }];
  if (!sc) return plans;
  if (sc.outbound) plans.push({ name: 'outbound', listen: sc.outbound, security: 'plain', inbound: false });
  for (const b of sc.binds) plans.push({ name: `bind:${b.service}`, listen: b.listen, security: 'plain', inbound: false });
  return plans;
}

export const INBOUND_CLUSTER = 'inbound';
/** With `--app-protocol auto`: the app's cluster for gRPC calls (h2c), beside `inbound` (HTTP/1.1) for the rest. */
const INBOUND_GRPC_CLUSTER = 'inbound:grpc';
const outboundCluster = (service: string) => `outbound:${service}`;

/**
 * Catch-all to one cluster, named after it; outbound ones retry a connection that fails or resets, and a gRPC
 * UNAVAILABLE (as Istio's default policy does), as a sidecar has other endpoints to try.
 */
function catchAll(cluster: string, retry: boolean, host?: string): RouteSettings {
  return normalizeRoute({
    name: cluster, cluster, match: host === undefined ? undefined : { host },
    ...(retry ? { retries: { attempts: 2, on: ['connect-failure', 'reset', 'grpc-unavailable'] } } : {}),
  }, 0);
}

/**
 * The app's clusters and the inbound side's routes to them: one cluster in the app's protocol, or for `auto` gRPC
 * calls to an h2c cluster and the rest to an HTTP/1.1 one (the same app address).
 */
function appSide(app: string, protocol: AppProtocol): { clusters: ClusterSettings[]; routes: RouteSettings[] } {
  if (protocol !== 'auto') {
    return { clusters: [normalizeCluster({ name: INBOUND_CLUSTER, endpoints: [app], protocol })], routes: [catchAll(INBOUND_CLUSTER, false)] };
  }
  // Named `inbound` as the other route, so metrics and logs name the inbound side one way whatever the protocol.
  const grpc = normalizeRoute({ name: INBOUND_CLUSTER, cluster: INBOUND_GRPC_CLUSTER }, 0);
  grpc.match.grpc = true;
  return {
    clusters: [normalizeCluster({ name: INBOUND_CLUSTER, endpoints: [app] }), normalizeCluster({ name: INBOUND_GRPC_CLUSTER, endpoints: [app], protocol: 'http2' })],
    routes: [grpc, catchAll(INBOUND_CLUSTER, false)],
  };
}

/**
 * A sidecar's routes: inbound goes to the app; outbound picks the service by Host (then the mesh's own routes);
 * a bound port goes to its one service. Until the first snapshot names the services nothing is routed, so no
 * request passes before the filter chain and policies are in place.
 */
function sidecarRoutes(s: ProxySettings, sc: SidecarSettings): ListenerRoutes {
  const services = sc.services;
  const plans = listenerPlans(s, true);
  if (!services) return { clusters: [], routes: plans.map(() => []), chain: [], tcp: plans.map(() => undefined) };
  const identities = new Map(services.map((svc) => [svc.name, svc.identities]));
  const tcp = tcpServices(s, sc);
  // The mesh's clusters that name a registry service reach other sidecars: the same mTLS as outbound:SERVICE.
  // Sidecar to sidecar is HTTP/2 over mTLS whatever the caller spoke: one multiplexed connection per peer and worker.
  const mesh = s.clusters.filter((c) => c.protocol !== 'tcp').map((c) => {
    const peers = c.service === undefined ? undefined : identities.get(c.service);
    return peers?.length ? { ...c, peerIdentities: peers, protocol: 'http2' as const } : c;
  });
  const appProtocol = sc.appProtocol ?? services.find((svc) => svc.name === sc.service)?.protocol ?? 'auto';
  const tcpApp = appProtocol === 'tcp' ? appTarget(sc) : undefined;
  const inbound = appProtocol === 'tcp' ? { clusters: [], routes: [] } : appSide(sc.app, appProtocol);
  const clusters: ClusterSettings[] = [...inbound.clusters, ...mesh];
  const known = new Set<string>();
  for (const svc of services) {
    known.add(svc.name);
    if (tcp.has(svc.name)) continue;
    const secured = svc.identities.length > 0;
    // A service without identities is plain text (registered by hand): HTTP/1.1 unless it registered http2.
    const c = normalizeCluster({ name: outboundCluster(svc.name), endpoints: svc.endpoints, lb: 'peak_ewma', protocol: secured || svc.protocol === 'http2' ? 'http2' : 'http1' });
    c.service = svc.name;
    if (secured) c.peerIdentities = svc.identities;
    clusters.push(c);
  }
  // A bound service that has no live instance yet still gets its cluster: its port answers 503 until one registers.
  for (const b of sc.binds) if (!known.has(b.service) && !tcp.has(b.service)) clusters.push({ ...normalizeCluster({ name: outboundCluster(b.service), endpoints: [] }), service: b.service });
  const routes: RouteSettings[][] = [inbound.routes];
  const tcpTargets: (TcpTarget | undefined)[] = [undefined];
  if (sc.outbound) {
    routes.push([...services.filter((svc) => !tcp.has(svc.name)).map((svc) => catchAll(outboundCluster(svc.name), true, svc.name)), ...s.routes]);
    tcpTargets.push(undefined);
  }
  for (const b of sc.binds) {
    const target = tcp.get(b.service);
    routes.push(target ? [] : [catchAll(outboundCluster(b.service), true)]);
    tcpTargets.push(target);
  }
  const out = sc.chain !== 'inbound';
  return { clusters, routes, chain: [sc.chain !== 'outbound', ...routes.slice(1).map(() => out)], tcp: tcpTargets, ...(tcpApp ? { tcpApp } : {}) };
}

/**
 * The TCP services a sidecar may call, by name: those whose instances registered `protocol: tcp`, and those a mesh
 * cluster declares TCP (`service: NAME, protocol: tcp`), whose timeouts then apply.
 */
function tcpServices(s: ProxySettings, sc: SidecarSettings): Map<string, TcpTarget> {
  const declared = new Map(s.clusters.filter((c) => c.protocol === 'tcp' && c.service !== undefined).map((c) => [c.service!, c]));
  const out = new Map<string, TcpTarget>();
  for (const svc of sc.services ?? []) {
    const c = declared.get(svc.name);
    if (svc.protocol !== 'tcp' && !c) continue;
    out.set(svc.name, {
      service: svc.name, endpoints: svc.endpoints, identities: svc.identities,
      connectTimeoutMs: c?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, idleTimeoutMs: c?.idleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS,
    });
  }
  // A declared service with no live instance yet: its bound port refuses connections until one registers.
  for (const [name, c] of declared) {
    if (!out.has(name)) out.set(name, { service: name, endpoints: [], identities: [], connectTimeoutMs: c.connectTimeoutMs, idleTimeoutMs: c.idleTimeoutMs ?? DEFAULT_TCP_IDLE_TIMEOUT_MS });
  }
  return out;
}

function appTarget(sc: SidecarSettings): TcpApp {
  const url = new URL(sc.app);
  return {
    service: sc.service, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port),
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS, idleTimeoutMs: DEFAULT_TCP_IDLE_TIMEOUT_MS,
  };
}

export function listenerRoutes(s: ProxySettings): ListenerRoutes {
  if (s.sidecar) return sidecarRoutes(s, s.sidecar);
  // A plain proxy has no bound ports: a TCP cluster is declared for sidecars' sake and served by none of its routes.
  return { clusters: s.clusters.filter((c) => c.protocol !== 'tcp'), routes: [s.routes], chain: [true], tcp: [undefined] };
}
