// A cluster as one worker sees it: its endpoints (each a keep-alive pool of ours with its health), which of them are available, and its balancer.
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Dispatcher, Pool } from 'undici';
import { undici } from './undici-lazy.ts';
import type { ClusterSettings, EndpointMeta } from '../config/settings.ts';
import { balancer } from './balancer.ts';
import type { Balanced, Pick } from './balancer.ts';
import { ClusterState } from './cluster-state.ts';
import { ACTIVE, PENDING } from './breaker-table.ts';
import type { BreakerTable } from './breaker-table.ts';
import { countingConnector, dialer } from './connection-limit.ts';
import type { Connected, DialTls } from './connection-limit.ts';
import { HealthChecker } from './health-check.ts';
import type { Checked } from './health-check.ts';
import type { Ejectable } from './outlier.ts';
import { DEFAULT_RTT_MS } from './peak-ewma.ts';
import { hashKey, Ring } from './ring-hash.ts';
import { egressOptions } from './upstream-tls.ts';
import { PICK_HASHED, PICK_LOCAL_ZONE, PICK_PANIC } from '../observe/story.ts';
import { H2Dispatcher } from './h2-dispatcher.ts';
import { H1Pool, READ_INTO } from './h1-pool.ts';
import { H2Sessions } from './h2-sessions.ts';
import type { TlsFailing } from './upstream-tls.ts';
import { WorkloadTls } from '../identity/tls.ts';
import type { Identity } from '../identity/identity.ts';

/**
 * undici's dispatch options with `servername`, which its Request reads (its own dns interceptor sets it) though its
 * types leave it out. Without it undici derives the server name from each request's Host, and a connection whose
 * next request names another host is closed and opened again.
 */
export type UpstreamDispatch = Dispatcher.DispatchOptions & { servername: string | null };

/** One endpoint of one cluster; its health and ejection live here, so a config swap that keeps it keeps them. */
export class Endpoint implements Balanced, Checked, Ejectable, Connected, TlsFailing {
  /** As configured (the registry's http:// address for another sidecar): what logs and metrics name. */
  readonly origin: string;
  /** What is dialled: https:// for TLS, whether the config said https:// or the endpoint is another sidecar. */
  readonly url: string;
  /** The same for every request to this endpoint (UpstreamDispatch): its TLS server name, or null for plain HTTP. */
  readonly servername: string | null;
  /** HTTP/1.1: our keep-alive pool (h1-pool.ts); HTTP/2: our sessions (one multiplexed connection per endpoint and worker). */
  readonly pool: H1Pool | H2Dispatcher;
  readonly state: ClusterState;
  weight = 1;
  zone = '';
  active = 0;
  connections = 0;
  ewmaMs = DEFAULT_RTT_MS;
  ewmaAt = 0;
  /** What active health checks say (true when there are none). */
  healthy = true;
  failures = 0;
  ejections = 0;
  ejectedUntil = 0;
  tlsFailure = '';
  tlsFailureLoggedAt = 0;
  tlsFailuresUnlogged = 0;
  private checker: HealthChecker | undefined;
  private readonly connectTimeoutMs: number;
  private readonly h2: boolean;
  private readonly tls: DialTls | undefined;
  private readonly maxConnections: number | null;
  /** An HTTP/2 endpoint's HTTP/1.1 pool, for a TLS endpoint that did not choose h2; opened at first need. */
  private http1: H1Pool | undefined;
  /** undici's pool for upgrades; opened (and undici's files loaded) at the first upgrade. */
  private upgrading: Pool | undefined;

  /** `egress`: the TLS options of a cluster with https:// endpoints (EndpointCache.egressOptions, one per cluster). */
  constructor(origin: string, settings: ClusterSettings, state: ClusterState, workload: WorkloadTls, egress?: ConnectionOptions) {
    this.origin = origin;
    this.state = state;
    this.connectTimeoutMs = settings.connectTimeoutMs;
    const h2 = this.h2 = settings.protocol === 'http2';
    const peers = settings.peerIdentities;
    // Another sidecar: the registry holds its plain address, the connection is mTLS to the identity it must prove.
    this.url = peers ? origin.replace(/^http:/, 'https:') : origin;
    const host = new URL(this.url).hostname.replace(/^\[(.*)\]$/, '$1');
    const options = peers ? () => workload.clientOptions(peers) : egress ? () => egress : undefined;
    // SNI is a host name: the cluster's own, else the endpoint's; an IP address is verified as such and sends none.
    this.tls = options && { options, servername: settings.tls?.sni ?? (isIP(host) ? '' : host) };
    this.servername = this.tls ? this.tls.servername || host : null;
    this.maxConnections = settings.maxConnectionsPerEndpoint ?? null;
    // HTTP/2 is ours (h2-sessions.ts) rather than undici's, whose HTTP/2 client drops the response data a paused
    // stream still holds when its trailers arrive: gRPC messages lost under backpressure.
    this.pool = h2
      ? new H2Dispatcher(new H2Sessions(this.url, countingConnector(this, dialer(this.connectTimeoutMs, true, this.tls)), this.maxConnections ?? Infinity), () => this.http1 ??= this.newH1Pool(), state)
      : this.newH1Pool();
  }

