// Drives load at a target with wrk (or the Node fallback) and returns what the driver measured.
import { fileURLToPath } from 'node:url';
import { start } from './processes.ts';
import { findCommand } from './tools.ts';
import { runH2load } from './h2load.ts';

export type Driver = 'wrk' | 'node';

/**
 * Closed loop: `thinkMs` 0 saturates; above 0 each connection pauses that long on average between requests. `h2`:
 * HTTP/2 with prior knowledge; `dataFile`: each request POSTs that file (h2load only).
 */
export type LoadSpec = { url: string; connections: number; seconds: number; thinkMs: number; headers: Record<string, string>; h2?: boolean; dataFile?: string };

export type LoadResult = {
  requests: number;
  seconds: number;
  errors: number;
  latencyUs: { p50: number; p99: number; p999: number; max: number };
};

const RESULT_MARK = 'WEFT_BENCH_RESULT ';

export function defaultDriver(): Driver {
  return findCommand('wrk') ? 'wrk' : 'node';
}

function command(driver: Driver, spec: LoadSpec): { file: string; args: string[] } {
  if (driver === 'node') {
    return { file: process.execPath, args: [fileURLToPath(new URL('node-load.ts', import.meta.url)), JSON.stringify(spec)] };
  }
  const wrk = findCommand('wrk');
  if (!wrk) throw new Error('wrk is not installed (apt-get install wrk)');
  const headerArgs = Object.entries(spec.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  return {
    file: wrk,
    args: ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, '--timeout', '2s', ...headerArgs,
      '-s', fileURLToPath(new URL('wrk-report.lua', import.meta.url)), spec.url],
  };
}

/** Runs one load of `spec` with `driver` (h2load for HTTP/2 targets) on CPU `cpu` and resolves with its result. */
export async function runLoad(driver: Driver, spec: LoadSpec, cpu?: number): Promise<LoadResult> {
  if (spec.h2) return runH2load(spec, cpu);
  const { file, args } = command(driver, spec);
  const child = start(`load (${driver})`, file, args, { cpu, env: { WEFT_BENCH_THINK_MS: String(spec.thinkMs) } });
  await child.exit;
  const line = child.output().split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (!line) throw new Error(`${driver} gave no result: ${child.output() || 'no output'}`);
  return JSON.parse(line.slice(RESULT_MARK.length)) as LoadResult;
}
