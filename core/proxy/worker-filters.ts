// A worker's filter side: the host services its filters share, and one chain per distinct route variant of the configured chain.
import type { Logger } from 'pino';
import { FilterChain } from '../chain/chain.ts';
import type { FilterSpec } from '../chain/filter.ts';
import type { FilterLimits, RouteSettings } from '../config/settings.ts';
import { FaultLog } from '../observe/fault-log.ts';
import type { WorkerMetrics } from '../observe/metrics.ts';
import { MetricStore } from '../wasm/metrics.ts';
import { SharedState } from '../wasm/shared-data.ts';
import type { HostServices } from '../wasm/stream-host.ts';
import type { Cluster } from '../upstream/cluster.ts';
import { httpCaller } from '../upstream/http-call.ts';
import type { LoadedFilter } from './filter-loader.ts';
import type { RouteChains } from '../routing/route-table.ts';

/** proxy-wasm log levels 0 trace … 5 critical → pino's; a filter's critical is an error of the proxy's (fatal is the process's own end). */
const PINO_LEVEL = ['trace', 'debug', 'info', 'warn', 'error', 'error'] as const;
const PINO_TO_WASM: Record<string, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5, silent: 6 };

/** `clusters` is read at call time: http calls follow the serving generation's clusters. */
export function hostServices(opts: { worker: number; shared: SharedArrayBuffer; clusters: () => Map<string, Cluster>; log: Logger;
  workerMetrics: WorkerMetrics }): HostServices & { metrics: MetricStore } {
  const { log, workerMetrics } = opts;
  const faults = new FaultLog(log);
  return {
    shared: new SharedState(opts.shared),
    metrics: new MetricStore(),
    httpCall: httpCaller(opts.clusters),
    logLevel: PINO_TO_WASM[log.level] ?? 2,
    log: (level, filter, message) => log[PINO_LEVEL[Math.min(level, 5)]]({ filter }, message),
    onTrap: (t) => {
      if (t.cause !== 'reload_failed') workerMetrics.filterFault(t.filter, t.version, t.cause);
      faults.report(t);
    },
    properties: (path) => (path.length === 2 && path[0] === 'weft' && path[1] === 'worker') || (path[0] === 'node' && path[1] === 'id') ? opts.worker : undefined,
  };
}

/** A generation's chains by what they run: the same key means the same modules, configs and limits. */
export type ChainSet = ReadonlyMap<string, FilterChain>;

/**
 * Chains per route: a route that disables filters or gives one its own config gets its own chain (its own root
 * contexts); routes with the same effective list share one. A chain the serving generation already runs with the
 * same key is taken over rather than started again: a snapshot that only changed endpoints (a sidecar joining the
 * registry) keeps every filter instance and its state. Throws a WeftError naming a filter that fails to start.
 */
export function routeChains(loaded: LoadedFilter[], limits: FilterLimits, services: HostServices, serving: ChainSet = new Map()): { chainsFor: (r: RouteSettings) => RouteChains; byKey: ChainSet } {
  const byKey = new Map<string, FilterChain>();
  const build = (specs: FilterSpec[], digests: string[]): FilterChain => {
    const key = JSON.stringify(specs.map((s, i) => [s.name, s.version, digests[i], s.config, s.rootId, s.vmId, s.failPolicy, s.fuelPerCallback]));
    let chain = byKey.get(key);
    if (!chain) {
      chain = serving.get(key) ?? FilterChain.create(specs, services);
      byKey.set(key, chain);
    }
    return chain;
  };
  const chainsFor = (r: RouteSettings): RouteChains => {
    const base: FilterSpec[] = [];
    const canary: FilterSpec[] = [];
    const baseDigests: string[] = [];
    const canaryDigests: string[] = [];
    let percent = 0;
    for (const f of loaded) {
      const o = r.filters[f.settings.name];
      if (o?.disabled) continue;
      const spec: FilterSpec = {
        name: f.settings.name, module: f.module, rootId: f.settings.rootId, vmId: f.settings.vmId,
        version: f.settings.version ?? f.sha256.slice(0, 12), config: o?.config ?? f.settings.config, failPolicy: f.settings.fail,
        fuelPerCallback: limits.fuel,
      };
      base.push(spec);
      baseDigests.push(f.sha256);
      canaryDigests.push(f.canary?.sha256 ?? f.sha256);
      // The canary variant runs its own instances (its own vmId): two versions of one module never share a VM.
      canary.push(f.canary ? { ...spec, module: f.canary.module, version: f.canary.version, vmId: `${spec.vmId}@${f.canary.version}` } : spec);
      if (f.canary) percent = Math.max(percent, f.canary.percent);
    }
    if (base.length === 0) return { chain: undefined };
    const chain = build(base, baseDigests);
    return percent > 0 ? { chain, canary: { chain: build(canary, canaryDigests), percent } } : { chain };
  };
  return { chainsFor, byKey };
}
