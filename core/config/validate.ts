// Validates a parsed config document: the schema's precompiled validator, then the cross-references a schema cannot express.
import { isIP } from 'node:net';
import { configSchema } from './schema.ts';
import { validateConfigSchema } from './schema-validator.generated.js';
import { describeSchemaErrors, isObject } from './schema-errors.ts';
import { parseDuration } from './duration.ts';
import { parseHostPort } from './settings.ts';
import type { UpstreamTlsSettings, FailPolicy, FilterLimits, FilterSettings, LimitSettings, ProxySettings } from './settings.ts';
import { configText, parseMemoryPages, resolveModule } from './filters.ts';
import { listenerTls, upstreamTls } from './pem-files.ts';
import type { RawUpstreamTls } from './pem-files.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { closestName } from '../closest.ts';
import { isHttps, ms, normalizeCluster, normalizeRoute } from './normalize.ts';
import type { RawCluster, RawRoute } from './normalize.ts';

/** The parts of the settings a config document may give; everything else comes from defaults, env or flags. */
export type FileSettings = Partial<Omit<ProxySettings, 'limits' | 'filterLimits'>> & {
  limits?: Partial<LimitSettings>;
  filterLimits?: Partial<FilterLimits>;
};

/** Every problem in one line, so a CLI failure, a NACK in `weft status` and a log line each show them all. */
function invalid(source: string, problems: string[]): WeftError {
  return new WeftError(ErrorCodes.CONFIG_INVALID, `invalid config ${source}: ${problems.join('; ')}`, 2);
}

type RawFilter = { name: string; module?: string; root?: string; vmId?: string; config?: unknown; fail?: FailPolicy };

type Loose = Record<string, unknown>;
const isString = (v: unknown): v is string => typeof v === 'string';
/** The entries of a list that are objects, with their index. */
const objectsIn = (list: unknown): [Loose, number][] => (Array.isArray(list) ? list.map((x, i): [unknown, number] => [x, i]).filter((e): e is [Loose, number] => isObject(e[0])) : []);
const durationMs = (v: unknown, fallback: number): number => (isString(v) ? ms(v, fallback) : fallback);

/** What the schema cannot say about a cluster: settings that only make sense together. */
function clusterProblems(c: Loose, i: number): string[] {
  const problems: string[] = [];
  const at = `clusters[${i}]`;
  const hashOn = isObject(c.hashOn) ? c.hashOn : undefined;
  const hashed = hashOn?.header !== undefined || hashOn?.cookie !== undefined;
  if (c.lb === 'ring_hash' && !hashed) problems.push(`${at}.hashOn: ring_hash needs a header or a cookie to hash`);
  if (hashOn && c.lb !== 'ring_hash') problems.push(`${at}.hashOn: only used with lb: ring_hash`);
  if (hashOn?.header !== undefined && hashOn.cookie !== undefined) problems.push(`${at}.hashOn: give header or cookie, not both`);
  const o = isObject(c.outlierDetection) ? c.outlierDetection : undefined;
  if (o && durationMs(o.maxEjectionTime, 300_000) < durationMs(o.baseEjectionTime, 30_000)) problems.push(`${at}.outlierDetection.maxEjectionTime: must not be shorter than baseEjectionTime`);
  const seen = new Set<string>();
  let schemes = 0;
  (Array.isArray(c.endpoints) ? c.endpoints : []).forEach((e: unknown, j) => {
    const raw = isString(e) ? e : isObject(e) && isString(e.url) ? e.url : undefined;
    if (raw === undefined) return;
    const url = raw.replace(/\/$/, '');
    if (seen.has(url)) problems.push(`${at}.endpoints[${j}]: duplicate endpoint ${url}`);
    seen.add(url);
    // One TLS setting per cluster: every endpoint is dialled the same way.
    schemes |= isHttps(url) ? 2 : url.startsWith('http:') ? 1 : 0;
    if (schemes === 3) problems.push(`${at}.endpoints[${j}]: http:// and https:// endpoints cannot share a cluster (give each scheme its own)`);
  });
  const tls = isObject(c.tls) ? c.tls : undefined;
  if (tls && schemes === 1) problems.push(`${at}.tls: the endpoints are http://; TLS settings are for https:// endpoints`);
  if (isString(tls?.sni) && isIP(tls.sni)) problems.push(`${at}.tls.sni: must be a host name, not an IP address (SNI carries names only)`);
  if (c.idleTimeout !== undefined && c.protocol !== 'tcp') problems.push(`${at}.idleTimeout: only for protocol: tcp (an HTTP route has its own idleTimeout)`);
  if (tls?.insecureSkipVerify === true && tls.caFile !== undefined) problems.push(`${at}.tls.insecureSkipVerify: verifies nothing, so caFile would go unused; give one of them`);
  return problems;
}

