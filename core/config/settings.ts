// The proxy's effective settings: the normalized shape that workers run with, built from defaults, a file, env and flags.
import os from 'node:os';
import type { AuthorizationPolicy } from '../authz/policy.ts';

export type LbPolicy = 'round_robin' | 'least_request' | 'random' | 'peak_ewma' | 'ring_hash';

export interface HostPort { host: string; port: number }

/** `tcp`: the endpoints carry opaque bytes (a service's sidecars, reached by HTTP/2 CONNECT over mTLS); never an HTTP route's. */
export type UpstreamProtocol = 'http1' | 'http2' | 'tcp';

/** The listener's certificate: with one, the port speaks TLS and ALPN chooses h2 or http/1.1. Absolute PEM file paths. */
export interface TlsSettings { cert: string; key: string }

/**
 * How a cluster's https:// endpoints are dialled (traffic leaving the mesh, or any TLS upstream). The PEM texts
 * were read from the config's files at load, so a worker never reads a file and a reload re-reads them.
 */
export interface UpstreamTlsSettings {
  /** The server name sent (SNI) and verified; absent: each endpoint's host name (none for an IP address). */
  sni?: string;
  /** The CAs that vouch for the endpoints; absent: the system trust store and Node's bundled roots. */
  ca?: string;
  /** A client certificate (chain) and its key, presented when the server asks. */
  cert?: string;
  key?: string;
  /** The server's certificate is not verified at all (written only on purpose; logged at warn). */
  insecureSkipVerify: boolean;
}

export interface ClusterSettings {
  name: string;
  /** Origins such as http://127.0.0.1:3000 or https://api.example.com (no trailing slash). */
  endpoints: string[];
  /** Weight and zone of each endpoint, by index; only when some endpoint was given in the object form. */
  endpointMeta?: EndpointMeta[];
  lb: LbPolicy;
  /** ring_hash: the request header or cookie whose value picks the endpoint. */
  hashOn?: { header: string } | { cookie: string };
  /** Endpoints in this zone are preferred while any of them is available. */
  localZone?: string;
  /** Below this percentage of available endpoints the cluster balances over all of them (panic mode). */
  panicThreshold: number;
  connectTimeoutMs: number;
  /** Per worker and endpoint; undefined means no limit. */
  maxConnectionsPerEndpoint?: number;
  /** What the endpoints speak: HTTP/1.1, or HTTP/2 (h2c with prior knowledge on http:// endpoints, ALPN h2 on https://). */
  protocol: UpstreamProtocol;
  /** Present exactly when the endpoints are https:// (a cluster's endpoints share one scheme). */
  tls?: UpstreamTlsSettings;
  /** `protocol: tcp` only: a connection that carries no byte either way for this long is closed. */
  idleTimeoutMs?: number;
  healthCheck?: HealthCheckSettings;
  outlierDetection?: OutlierSettings;
  circuitBreakers?: BreakerSettings;
  retryBudget: RetryBudgetSettings;
  /**
   * Sidecars' clusters only: the endpoints are other sidecars, dialled over mTLS with this proxy's workload
   * certificate, and their certificate must carry one of these SPIFFE IDs.
   */
  peerIdentities?: string[];
  /** A plane cluster whose endpoints are a registry service's: a sidecar dials them over mTLS (peerIdentities from the registry). */
  service?: string;
}

export interface EndpointMeta { weight: number; zone: string }

