// One measurement of one target in one mode: warm up, then load while charging the proxy's CPU time.
import { treeCpuMicros } from './cpu.ts';
import { treeRssFileMiB, treeRssMiB } from './memory.ts';
import { runLoad, type Driver, type LoadResult } from './load.ts';
import type { Target } from './targets.ts';

export const MODES = ['saturated', 'fixed'] as const;
export type Mode = (typeof MODES)[number];

export type MeasureOptions = {
  driver: Driver;
  seconds: number;
  warmupSeconds: number;
  /** Connections of the saturated mode. */
  connections: number;
  /** Requests per second aimed at in the fixed mode. */
  rate: number;
  /** CPU the load generator is pinned to, if any. */
  cpu?: number;
};

export type Measurement = LoadResult & {
  rps: number;
  /** utime+stime of the proxies' processes and threads (summed over a target's proxies) per request; absent for the direct target. */
  proxyCpuUsPerRequest?: number;
  /** RSS of the proxies (summed like their CPU) when the load ended, and the most they held since they started, in MiB. */
  rssMiB?: number;
  /** Of rssMiB, the pages of files (Node's binary and libraries, shared by every process running them). */
  rssFileMiB?: number;
  peakRssMiB?: number;
};

// The fixed mode paces each connection with a mean think time this long; long enough that the
// response time itself (well under a millisecond) hardly shifts the achieved rate.
const THINK_MS = 20;

/** The load shape of `mode`: saturated is a closed loop with no pause, fixed paces connections to `rate`. */
function loadShape(mode: Mode, o: MeasureOptions): { connections: number; thinkMs: number } {
  return mode === 'saturated'
    ? { connections: o.connections, thinkMs: 0 }
    : { connections: Math.max(1, Math.round((o.rate * THINK_MS) / 1000)), thinkMs: THINK_MS };
}

/**
 * Connections of the fixed mode per target, set by its warm-up: each connection waits for its response before it
 * thinks, so a target answering in milliseconds falls short of the rate (a sidecar at 3 ms served 83% of it).
 */
const pacedConnections = new WeakMap<Target, number>();

export async function measure(target: Target, mode: Mode, o: MeasureOptions): Promise<Measurement> {
  const shape = loadShape(mode, o);
  if (mode === 'fixed') shape.connections = pacedConnections.get(target) ?? shape.connections;
  const spec = { url: target.url, headers: target.headers, h2: target.h2, dataFile: target.dataFile, ...shape };
  // Warm-up lets V8 compile the hot path and fills the connection pools before anything is counted.
  if (o.warmupSeconds > 0) {
    await runLoad(o.driver, { ...spec, seconds: o.warmupSeconds }, o.cpu);
    // The rate is read warm: the warm-up itself runs slow while V8 compiles, and would set too many connections.
    const probe = mode === 'fixed' ? await runLoad(o.driver, { ...spec, seconds: Math.min(2, o.warmupSeconds) }, o.cpu) : undefined;
    const rps = probe ? probe.requests / probe.seconds : 0;
    // At most 3x: a target that cannot keep up is measured at what it serves, not buried under connections.
    if (rps > 0) {
      spec.connections = Math.max(1, Math.round(spec.connections * Math.min(3, Math.max(1, o.rate / rps))));
      pacedConnections.set(target, spec.connections);
    }
  }
  // Every proxy of the target is charged, summed: both sidecars of a mesh hop.
  const proxiesCpu = () => target.proxies.reduce((sum, p) => sum + treeCpuMicros(p.pid), 0);
  // Read outside the charged window: a scrape is the proxy's work, not the load's.
  const failedBefore = await target.failedCalls?.();
  const cpuBefore = proxiesCpu();
  const result = await runLoad(o.driver, { ...spec, seconds: o.seconds }, o.cpu);
  const cpuUsed = proxiesCpu() - cpuBefore;
  if (target.failedCalls) result.errors += (await target.failedCalls()) - failedBefore!;
  const measurement: Measurement = { ...result, rps: result.requests / result.seconds };
  if (target.proxies.length > 0 && result.requests > 0) measurement.proxyCpuUsPerRequest = cpuUsed / result.requests;
  if (target.proxies.length > 0) {
    measurement.rssMiB = target.proxies.reduce((sum, p) => sum + treeRssMiB(p.pid, 'now'), 0);
    measurement.rssFileMiB = target.proxies.reduce((sum, p) => sum + treeRssFileMiB(p.pid), 0);
    measurement.peakRssMiB = target.proxies.reduce((sum, p) => sum + treeRssMiB(p.pid, 'peak'), 0);
  }
  return measurement;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One measurement standing for several rounds: each rate, cost and latency the rounds' median; counts their totals. */
export function medianOf(rounds: Measurement[]): Measurement {
  const of = (pick: (m: Measurement) => number) => median(rounds.map(pick));
  const sum = (pick: (m: Measurement) => number) => rounds.reduce((total, m) => total + pick(m), 0);
  const merged: Measurement = {
    requests: sum((m) => m.requests),
    seconds: sum((m) => m.seconds),
    errors: sum((m) => m.errors),
    rps: of((m) => m.rps),
    latencyUs: { p50: of((m) => m.latencyUs.p50), p99: of((m) => m.latencyUs.p99), p999: of((m) => m.latencyUs.p999), max: of((m) => m.latencyUs.max) },
  };
  const charged = rounds.flatMap((m) => (m.proxyCpuUsPerRequest === undefined ? [] : [m.proxyCpuUsPerRequest]));
  if (charged.length) merged.proxyCpuUsPerRequest = median(charged);
  // Memory only grows with the run: what the proxy holds after the last round, and the highest peak seen.
  const last = rounds.at(-1);
  if (last?.rssMiB !== undefined) merged.rssMiB = last.rssMiB;
  if (last?.rssFileMiB !== undefined) merged.rssFileMiB = last.rssFileMiB;
  const peaks = rounds.flatMap((m) => (m.peakRssMiB === undefined ? [] : [m.peakRssMiB]));
  if (peaks.length) merged.peakRssMiB = Math.max(...peaks);
  return merged;
}
