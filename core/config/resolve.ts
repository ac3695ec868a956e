// Builds the effective proxy settings: defaults, then the config file, then env twins and flags on top.
import type { FileSettings } from './validate.ts';
import { normalizeCluster, normalizeRoute } from './normalize.ts';
import { defaultSettings, parseHostPort } from './settings.ts';
import type { ProxySettings } from './settings.ts';
import { parseDuration } from './duration.ts';
import { checkModulesExist, parseFilterFlag, parseMemoryPages } from './filters.ts';
import { ErrorCodes, WeftError } from '../errors.ts';

/** Flag values after env twins are applied; undefined means "not given". */
export interface ProxyOverrides {
  listen?: string;
  upstream?: string[];
  config?: string;
  workers?: string;
  admin?: string;
  logLevel?: string;
  accessLog?: string;
  drainTimeout?: string;
  filter?: string[];
  filterFuel?: string;
  filterMemory?: string;
  /** `--no-request-stories`, `--no-traffic-counts`: what each request records for the plane, switched off. */
  noRequestStories?: boolean;
  noTrafficCounts?: boolean;
  /** Routes and clusters come from a control plane: none are needed locally. */
  fromPlane?: boolean;
  /** A sidecar (--service): one worker unless told otherwise, since one runs beside every instance of every service. */
  sidecar?: boolean;
}

function usage(message: string): WeftError {
  return new WeftError(ErrorCodes.USAGE, message, 2);
}

/** `--upstream URL…` alone: one cluster, one catch-all route; the URLs were checked, so no schema is loaded. */
function upstreamSettings(urls: string[]): Pick<ProxySettings, 'clusters' | 'routes'> {
  return { clusters: [normalizeCluster({ name: 'upstream', endpoints: urls })], routes: [normalizeRoute({ name: 'default', cluster: 'upstream' }, 0)] };
}

/**
 * `loadFile` reads and validates `--config` (config-file.ts): the caller imports it only when there is a file,
 * so a proxy configured by flags alone never loads the YAML parser or the schema validator (~12 MiB per isolate).
 */
export function resolveProxySettings(o: ProxyOverrides, loadFile?: (path: string) => FileSettings): ProxySettings {
  if (o.config && !loadFile) throw new Error('resolveProxySettings: a config file needs its loader');
  const file: FileSettings = o.config ? loadFile!(o.config) : {};
  const base = defaultSettings();
  const s: ProxySettings = {
    ...base,
    ...file,
    listen: file.listen ?? { host: '', port: -1 },
    clusters: file.clusters ?? [],
    routes: file.routes ?? [],
    filters: file.filters ?? [],
    limits: { ...base.limits, ...file.limits },
    filterLimits: { ...base.filterLimits, ...file.filterLimits },
  };
  if (o.listen !== undefined) {
    const hp = parseHostPort(o.listen);
    if (!hp) throw usage(`--listen: expected HOST:PORT, got "${o.listen}"`);
    s.listen = hp;
  }
  if (s.listen.port < 0) throw usage('--listen HOST:PORT is required (or `listen:` in the config file)');
  if (o.admin !== undefined) {
    const hp = o.admin === 'off' ? null : parseHostPort(o.admin);
    if (hp === undefined) throw usage(`--admin: expected HOST:PORT or off, got "${o.admin}"`);
    s.admin = hp;
  }
  if (o.sidecar && file.workers === undefined) s.workers = 1;
  if (o.workers !== undefined) {
    const n = Number(o.workers);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw usage(`--workers: expected a whole number from 1 to 256, got "${o.workers}"`);
    s.workers = n;
  }
  if (o.logLevel !== undefined) s.logLevel = o.logLevel;
  if (o.accessLog !== undefined) s.accessLog = o.accessLog;
  if (o.noRequestStories) s.requestStories = false;
  if (o.noTrafficCounts) s.trafficCounts = false;
  if (o.drainTimeout !== undefined) {
    const d = parseDuration(o.drainTimeout);
    if (d === undefined) throw usage(`--drain-timeout: expected a duration such as 10s, got "${o.drainTimeout}"`);
    s.drainTimeoutMs = d;
  }
  if (o.upstream?.length) {
    for (const u of o.upstream) if (!/^https?:\/\/[^/\s]+\/?$/.test(u)) throw usage(`--upstream: expected http://HOST:PORT or https://HOST[:PORT], got "${u}"`);
    Object.assign(s, upstreamSettings(o.upstream));
  }
  if (!s.routes.length && !o.fromPlane) throw usage('give --upstream URL, --config FILE with routes and clusters, or --plane URL');
  // Flag filters run after the file's, in the order given.
  for (const f of o.filter ?? []) s.filters.push(parseFilterFlag(f, process.cwd()));
  if (o.filterFuel !== undefined) {
    const n = Number(o.filterFuel);
    if (!Number.isInteger(n) || n < 1000) throw usage(`--filter-fuel: expected a whole number of at least 1000, got "${o.filterFuel}"`);
    s.filterLimits.fuel = n;
  }
  if (o.filterMemory !== undefined) {
    const pages = parseMemoryPages(o.filterMemory);
    if (pages === undefined) throw usage(`--filter-memory: expected a size such as 64MiB, got "${o.filterMemory}"`);
    s.filterLimits.memoryPages = pages;
  }
  checkModulesExist(s.filters);
  return s;
}