export interface HealthCheckSettings {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface OutlierSettings {
  consecutiveFailures: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  maxEjectionPercent: number;
}

/** Limits for the whole process (every worker's counts summed, as Envoy's per-cluster breakers); an absent one is unlimited. */
export interface BreakerSettings {
  maxConnections?: number;
  maxPending?: number;
  maxRequests?: number;
  maxRetries?: number;
}

export interface RetryBudgetSettings {
  /** Retries allowed per request sent, over the window. */
  ratio: number;
  minPerSecond: number;
  windowMs: number;
}

export interface RetrySettings {
  attempts: number;
  /** Conditions from the config's `retries.on`. */
  on: string[];
  perTryTimeoutMs?: number;
  nonIdempotent: boolean;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export type FailPolicy = 'closed' | 'open' | 'reload';

export interface FilterSettings {
  name: string;
  /** Absolute path of the .wasm file. */
  module: string;
  rootId: string;
  vmId: string;
  /** The configuration bytes the filter's on_configure reads, as text. */
  config: string;
  fail: FailPolicy;
  /** The version name a control plane gave this module (rollouts count requests per version). */
  version?: string;
  /** During a rollout: a second version serving `percent` of requests beside this one. */
  canary?: { version: string; sha256: string; module: string; percent: number };
}

/** A route's change to one filter of the chain. */
export interface FilterOverride {
  disabled: boolean;
  config?: string;
}

export interface FilterLimits {
  /** Fuel each callback may spend before it traps. */
  fuel: number;
  /** Memory cap per instance, in 64 KiB pages. */
  memoryPages: number;
}

export interface RouteSettings {
  name: string;
  /** `grpc`: the request's content-type is gRPC's; set by a sidecar's own routes only (`--app-protocol auto`). */
  match: { prefix?: string; path?: string; method?: string; host?: string; headers: [string, string][]; grpc?: boolean };
  cluster: string;
  timeoutMs: number;
  /** A response body that stalls this long is cut. */
  idleTimeoutMs: number;
  retries: RetrySettings;
  /** Overrides by filter name; empty when the route runs the chain as configured. */
  filters: Record<string, FilterOverride>;
}

export interface LimitSettings {
  maxHeaderSize: number;
  /** Header fields per request (pseudo-headers aside); more gets a 431 (Envoy's max_headers_count). */
  maxHeaderCount: number;
  /** Requests one downstream connection may carry before it is closed (0: no limit). */
  maxRequestsPerConnection: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * How a sidecar speaks to its app: HTTP/1.1, HTTP/2 with prior knowledge (h2c: gRPC servers), `auto`, h2c for
 * gRPC calls (content-type application/grpc…) and HTTP/1.1 for the rest, or `tcp`: opaque bytes, which callers'
 * bound ports tunnel to it (core/tcp).
 */
export type AppProtocol = 'http1' | 'http2' | 'auto' | 'tcp';
export const APP_PROTOCOLS: readonly AppProtocol[] = ['http1', 'http2', 'auto', 'tcp'];

/** Which side of a sidecar runs the filter chain. */
export type ChainSide = 'inbound' | 'outbound' | 'both';

/**
 * A sidecar (`weft proxy --service … --app …`): `listen` is its inbound side (mTLS from other sidecars, to the app);
 * the app calls other services through `outbound` (by Host) or a bound port per service.
 */
export interface SidecarSettings {
  service: string;
  /** The local app, http://HOST:PORT. */
  app: string;
  /** `--app-protocol`; undefined without the flag: the registry's word for the service, else `auto`. */
  appProtocol?: AppProtocol;
  outbound?: HostPort;
  binds: { service: string; listen: HostPort }[];
  /** Inbound also accepts plain text (migration): such callers have no identity. */
  permissive: boolean;
  chain: ChainSide;
  /** The mesh's services from the plane's registry; undefined until the first snapshot (nothing is routed before). */
  services?: { name: string; endpoints: string[]; identities: string[]; protocol?: AppProtocol }[];
  /** This service's authorization policy from the plane, enforced on the inbound side. */
  policy?: AuthorizationPolicy;
}

export interface ProxySettings {
  listen: HostPort;
  admin: HostPort | null;
  workers: number;
  logLevel: string;
  /** off | stdout | a file path */
  accessLog: string;
  /** Each worker keeps its recent request stories for `weft explain` (false: `--no-request-stories`). */
  requestStories?: boolean;
  /** Each request is counted for /metrics' request series and the plane's summaries (false: `--no-traffic-counts`). */
  trafficCounts?: boolean;
  drainTimeoutMs: number;
  limits: LimitSettings;
  tls?: TlsSettings;
  sidecar?: SidecarSettings;
  clusters: ClusterSettings[];
  routes: RouteSettings[];
  filters: FilterSettings[];
  filterLimits: FilterLimits;
}

export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;
/** A TCP connection with no byte either way for this long is closed (Istio's default for TCP is the same hour). */
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 3_600_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Linkerd's default: retries may add 20% to the requests, plus 10 a second so a quiet client can still retry. */
export const DEFAULT_RETRY_BUDGET: RetryBudgetSettings = { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 };

/** 10^7 fuel is ~10 ms of a tight loop: far beyond any header callback, short enough to fail a runaway fast. */
export const DEFAULT_FILTER_FUEL = 10_000_000;
/** 64 MiB per filter instance. */
export const DEFAULT_FILTER_MEMORY_PAGES = 1024;

export function defaultSettings(): Omit<ProxySettings, 'listen' | 'clusters' | 'routes' | 'filters'> {
  return {
    filterLimits: { fuel: DEFAULT_FILTER_FUEL, memoryPages: DEFAULT_FILTER_MEMORY_PAGES },
    admin: { host: '127.0.0.1', port: 9901 },
    workers: os.availableParallelism(),
    logLevel: 'info',
    accessLog: 'off',
    drainTimeoutMs: 15_000,
    limits: { maxHeaderSize: 16 * 1024, maxHeaderCount: 100, maxRequestsPerConnection: 0, headersTimeoutMs: 10_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 60_000 },
  };
}

/** Parses HOST:PORT (IPv6 in brackets); undefined when malformed. */
export function parseHostPort(text: string): HostPort | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):([0-9]{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
