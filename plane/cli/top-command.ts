// `weft top [SERVICE]`: a live table per route of what the mesh serves (requests/s, success, p50/p99, top error codes), read from the plane's GET /v1/stats.
import { durationFlag, usageError } from '../../core/cli/flags.ts';
import type { Command } from '../../core/cli/command.ts';
import { partialText } from '../peers.ts';
import type { ReplicaCoverage } from '../peers.ts';
import { planeClient } from './client.ts';
import { planeCommand, table } from './run.ts';

/** The part of GET /v1/stats the table shows (plane/README.md, Telemetry). */
interface RouteStats {
  listener: string;
  route: string;
  filters: string[];
  requests: number;
  rps: number;
  successRate: number | null;
  p50: number | null;
  p99: number | null;
  errors: Record<string, number>;
}
interface StatsAnswer { at: number; windowSeconds: number; services: { service: string; routes: RouteStats[] }[]; replicas?: ReplicaCoverage }

/** Error codes shown per row, most frequent first. */
const TOP_ERRORS = 2;

/** A latency in the unit that reads best: 850µs, 12.3ms, 1.20s. */
export function latencyText(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)}µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)}ms`;
  return `${seconds.toFixed(2)}s`;
}

function errorsText(errors: Record<string, number>): string {
  return Object.entries(errors).sort((a, b) => b[1] - a[1]).slice(0, TOP_ERRORS).map(([code, n]) => `${code.replace(/^WEFT_ERR_/, '')}×${n}`).join(' ');
}

/** One screen: a header line, then a row per service route with traffic, busiest first within each service. */
export function topScreen(s: StatsAnswer, service: string | undefined): string {
  // Filter versions only when some route runs filters: during a rollout they tell the canary's row from the stable one.
  const versions = s.services.some((svc) => svc.routes.some((r) => r.requests && r.filters.length));
  const rows = [['SERVICE', 'LISTENER', 'ROUTE', ...(versions ? ['FILTERS'] : []), 'RPS', 'SUCCESS', 'P50', 'P99', 'TOP ERRORS']];
  for (const svc of s.services) {
    for (const r of svc.routes) {
      if (!r.requests) continue;
      rows.push([
        svc.service, r.listener, r.route || '(no route)', ...(versions ? [r.filters.join(',') || '-'] : []), r.rps.toFixed(r.rps < 10 ? 2 : 1),
        r.successRate === null ? '-' : `${(r.successRate * 100).toFixed(2)}%`, latencyText(r.p50), latencyText(r.p99), errorsText(r.errors),
      ]);
    }
  }
  const head = `weft top ${service ?? '(every service)'}: the last ${s.windowSeconds}s at ${new Date(s.at).toISOString().slice(11, 19)} UTC${partialText(s.replicas)}`;
  return rows.length > 1 ? `${head}\n${table(rows)}` : `${head}\nno requests in the window`;
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

export const topCommand: Command = planeCommand({
  usage: 'weft top [SERVICE] [--window 1m] [--interval 2s] [--once | --iterations N] [--json]',
  summary: 'a live table per route of what the mesh serves: requests/s, success rate, p50/p99 and the top error codes (like linkerd viz top)',
  args: ['[SERVICE]'],
  flags: [
    { name: 'window', value: 'DURATION', help: 'how far back each figure looks (10s up to the plane\'s --stats-window)', defaultText: '1m' },
    { name: 'interval', value: 'DURATION', help: 'how often the table is redrawn', defaultText: '2s' },
    { name: 'iterations', value: 'N', help: 'draw N tables, then exit (for scripts and tests)', defaultText: 'until interrupted' },
    { name: 'once', help: 'draw one table and exit (--iterations 1)' },
    { name: 'json', help: 'print the GET /v1/stats answer instead of the table (with --once)' },
  ],
  async run([service], values) {
    const windowText = String(values.window ?? '1m');
    durationFlag(windowText, 'window');
    const intervalMs = durationFlag(values.interval as string | undefined, 'interval') ?? 2000;
    if (intervalMs < 100) throw usageError('--interval: at least 100ms');
    const iterationsText = values.iterations as string | undefined;
    if (iterationsText !== undefined && !/^[1-9][0-9]*$/.test(iterationsText)) throw usageError(`--iterations: a whole number above 0, got "${iterationsText}"`);
    if (values.once && iterationsText !== undefined) throw usageError('give --once or --iterations, not both');
    const iterations = values.once ? 1 : iterationsText === undefined ? Infinity : Number(iterationsText);
    const client = planeClient(values);
    const query = new URLSearchParams({ window: windowText, ...(service === undefined ? {} : { service }) });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    // Redrawn in place on a terminal; printed one after another (blank line between) when piped.
    const clear = process.stdout.isTTY ? '\x1b[H\x1b[2J' : '';
    try {
      for (let i = 0; i < iterations && !stop.signal.aborted; i++) {
        if (i > 0) await sleep(intervalMs, stop.signal);
        if (stop.signal.aborted) break;
        const s = await client.call<StatsAnswer>('GET', `/v1/stats?${query}`);
        if (values.json) console.log(JSON.stringify(s, null, 2));
        else console.log(`${clear || (i > 0 ? '\n' : '')}${topScreen(s, service)}`);
      }
    } finally {
      process.off('SIGINT', onSignal);
    }
    return 0;
  },
});