  /** HTTP/1.1 to this endpoint; over TLS its ALPN offers http/1.1 alone, in plain text its reads skip the socket's stream. */
  private newH1Pool(): H1Pool {
    const connect = dialer(this.connectTimeoutMs, false, this.tls, this.tls ? undefined : READ_INTO);
    return new H1Pool(this.url, { connections: this.maxConnections, connect: countingConnector(this, connect) });
  }

  /**
   * An upgrade (WebSocket) sent through undici's HTTP/1.1 pool to this endpoint, whose upgrade API hands back the
   * socket to tunnel (an h2c endpoint is assumed to take HTTP/1.1 too). The pool opens at the first upgrade.
   */
  async upgrade(options: Dispatcher.UpgradeOptions): Promise<Dispatcher.UpgradeData> {
    const { Pool, upgrade } = await undici();
    this.upgrading ??= new Pool(this.url, {
      connections: this.maxConnections,
      connect: countingConnector(this, dialer(this.connectTimeoutMs, false, this.tls)),
      pipelining: 1,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
    });
    return upgrade.call(this.upgrading, options);
  }

  /** Takes the weight, zone and health checking a (new) cluster config gives this endpoint. */
  configure(meta: EndpointMeta | undefined, s: ClusterSettings): void {
    this.weight = meta?.weight ?? 1;
    this.zone = meta?.zone ?? '';
    const hc = s.healthCheck;
    if (this.checker && hc && JSON.stringify(this.checker.settings) === JSON.stringify(hc)) return;
    void this.checker?.stop();
    this.checker = hc ? new HealthChecker(this, hc, dialer(Math.min(this.connectTimeoutMs, hc.timeoutMs), this.h2, this.tls)) : undefined;
    if (!hc && !this.healthy) {
      this.healthy = true;
      this.state.epoch++;
    }
  }

  probed(ok: boolean, flipped: boolean): void {
    if (ok) this.state.healthPasses++;
    else this.state.healthFailures++;
    if (flipped) this.state.epoch++;
  }

  close(): Promise<unknown> {
    void this.checker?.stop();
    this.checker = undefined;
    return Promise.all([this.pool.close(), this.http1?.close(), this.upgrading?.close()]);
  }
}

export class Cluster {
  readonly name: string;
  readonly endpoints: Endpoint[];
  readonly state: ClusterState;
  readonly settings: ClusterSettings;
  private readonly ring: Ring | undefined;
  /** What the picks choose from: the state epoch it was computed at, and when the next ejection ends. */
  private epoch = -1;
  private nextExpiry = Infinity;
  /** By endpoint index: 1 when available (ring_hash steps over the rest). */
  private readonly usable: Uint8Array;
  private pickFrom: Pick<Endpoint> | undefined;
  private panic = false;
  /** Only the local zone's endpoints are eligible. */
  private zoneOnly = false;
  /** The last pick went by the ring hash's key. */
  private hashed = false;
  /** How many endpoints the picks choose from (the others unhealthy, ejected or outside the local zone). */
  eligible = 0;

  /** `slot`: the cluster's row of the process's breaker table (the supervisor's BreakerSlots). */
  constructor(settings: ClusterSettings, cache: EndpointCache, slot?: number) {
    this.name = settings.name;
    this.settings = settings;
    this.state = cache.state(settings, slot);
    this.endpoints = settings.endpoints.map((origin) => cache.get(origin, settings, this.state));
    this.usable = new Uint8Array(this.endpoints.length);
    this.activate();
    if (settings.lb === 'ring_hash') this.ring = cache.ring(settings, this.endpoints);
  }