/** Names that must agree across the document (routes → clusters and filters), and settings that only make sense together (looked for even when the schema failed). */
function crossReferenceProblems(d: Loose): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const tcp = new Set<string>();
  for (const [c, i] of objectsIn(d.clusters)) {
    if (isString(c.name) && names.has(c.name)) problems.push(`clusters[${i}].name: duplicate cluster "${c.name}"`);
    if (isString(c.name)) names.add(c.name);
    if (isString(c.name) && c.protocol === 'tcp') tcp.add(c.name);
    problems.push(...clusterProblems(c, i));
  }
  const filterNames = new Set<string>();
  for (const [f, i] of objectsIn(d.filters)) {
    if (isString(f.name) && filterNames.has(f.name)) problems.push(`filters[${i}].name: duplicate filter "${f.name}"`);
    if (isString(f.name)) filterNames.add(f.name);
  }
  for (const [r, i] of objectsIn(d.routes)) {
    for (const name of Object.keys(isObject(r.filters) ? r.filters : {})) {
      if (!filterNames.has(name)) problems.push(`routes[${i}].filters.${name}: no filter named "${name}" in filters`);
    }
    if (isString(r.cluster) && !names.has(r.cluster)) {
      const guess = closestName(r.cluster, names);
      problems.push(`routes[${i}].cluster: unknown cluster "${r.cluster}"${guess ? `; did you mean "${guess}"?` : ''}`);
    }
    if (isString(r.cluster) && tcp.has(r.cluster)) {
      problems.push(`routes[${i}].cluster: cluster "${r.cluster}" is protocol: tcp (opaque bytes, reached through a sidecar's --bind port); an HTTP route cannot send requests to it`);
    }
    const match = isObject(r.match) ? r.match : {};
    if (match.prefix !== undefined && match.path !== undefined) problems.push(`routes[${i}].match: give prefix or path, not both`);
    const b = isObject(r.retries) && isObject(r.retries.backoff) ? r.retries.backoff : {};
    if (isString(b.base) && isString(b.max) && ms(b.max, 0) < ms(b.base, 0)) problems.push(`routes[${i}].retries.backoff.max: must not be shorter than base`);
  }
  if (d.routes !== undefined && d.clusters === undefined) problems.push('clusters: is required when routes are given');
  // What the schema's HOST:PORT pattern cannot say (the port's range); a value that fails the pattern has its schema error.
  for (const key of ['listen', 'admin'] as const) {
    const v = d[key];
    if (isString(v) && v !== 'off' && new RegExp(configSchema.properties[key].pattern).test(v) && !parseHostPort(v)) {
      problems.push(`${key}: must be HOST:PORT with a port up to 65535 (got "${v}")`);
    }
  }
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

/** Each cluster's TLS settings with its files read (by index; undefined without a `tls` block), the problems into `problems`. */
function clustersTls(d: Loose, baseDir: string, files: 'read' | 'elsewhere', problems: string[]): (UpstreamTlsSettings | undefined)[] {
  const out: (UpstreamTlsSettings | undefined)[] = [];
  for (const [c, i] of objectsIn(d.clusters)) {
    const t = isObject(c.tls) ? c.tls : undefined;
    // A block the schema refused has its schema errors; reading its files would only add noise.
    if (!t || !Object.values(t).every((v) => isString(v) || typeof v === 'boolean')) continue;
    out[i] = upstreamTls(t as RawUpstreamTls, `clusters[${i}].tls`, files === 'read' ? { read: true, baseDir } : { read: false }, problems);
  }
  return out;
}

/**
 * Checks a parsed document and turns it into settings; throws a WeftError naming every bad path at once: the
 * schema's errors, the cross-references and `known`, what the caller found already (the plane's own checks).
 * `files`: `read` the PEM files clusters name (relative to `baseDir`), or they are on other hosts (`elsewhere`:
 * the plane checking a mesh document, where they must be absolute paths each proxy reads).
 */
export function validateConfigDocument(doc: unknown, source: string, baseDir = process.cwd(), known: string[] = [], files: 'read' | 'elsewhere' = 'read'): FileSettings {
  const problems = [...known];
  if (!validateConfigSchema(doc)) problems.push(...describeSchemaErrors(validateConfigSchema.errors ?? [], 'weft'));
  if (!isObject(doc)) throw invalid(source, problems);
  problems.push(...crossReferenceProblems(doc));
  const tlsDoc = isObject(doc.tls) && isString(doc.tls.cert) && isString(doc.tls.key) ? { cert: doc.tls.cert, key: doc.tls.key } : undefined;
  const tls = tlsDoc && listenerTls(tlsDoc, baseDir, problems);
  const clusterTls = clustersTls(doc, baseDir, files, problems);
  if (problems.length) throw invalid(source, problems);
  const d = doc as {
    listen?: string; admin?: string; workers?: number; logLevel?: string; accessLog?: string; drainTimeout?: string;
    limits?: { maxHeaderSize?: number; maxHeaderCount?: number; maxRequestsPerConnection?: number; headersTimeout?: string; requestTimeout?: string; keepAliveTimeout?: string };
    clusters?: RawCluster[]; routes?: RawRoute[]; filters?: RawFilter[];
    filterLimits?: { fuel?: number; memory?: string };
  };

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
  if (d.clusters) out.clusters = d.clusters.map((c, i) => normalizeCluster(c, clusterTls[i]));
  if (d.routes) out.routes = d.routes.map(normalizeRoute);
  return out;
}
