// Raw cluster and route documents → settings with every default filled in; no schema validator, so a worker building a sidecar's routes loads none.
import { parseDuration } from './duration.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_RETRY_BUDGET, DEFAULT_ROUTE_TIMEOUT_MS, DEFAULT_TCP_IDLE_TIMEOUT_MS } from './settings.ts';
import type { BreakerSettings, ClusterSettings, FilterOverride, LbPolicy, RouteSettings, UpstreamProtocol, UpstreamTlsSettings } from './settings.ts';
import { configText } from './filters.ts';
import type { RawUpstreamTls } from './pem-files.ts';

export type RawEndpoint = string | { url: string; weight?: number; zone?: string };
export type RawCluster = {
  name: string; endpoints: RawEndpoint[]; lb?: LbPolicy; connectTimeout?: string; maxConnectionsPerEndpoint?: number; protocol?: UpstreamProtocol; idleTimeout?: string;
  hashOn?: { header?: string; cookie?: string }; localZone?: string; panicThreshold?: number;
  healthCheck?: { path: string; interval?: string; timeout?: string; healthyThreshold?: number; unhealthyThreshold?: number };
  outlierDetection?: { consecutiveFailures?: number; baseEjectionTime?: string; maxEjectionTime?: string; maxEjectionPercent?: number };
  circuitBreakers?: BreakerSettings;
  retryBudget?: { ratio?: number; minPerSecond?: number; window?: string };
  tls?: RawUpstreamTls;
};
export type RawRoute = {
  name?: string; cluster: string; timeout?: string; filters?: Record<string, { disabled?: boolean; config?: unknown }>;
  match?: { prefix?: string; path?: string; method?: string; host?: string; headers?: Record<string, string> };
  idleTimeout?: string;
  retries?: { attempts?: number; on?: (string | number)[]; perTryTimeout?: string; nonIdempotent?: boolean; backoff?: { base?: string; max?: string } };
};

export function ms(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseDuration(text) ?? fallback);
}

const urlOf = (e: RawEndpoint): string => (typeof e === 'string' ? e : e.url).replace(/\/$/, '');
export const isHttps = (url: string): boolean => url.startsWith('https:');

/** `tls`: the cluster's TLS settings with its files read (validateConfigDocument); https:// endpoints get the defaults without. */
export function normalizeCluster(c: RawCluster, tls?: UpstreamTlsSettings): ClusterSettings {
  const out: ClusterSettings = {
    name: c.name,
    endpoints: c.endpoints.map(urlOf),
    lb: c.lb ?? 'round_robin',
    panicThreshold: c.panicThreshold ?? 50,
    connectTimeoutMs: ms(c.connectTimeout, DEFAULT_CONNECT_TIMEOUT_MS),
    maxConnectionsPerEndpoint: c.maxConnectionsPerEndpoint,
    protocol: c.protocol ?? 'http1',
    retryBudget: {
      ratio: c.retryBudget?.ratio ?? DEFAULT_RETRY_BUDGET.ratio,
      minPerSecond: c.retryBudget?.minPerSecond ?? DEFAULT_RETRY_BUDGET.minPerSecond,
      windowMs: ms(c.retryBudget?.window, DEFAULT_RETRY_BUDGET.windowMs),
    },
  };
  if (c.endpoints.some((e) => typeof e !== 'string')) {
    out.endpointMeta = c.endpoints.map((e) => (typeof e === 'string' ? { weight: 1, zone: '' } : { weight: e.weight ?? 1, zone: e.zone ?? '' }));
  }
  if (c.hashOn?.header !== undefined) out.hashOn = { header: c.hashOn.header.toLowerCase() };
  else if (c.hashOn?.cookie !== undefined) out.hashOn = { cookie: c.hashOn.cookie };
  if (c.localZone !== undefined) out.localZone = c.localZone;
  if (out.protocol === 'tcp') out.idleTimeoutMs = ms(c.idleTimeout, DEFAULT_TCP_IDLE_TIMEOUT_MS);
  if (out.endpoints.some(isHttps)) out.tls = tls ?? { insecureSkipVerify: false };
  if (c.circuitBreakers) out.circuitBreakers = { ...c.circuitBreakers };
  const h = c.healthCheck;
  if (h) {
    out.healthCheck = {
      path: h.path, intervalMs: ms(h.interval, 5_000), timeoutMs: ms(h.timeout, 1_000),
      healthyThreshold: h.healthyThreshold ?? 2, unhealthyThreshold: h.unhealthyThreshold ?? 3,
    };
  }
  const o = c.outlierDetection;
  if (o) {
    out.outlierDetection = {
      consecutiveFailures: o.consecutiveFailures ?? 5, baseEjectionMs: ms(o.baseEjectionTime, 30_000),
      maxEjectionMs: ms(o.maxEjectionTime, 300_000), maxEjectionPercent: o.maxEjectionPercent ?? 10,
    };
  }
  return out;
}

export function normalizeRoute(r: RawRoute, index: number): RouteSettings {
  const filters: Record<string, FilterOverride> = {};
  for (const [name, o] of Object.entries(r.filters ?? {})) {
    filters[name] = { disabled: o.disabled ?? false, config: o.config === undefined ? undefined : configText(o.config) };
  }
  const headers = Object.entries(r.match?.headers ?? {}).map(([k, v]): [string, string] => [k.toLowerCase(), v]);
  return {
    name: r.name ?? `route${index}`,
    match: { prefix: r.match?.prefix, path: r.match?.path, method: r.match?.method, host: r.match?.host?.toLowerCase(), headers },
    cluster: r.cluster,
    timeoutMs: ms(r.timeout, DEFAULT_ROUTE_TIMEOUT_MS),
    idleTimeoutMs: ms(r.idleTimeout, ms(r.timeout, DEFAULT_ROUTE_TIMEOUT_MS)),
    retries: {
      attempts: r.retries?.attempts ?? 0,
      on: r.retries?.on?.map(String) ?? ['connect-failure', 'reset'],
      perTryTimeoutMs: r.retries?.perTryTimeout === undefined ? undefined : parseDuration(r.retries.perTryTimeout),
      nonIdempotent: r.retries?.nonIdempotent ?? false,
      // Envoy's defaults: 25 ms, growing to ten times that.
      backoffBaseMs: ms(r.retries?.backoff?.base, 25),
      backoffMaxMs: ms(r.retries?.backoff?.max, 10 * ms(r.retries?.backoff?.base, 25)),
    },
    filters,
  };
}
