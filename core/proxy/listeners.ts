// What each of a worker's listeners serves: one listener for a plain proxy; inbound, outbound and bound ports for a sidecar.
import type { ClusterSettings, HostPort, ProxySettings, RouteSettings, SidecarSettings } from '../config/settings.ts';
import { normalizeCluster, normalizeRoute } from '../config/normalize.ts';

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
const outboundCluster = (service: string) => `outbound:${service}`;

/**
 * Catch-all to one cluster, named after it; outbound ones retry a connection that fails or resets, as a sidecar has
 * other endpoints to try.
 */
function catchAll(cluster: string, retry: boolean, host?: string): RouteSettings {
  return normalizeRoute({
    name: cluster, cluster, match: host === undefined ? undefined : { host },
    ...(retry ? { retries: { attempts: 2, on: ['connect-failure', 'reset'] } } : {}),
  }, 0);
}

/**
 * A sidecar's routes: inbound goes to the app; outbound picks the service by Host (then the mesh's own routes);
 * a bound port goes to its one service. Until the first snapshot names the services nothing is routed, so no
 * request passes before the filter chain and policies are in place.
 */
function sidecarRoutes(s: ProxySettings, sc: SidecarSettings): ListenerRoutes {
  const services = sc.services;
  if (!services) return { clusters: [], routes: listenerPlans(s, true).map(() => []), chain: [] };
  const identities = new Map(services.map((svc) => [svc.name, svc.identities]));
  // The mesh's clusters that name a registry service reach other sidecars: the same mTLS as outbound:SERVICE.
  const mesh = s.clusters.map((c) => {
    const peers = c.service === undefined ? undefined : identities.get(c.service);
    return peers?.length ? { ...c, peerIdentities: peers } : c;
  });
  const clusters: ClusterSettings[] = [normalizeCluster({ name: INBOUND_CLUSTER, endpoints: [sc.app] }), ...mesh];
  const known = new Set<string>();
  for (const svc of services) {
    known.add(svc.name);
    const c = normalizeCluster({ name: outboundCluster(svc.name), endpoints: svc.endpoints, lb: 'least_request' });
    if (svc.identities.length) c.peerIdentities = svc.identities;
    clusters.push(c);
  }
  // A bound service that has no live instance yet still gets its cluster: its port answers 503 until one registers.
  for (const b of sc.binds) if (!known.has(b.service)) clusters.push(normalizeCluster({ name: outboundCluster(b.service), endpoints: [] }));
  const routes: RouteSettings[][] = [[catchAll(INBOUND_CLUSTER, false)]];
  if (sc.outbound) routes.push([...services.map((svc) => catchAll(outboundCluster(svc.name), true, svc.name)), ...s.routes]);
  for (const b of sc.binds) routes.push([catchAll(outboundCluster(b.service), true)]);
  const out = sc.chain !== 'inbound';
  return { clusters, routes, chain: [sc.chain !== 'outbound', ...routes.slice(1).map(() => out)] };
}

export function listenerRoutes(s: ProxySettings): ListenerRoutes {
  if (s.sidecar) return sidecarRoutes(s, s.sidecar);
  return { clusters: s.clusters, routes: [s.routes], chain: [true] };
}
