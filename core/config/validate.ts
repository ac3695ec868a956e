// Validates a parsed config document: ajv against the schema, then the cross-references a schema cannot express.
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { configSchema } from './schema.ts';
import { parseDuration } from './duration.ts';
import { parseHostPort, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_ROUTE_TIMEOUT_MS } from './settings.ts';
import type { ClusterSettings, FailPolicy, FilterLimits, FilterOverride, FilterSettings, LimitSettings, ProxySettings, RouteSettings, LbPolicy } from './settings.ts';
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

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return `${toDottedPath(e.instancePath, String(p.missingProperty))}: is required`;
    case 'additionalProperties': return `${toDottedPath(e.instancePath, String(p.additionalProperty))}: unknown field`;
    case 'enum': return `${toDottedPath(e.instancePath)}: must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'pattern': return `${toDottedPath(e.instancePath)}: ${configHint(e)}`;
    default: return `${toDottedPath(e.instancePath)}: ${e.message ?? 'is invalid'}`;
  }
}

function configHint(e: ErrorObject): string {
  const sch = e.parentSchema as { description?: string } | undefined;
  return sch?.description ? `must be ${sch.description}` : `${e.message ?? 'is invalid'}`;
}

function invalid(source: string, problems: string[]): WeftError {
  return new WeftError(ErrorCodes.CONFIG_INVALID, `invalid config ${source}:\n  ${problems.join('\n  ')}`, 2);
}

type RawCluster = { name: string; endpoints: string[]; lb?: LbPolicy; connectTimeout?: string; maxConnectionsPerEndpoint?: number };
type RawFilter = { name: string; module?: string; root?: string; vmId?: string; config?: unknown; fail?: FailPolicy };
type RawRoute = {
  name?: string; cluster: string; timeout?: string; filters?: Record<string, { disabled?: boolean; config?: unknown }>;
  match?: { prefix?: string; path?: string; method?: string; headers?: Record<string, string> };
  retries?: { attempts?: number; on?: (string | number)[]; perTryTimeout?: string; nonIdempotent?: boolean };
};

function ms(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseDuration(text) ?? fallback);
}

export function normalizeCluster(c: RawCluster): ClusterSettings {
  return {
    name: c.name,
    endpoints: c.endpoints.map((e) => e.replace(/\/$/, '')),
    lb: c.lb ?? 'round_robin',
    connectTimeoutMs: ms(c.connectTimeout, DEFAULT_CONNECT_TIMEOUT_MS),
    maxConnectionsPerEndpoint: c.maxConnectionsPerEndpoint,
  };
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
    match: { prefix: r.match?.prefix, path: r.match?.path, method: r.match?.method, headers },
    cluster: r.cluster,
    timeoutMs: ms(r.timeout, DEFAULT_ROUTE_TIMEOUT_MS),
    retries: {
      attempts: r.retries?.attempts ?? 0,
      on: r.retries?.on?.map(String) ?? ['connect-failure', 'reset'],
      perTryTimeoutMs: r.retries?.perTryTimeout === undefined ? undefined : parseDuration(r.retries.perTryTimeout),
      nonIdempotent: r.retries?.nonIdempotent ?? false,
    },
    filters,
  };
}

/** Checks a parsed document and turns it into settings; throws a WeftError naming every bad path. */
export function validateConfigDocument(doc: unknown, source: string, baseDir = process.cwd()): FileSettings {
  if (!validateSchema(doc)) throw invalid(source, (validateSchema.errors ?? []).map(describe));
  const d = doc as {
    listen?: string; admin?: string; workers?: number; logLevel?: string; accessLog?: string; drainTimeout?: string;
    limits?: { maxHeaderSize?: number; headersTimeout?: string; requestTimeout?: string; keepAliveTimeout?: string };
    clusters?: RawCluster[]; routes?: RawRoute[]; filters?: RawFilter[];
    filterLimits?: { fuel?: number; memory?: string };
  };
  const problems: string[] = [];
  const names = new Set<string>();
  d.clusters?.forEach((c, i) => {
    if (names.has(c.name)) problems.push(`clusters[${i}].name: duplicate cluster "${c.name}"`);
    names.add(c.name);
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
  });
  if (d.routes && !d.clusters) problems.push('clusters: is required when routes are given');
  for (const key of ['listen', 'admin'] as const) {
    const v = d[key];
    if (v !== undefined && !(key === 'admin' && v === 'off') && !parseHostPort(v)) problems.push(`${key}: must be HOST:PORT with a port up to 65535`);
  }
  if (problems.length) throw invalid(source, problems);

  const out: FileSettings = {};
  if (d.listen) out.listen = parseHostPort(d.listen);
  if (d.admin) out.admin = d.admin === 'off' ? null : parseHostPort(d.admin);
  if (d.workers !== undefined) out.workers = d.workers;
  if (d.logLevel) out.logLevel = d.logLevel;
  if (d.accessLog) out.accessLog = d.accessLog;
  if (d.drainTimeout) out.drainTimeoutMs = parseDuration(d.drainTimeout);
  if (d.limits) {
    const l = d.limits;
    out.limits = {};
    if (l.maxHeaderSize !== undefined) out.limits.maxHeaderSize = l.maxHeaderSize;
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
