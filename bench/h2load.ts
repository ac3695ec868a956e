// Drives HTTP/2 load (h2c with prior knowledge) with h2load, reading latencies from its per-request log.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { LoadResult, LoadSpec } from './load.ts';
import { start } from './processes.ts';
import { findCommand } from './tools.ts';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The counts h2load prints and the latencies its --log-file holds (third column, µs) as a LoadResult. */
export function parseH2load(stdout: string, log: string): LoadResult {
  // h2load prints the duration in the unit that fits: "2.00s", "999.88ms", "850us".
  const finished = /finished in ([\d.]+)(s|ms|us),/.exec(stdout);
  const counts = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(stdout);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
  if (!finished || !counts || !codes) throw new Error(`h2load gave no result: ${stdout.trim() || 'no output'}`);
  const latencies = log.split('\n').filter(Boolean).map((line) => Number(line.split('\t')[2])).sort((a, b) => a - b);
  const [succeeded, failed, errored, timedOut] = counts.slice(1).map(Number);
  const [, ok3, e4, e5] = codes.slice(1).map(Number);
  return {
    requests: succeeded,
    seconds: Number(finished[1]) / (finished[2] === 's' ? 1 : finished[2] === 'ms' ? 1e3 : 1e6),
    errors: failed + errored + timedOut + ok3 + e4 + e5,
    latencyUs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), p999: percentile(latencies, 99.9), max: latencies.at(-1) ?? 0 },
  };
}

/**
 * One h2load run of `spec`: as many connections as wrk would open, one stream each (the same concurrency as the
 * HTTP/1.1 rows); the fixed mode paces each connection to 1000 / thinkMs requests a second.
 */
export async function runH2load(spec: LoadSpec, cpu?: number): Promise<LoadResult> {
  const h2load = findCommand('h2load');
  if (!h2load) throw new Error('h2load is not installed (apt-get install nghttp2-client)');
  const dir = mkdtempSync(join(os.tmpdir(), 'weft-h2load-'));
  const log = join(dir, 'requests.log');
  try {
    const pacing = spec.thinkMs > 0 ? ['--rps', String(Math.max(1, Math.round(1000 / spec.thinkMs)))] : [];
    const headerArgs = Object.entries(spec.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const data = spec.dataFile ? ['-d', spec.dataFile] : [];
    const child = start('load (h2load)', h2load, ['-t1', `-c${spec.connections}`, '-m1', `-D${spec.seconds}`, ...pacing, ...headerArgs, ...data,
      `--log-file=${log}`, spec.url], { cpu });
    await child.exit;
    return parseH2load(child.output(), readFileSync(log, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
