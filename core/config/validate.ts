// Validates a parsed config document: ajv against the schema, then the cross-references a schema cannot express.
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { ErrorObject } from 'ajv';
import { configSchema } from './schema.ts';
import { parseDuration } from './duration.ts';
import { parseHostPort, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_RETRY_BUDGET, DEFAULT_ROUTE_TIMEOUT_MS } from './settings.ts';
import type { BreakerSettings, ClusterSettings, TlsSettings, UpstreamProtocol, FailPolicy, FilterLimits, FilterOverride, FilterSettings, LimitSettings, ProxySettings, RouteSettings, LbPolicy } from './settings.ts';
import { configText, parseMemoryPages, resolveModule } from './filters.ts';
import { ErrorCodes, WeftError } from '../errors.ts';

// verbose keeps each error's schema, whose description makes the message human ("must be a duration such as 5s").
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
const validateSchema = ajv.compile(configSchema);

/** The parts of the settings a config document may give; everything else comes from defaults, env or flags. */
export type FileSettings = Partial<Omit<ProxySettings, 'limits' | 'filterLimits'>> & {
  limits?: Partial<LimitSettings>;
  filterLimits?: Partial<FilterLimits>;
};

/** "/routes/1/cluster" → "routes[1].cluster", the form users read in their editor. */
export function toDottedPath(pointer: string, child?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let out = '';
  for (const p of parts) out += /^[0-9]+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

/** The wording every Weft schema shares for its commonest problems; undefined for the rest, which each validator words. */
export function describeSchemaError(e: ErrorObject): string | undefined {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return `${toDottedPath(e.instancePath, String(p.missingProperty))}: is required`;
    case 'additionalProperties': return `${toDottedPath(e.instancePath, String(p.additionalProperty))}: unknown field`;
    case 'enum': return `${toDottedPath(e.instancePath)}: must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    default: return undefined;
  }
}

function describe(e: ErrorObject): string {
  const common = describeSchemaError(e);
  if (common !== undefined) return common;
  if (e.keyword === 'pattern') return `${toDottedPath(e.instancePath)}: ${configHint(e)}`;
  return `${toDottedPath(e.instancePath)}: ${e.message ?? 'is invalid'}`;
}

function configHint(e: ErrorObject): string {
  const sch = e.parentSchema as { description?: string } | undefined;
  return sch?.description ? `must be ${sch.description}` : `${e.message ?? 'is invalid'}`;
}

function invalid(source: string, problems: string[]): WeftError {
  return new WeftError(ErrorCodes.CONFIG_INVALID, `invalid config ${source}:\n  ${problems.join('\n  ')}`, 2);
}

type RawEndpoint = string | { url: string; weight?: number; zone?: string };
type RawCluster = {
  name: string; endpoints: RawEndpoint[]; lb?: LbPolicy; connectTimeout?: string; maxConnectionsPerEndpoint?: number; protocol?: UpstreamProtocol;
  hashOn?: { header?: string; cookie?: string }; localZone?: string; panicThreshold?: number;
  healthCheck?: { path: string; interval?: string; timeout?: string; healthyThreshold?: number; unhealthyThreshold?: number };
  outlierDetection?: { consecutiveFailures?: number; baseEjectionTime?: string; maxEjectionTime?: string; maxEjectionPercent?: number };
  circuitBreakers?: BreakerSettings;
  retryBudget?: { ratio?: number; minPerSecond?: number; window?: string };
};
type RawFilter = { name: string; module?: string; root?: string; vmId?: string; config?: unknown; fail?: FailPolicy };
type RawRoute = {
  name?: string; cluster: string; timeout?: string; filters?: Record<string, { disabled?: boolean; config?: unknown }>;
  match?: { prefix?: string; path?: string; method?: string; host?: string; headers?: Record<string, string> };
  idleTimeout?: string;
  retries?: { attempts?: number; on?: (string | number)[]; perTryTimeout?: string; nonIdempotent?: boolean; backoff?: { base?: string; max?: string } };
};

function ms(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseDuration(text) ?? fallback);
}

const urlOf = (e: RawEndpoint): string => (typeof e === 'string' ? e : e.url).replace(/\/$/, '');

export function normalizeCluster(c: RawCluster): ClusterSettings {
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

/** What the schema cannot say about a cluster: settings that only make sense together. */
function clusterProblems(c: RawCluster, i: number): string[] {
  const problems: string[] = [];
  const at = `clusters[${i}]`;
  const hashed = c.hashOn?.header !== undefined || c.hashOn?.cookie !== undefined;
  if (c.lb === 'ring_hash' && !hashed) problems.push(`${at}.hashOn: ring_hash needs a header or a cookie to hash`);
  if (c.hashOn && c.lb !== 'ring_hash') problems.push(`${at}.hashOn: only used with lb: ring_hash`);
  if (c.hashOn?.header !== undefined && c.hashOn.cookie !== undefined) problems.push(`${at}.hashOn: give header or cookie, not both`);
  const o = c.outlierDetection;
  if (o && ms(o.maxEjectionTime, 300_000) < ms(o.baseEjectionTime, 30_000)) problems.push(`${at}.outlierDetection.maxEjectionTime: must not be shorter than baseEjectionTime`);
  const seen = new Set<string>();
  c.endpoints.forEach((e, j) => {
    const url = urlOf(e);
    if (seen.has(url)) problems.push(`${at}.endpoints[${j}]: duplicate endpoint ${url}`);
    seen.add(url);
  });
  return problems;
}

export function normalizeFilter(f: RawFilter, baseDir: string): FilterSettings {
  return {
    name: f.name,
    module: resolveModule(f.module ?? f.name, baseDir),
    rootId: f.root ?? f.name,
    vmId: f.vmId ?? f.name,
    config: configText(f.config),
    fail: f.fail ?? 'closed',
  };
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

/** The listener's certificate and key, read once here so a missing file or a key that does not match is named at load. */
function listenerTls(t: { cert: string; key: string }, baseDir: string, problems: string[]): TlsSettings | undefined {
  const paths = { cert: resolve(baseDir, t.cert), key: resolve(baseDir, t.key) };
  const pem: Partial<Record<'cert' | 'key', Buffer>> = {};
  for (const k of ['cert', 'key'] as const) {
    try {
      pem[k] = readFileSync(paths[k]);
    } catch (err) {
      problems.push(`tls.${k}: cannot read ${paths[k]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (!pem.cert || !pem.key) return undefined;
  try {
    createSecureContext({ cert: pem.cert, key: pem.key });
  } catch (err) {
    problems.push(`tls: the certificate and key cannot serve together: ${(err as Error).message}`);
    return undefined;
  }
  return paths;
}

/** Checks a parsed document and turns it into settings; throws a WeftError naming every bad path. */
export function validateConfigDocument(doc: unknown, source: string, baseDir = process.cwd()): FileSettings {
  // An if/then/else (an endpoint's string or object form) adds "must match then/else" after the real error: drop it.
  if (!validateSchema(doc)) throw invalid(source, (validateSchema.errors ?? []).filter((e) => e.keyword !== 'if').map(describe));
  const d = doc as {
    listen?: string; admin?: string; workers?: number; logLevel?: string; accessLog?: string; drainTimeout?: string;
    tls?: { cert: string; key: string };
    limits?: { maxHeaderSize?: number; maxHeaderCount?: number; maxRequestsPerConnection?: number; headersTimeout?: string; requestTimeout?: string; keepAliveTimeout?: string };
    clusters?: RawCluster[]; routes?: RawRoute[]; filters?: RawFilter[];
    filterLimits?: { fuel?: number; memory?: string };
  };
  const problems: string[] = [];
  const names = new Set<string>();
  d.clusters?.forEach((c, i) => {
    if (names.has(c.name)) problems.push(`clusters[${i}].name: duplicate cluster "${c.name}"`);
    names.add(c.name);
    problems.push(...clusterProblems(c, i));
  });
  const filterNames = new Set<string>();
  d.filters?.forEach((f, i) => {
    if (filterNames.has(f.name)) problems.push(`filters[${i}].name: duplicate filter "${f.name}"`);
    filterNames.add(f.name);
  });
  d.routes?.forEach((r, i) => {
    for (const name of Object.keys(r.filters ?? {})) {
      if (!filterNames.has(name)) problems.push(`routes[${i}].filters.${name}: no filter named "${name}" in filters`);
    }
    if (!names.has(r.cluster)) problems.push(`routes[${i}].cluster: unknown cluster "${r.cluster}"`);
    if (r.match?.prefix !== undefined && r.match?.path !== undefined) problems.push(`routes[${i}].match: give prefix or path, not both`);
    const b = r.retries?.backoff;
    if (b?.base !== undefined && b.max !== undefined && ms(b.max, 0) < ms(b.base, 0)) problems.push(`routes[${i}].retries.backoff.max: must not be shorter than base`);
  });
  if (d.routes && !d.clusters) problems.push('clusters: is required when routes are given');
  for (const key of ['listen', 'admin'] as const) {
    const v = d[key];
    if (v !== undefined && !(key === 'admin' && v === 'off') && !parseHostPort(v)) problems.push(`${key}: must be HOST:PORT with a port up to 65535`);
  }
  const tls = d.tls && listenerTls(d.tls, baseDir, problems);
  if (problems.length) throw invalid(source, problems);

  const out: FileSettings = {};
  if (d.listen) out.listen = parseHostPort(d.listen);
  if (d.admin) out.admin = d.admin === 'off' ? null : parseHostPort(d.admin);
  if (d.workers !== undefined) out.workers = d.workers;
  if (d.logLevel) out.logLevel = d.logLevel;
  if (d.accessLog) out.accessLog = d.accessLog;
  if (d.drainTimeout) out.drainTimeoutMs = parseDuration(d.drainTimeout);
  if (tls) out.tls = tls;
  if (d.limits) {
    const l = d.limits;
    out.limits = {};
    if (l.maxHeaderSize !== undefined) out.limits.maxHeaderSize = l.maxHeaderSize;
    if (l.maxHeaderCount !== undefined) out.limits.maxHeaderCount = l.maxHeaderCount;
    if (l.maxRequestsPerConnection !== undefined) out.limits.maxRequestsPerConnection = l.maxRequestsPerConnection;
    if (l.headersTimeout) out.limits.headersTimeoutMs = parseDuration(l.headersTimeout);
    if (l.requestTimeout) out.limits.requestTimeoutMs = parseDuration(l.requestTimeout);
    if (l.keepAliveTimeout) out.limits.keepAliveTimeoutMs = parseDuration(l.keepAliveTimeout);
  }
  if (d.filterLimits) {
    out.filterLimits = {};
    if (d.filterLimits.fuel !== undefined) out.filterLimits.fuel = d.filterLimits.fuel;
    if (d.filterLimits.memory !== undefined) out.filterLimits.memoryPages = parseMemoryPages(d.filterLimits.memory);
  }
  if (d.filters) out.filters = d.filters.map((f) => normalizeFilter(f, baseDir));
  if (d.clusters) out.clusters = d.clusters.map(normalizeCluster);
  if (d.routes) out.routes = d.routes.map(normalizeRoute);
  return out;
}