  /**
   * Makes this generation's settings the ones its endpoints and shared state run with: at build, and again at
   * commit or abort (EndpointCache.retainOnly), so a prepared swap that is aborted leaves the serving settings.
   */
  activate(): void {
    this.state.configure(this.settings, this.endpoints);
    const meta = this.settings.endpointMeta;
    this.endpoints.forEach((e, i) => e.configure(meta?.[i], this.settings));
    this.state.epoch++;
  }

  get lb(): string {
    return this.settings.lb;
  }

  /** Why the last pick's endpoint was eligible, for the request's story: core/observe/story.ts PICK_* bits. */
  get pickFlags(): number {
    return (this.hashed ? PICK_HASHED : 0) | (this.zoneOnly ? PICK_LOCAL_ZONE : 0) | (this.panic ? PICK_PANIC : 0);
  }

  /**
   * An endpoint for the next attempt, another than `avoid` (the one a retry failed on) when possible; undefined
   * when none is available. `headers` (the flat upstream list) carry ring_hash's key.
   */
  pick(avoid?: Endpoint, headers?: string[]): Endpoint | undefined {
    if (this.epoch !== this.state.epoch || (this.nextExpiry !== Infinity && this.nextExpiry <= performance.now())) this.refresh();
    const pickFrom = this.pickFrom;
    if (pickFrom === undefined) return undefined;
    if (this.panic) this.state.panicPicks++;
    this.hashed = false;
    if (this.ring !== undefined && headers !== undefined) {
      const key = hashInput(this.settings.hashOn!, headers);
      if (key !== undefined) {
        this.hashed = true;
        const i = this.ring.lookup(hashKey(key), this.usable, avoid === undefined ? -1 : this.endpoints.indexOf(avoid));
        return i < 0 ? avoid : this.endpoints[i];
      }
    }
    return pickFrom(avoid);
  }

  /**
   * A circuit breaker refuses one more attempt to `e` (counted); the caller answers 503 at once. The limits are
   * the whole process's: the counts are every worker's summed.
   */
  overflows(e: Endpoint): boolean {
    const s = this.state;
    const b = s.breakers;
    if (b === undefined) return false;
    if (b.maxRequests !== undefined && s.counts.total(ACTIVE) >= b.maxRequests) {
      s.overflows.requests++;
      return true;
    }
    // Every connection of this worker to `e` is busy: this attempt would wait for one to free up or open.
    if (b.maxPending !== undefined && e.active >= e.connections && s.counts.total(PENDING) >= b.maxPending) {
      s.overflows.pending++;
      return true;
    }
    return false;
  }

  /**
   * Recomputes the available endpoints: healthy and not ejected; of the local zone while enough of it is; all
   * of them in panic mode, when fewer than panicThreshold percent are available (Envoy's answer: spreading load
   * over every endpoint beats piling it on the last few).
   */
  private refresh(): void {
    const now = performance.now();
    const all = this.endpoints;
    const { localZone, panicThreshold } = this.settings;
    this.epoch = this.state.epoch;
    let nextExpiry = Infinity;
    const up: Endpoint[] = [];
    for (const e of all) {
      if (e.ejectedUntil > now) nextExpiry = Math.min(nextExpiry, e.ejectedUntil);
      else if (e.healthy) up.push(e);
    }
    this.nextExpiry = nextExpiry;
    let chosen = up;
    this.panic = false;
    this.zoneOnly = false;
    const local = localZone === undefined ? [] : up.filter((e) => e.zone === localZone);
    if (local.length > 0 && local.length * 100 >= panicThreshold * all.filter((e) => e.zone === localZone).length) {
      chosen = local;
      this.zoneOnly = true;
    } else if (up.length === 0 ? panicThreshold > 0 : up.length * 100 < panicThreshold * all.length) {
      chosen = all;
      this.panic = true;
    }
    const set = new Set(chosen);
    all.forEach((e, i) => (this.usable[i] = set.has(e) ? 1 : 0));
    this.eligible = chosen.length;
    this.pickFrom = chosen.length ? balancer(this.settings.lb, chosen) : undefined;
  }
}

/** ring_hash's key: the configured header's value, or the named cookie's. */
function hashInput(on: { header: string } | { cookie: string }, headers: string[]): string | undefined {
  const name = 'header' in on ? on.header : 'cookie';
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== name) continue;
    if ('header' in on) return headers[i + 1];
    const v = cookieValue(headers[i + 1], on.cookie);
    if (v !== undefined) return v;
  }
  return undefined;
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * A worker's endpoints by cluster, origin and pool settings, so a config swap keeps the warm pools, health and
 * ejections of the endpoints it keeps, and closes (gracefully: in-flight requests finish) only those it dropped.
 * Also the per-cluster state that outlives swaps, and the hash rings (built once per endpoint list).
 */
export class EndpointCache {
  private live = new Map<string, Endpoint>();
  /** The worker's workload certificate, for clusters of other sidecars. */
  private readonly workload = new WorkloadTls();
  /** By cluster name: the TLS options of its https:// endpoints, rebuilt only when its TLS settings change. */
  private egress = new Map<string, { key: string; options: ConnectionOptions }>();
  /** The process's breaker counts; without one (a lone worker, tests), every cluster counts for this worker alone. */
  private readonly breakers: BreakerTable | undefined;
  private states = new Map<string, ClusterState>();
  private rings = new Map<string, { key: string; ring: Ring }>();

  constructor(breakers?: BreakerTable) {
    this.breakers = breakers;
  }

  /** A renewed certificate or a new bundle: connections opened from now on present and trust it. */
  useIdentity(identity: Identity | undefined): void {
    this.workload.use(identity);
  }

  get(origin: string, s: ClusterSettings, state: ClusterState): Endpoint {
    const tlsKey = s.tls ? JSON.stringify(s.tls) : '';
    const key = `${s.name} ${origin} ${s.connectTimeoutMs} ${s.maxConnectionsPerEndpoint ?? ''} ${s.protocol} ${s.peerIdentities?.join(',') ?? ''} ${tlsKey}`;
    let e = this.live.get(key);
    if (!e) {
      e = new Endpoint(origin, s, state, this.workload, s.tls && this.egressOptions(s.name, tlsKey, s.tls));
      this.live.set(key, e);
    }
    return e;
  }

  /** One secure context per cluster and TLS settings, shared by its endpoints (building one parses every trusted root). */
  private egressOptions(name: string, key: string, tls: NonNullable<ClusterSettings['tls']>): ConnectionOptions {
    let cached = this.egress.get(name);
    if (cached?.key !== key) {
      cached = { key, options: egressOptions(tls) };
      this.egress.set(name, cached);
    }
    return cached.options;
  }

  /** The cluster's state, kept by name; made with the counters of breaker `slot` the first time the name is seen. */
  state(s: ClusterSettings, slot?: number): ClusterState {
    let state = this.states.get(s.name);
    if (!state) {
      state = new ClusterState(s, this.breakers?.counters(slot));
      this.states.set(s.name, state);
    }
    return state;
  }

  ring(s: ClusterSettings, endpoints: Endpoint[]): Ring {
    const weights = endpoints.map((_, i) => s.endpointMeta?.[i].weight ?? 1);
    const key = `${s.endpoints.join(' ')} ${weights.join(' ')}`;
    const cached = this.rings.get(s.name);
    if (cached?.key === key) return cached.ring;
    const ring = new Ring(s.endpoints, weights);
    this.rings.set(s.name, { key, ring });
    return ring;
  }

  /** The generation `keep` is what serves: its settings apply, and every endpoint and state no cluster in it uses is closed. */
  retainOnly(keep: Iterable<Cluster>): Promise<unknown> {
    const used = new Set<Endpoint>();
    const names = new Set<string>();
    for (const c of keep) {
      c.activate();
      names.add(c.name);
      for (const e of c.endpoints) used.add(e);
    }
    const closing: Promise<unknown>[] = [];
    for (const [key, e] of this.live) {
      if (used.has(e)) continue;
      this.live.delete(key);
      closing.push(e.close());
    }
    for (const name of this.states.keys()) if (!names.has(name)) this.states.delete(name);
    for (const name of this.rings.keys()) if (!names.has(name)) this.rings.delete(name);
    for (const name of this.egress.keys()) if (!names.has(name)) this.egress.delete(name);
    return Promise.all(closing);
  }
}

/** `slots`: each cluster's row of the process's breaker table, by name (a cluster without one counts per worker). */
export function buildClusters(settings: ClusterSettings[], endpoints: EndpointCache, slots: Record<string, number> = {}): Map<string, Cluster> {
  return new Map(settings.map((c) => [c.name, new Cluster(c, endpoints, slots[c.name])]));
}
