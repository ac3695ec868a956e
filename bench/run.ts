// `weft bench`: starts the upstream, measures each target in each mode, and writes the report.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagsHelp, parseFlags, usageError, type FlagSpec } from '../core/cli/flags.ts';
import { defaultDriver, type Driver } from './load.ts';
import { MODES, measure, type MeasureOptions, type Mode } from './measure.ts';
import { freePort } from './processes.ts';
import { toSvg } from './plot.ts';
import { toMarkdown, type Report, type TargetResult } from './report.ts';
import { startTarget, TARGETS, type TargetName } from './targets.ts';
import { commandVersion, hasCommand } from './tools.ts';
import { defaultUpstreamKind, startUpstream, type UpstreamKind } from './upstream.ts';

export type BenchOptions = Omit<MeasureOptions, 'cpu'> & {
  targets: TargetName[];
  modes: Mode[];
  upstream: UpstreamKind;
  bodyBytes: number;
  workers: number;
  pin: boolean;
};

const flags: FlagSpec[] = [
  { name: 'targets', value: 'LIST', help: `comma-separated, of ${TARGETS.join(', ')}`, defaultText: 'all' },
  { name: 'modes', value: 'LIST', help: 'saturated (throughput, CPU per request) and/or fixed (latency at --rate)', defaultText: 'saturated,fixed' },
  { name: 'duration', value: 'SECONDS', help: 'counted seconds of each measurement', defaultText: '10' },
  { name: 'warmup', value: 'SECONDS', help: 'uncounted seconds of load before each measurement', defaultText: '2' },
  { name: 'connections', value: 'N', help: 'connections of the saturated mode', defaultText: '50' },
  { name: 'rate', value: 'N', help: 'requests per second aimed at in the fixed mode', defaultText: '2000' },
  { name: 'body', value: 'BYTES', help: 'size of the upstream response body', defaultText: '64' },
  { name: 'workers', value: 'N', help: 'Weft worker threads (nginx runs one worker)', defaultText: '1' },
  { name: 'driver', value: 'wrk|node', help: 'load generator; node is a fallback that costs more CPU', defaultText: 'wrk if installed' },
  { name: 'upstream-server', value: 'nginx|node', help: 'what serves as the upstream', defaultText: 'nginx if installed' },
  { name: 'no-pin', help: 'do not pin the proxy to CPU 0 and load and upstream to CPU 1' },
  { name: 'out', value: 'DIR', help: 'where latest.json, latest.md and latest.svg are written; "off" writes none', defaultText: 'bench/results' },
  { name: 'json', help: 'print the report as JSON instead of Markdown' },
];

function count(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw usageError(`--${name}: expected an integer ≥ ${min}, got "${text}"`);
  return n;
}

function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!allowed.includes(text as T)) throw usageError(`--${name}: expected one of ${allowed.join(', ')}, got "${text}"`);
  return text as T;
}

function listOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T[] {
  if (text === undefined) return [...allowed];
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  return items.map((item) => oneOf(name, item, allowed, allowed[0]));
}

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function benchTarget(name: TargetName, o: BenchOptions, upstream: URL, workDir: string, pinned: boolean): Promise<TargetResult> {
  const result: TargetResult = { target: name, results: {} };
  let target;
  try {
    target = await startTarget(name, { upstream, workers: o.workers, workDir, cpu: pinned ? 0 : undefined });
  } catch (err) {
    result.unavailable = (err as Error).message;
    progress(`${name}: not measured: ${result.unavailable}`);
    return result;
  }
  try {
    for (const mode of o.modes) {
      const m = await measure(target, mode, { ...o, cpu: pinned ? 1 : undefined });
      result.results[mode] = m;
      const cpu = m.proxyCpuUsPerRequest === undefined ? '' : `, ${m.proxyCpuUsPerRequest.toFixed(1)} µs CPU/req`;
      progress(`${name} ${mode}: ${Math.round(m.rps)} req/s, p99 ${m.latencyUs.p99} µs${cpu}, ${m.errors} errors`);
    }
  } catch (err) {
    // A target that breaks mid-run keeps the modes it finished; the others are explained, and the run goes on.
    result.unavailable = `measurement failed: ${(err as Error).message}`;
    progress(`${name}: ${result.unavailable}`);
  } finally {
    await target.proxy?.stop();
  }
  return result;
}

/** Runs the whole benchmark and returns its report; every process it starts is stopped before it returns. */
export async function runBench(o: BenchOptions): Promise<Report> {
  const pinned = o.pin && os.availableParallelism() >= 2 && hasCommand('taskset');
  const report: Report = {
    startedAt: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), kernel: os.release(), node: process.version,
      wrk: commandVersion('wrk'), nginx: commandVersion('nginx'), pinned, loadAverage: os.loadavg()[0],
    },
    settings: {
      driver: o.driver, upstream: o.upstream, seconds: o.seconds, warmupSeconds: o.warmupSeconds,
      connections: o.connections, rate: o.rate, bodyBytes: o.bodyBytes, workers: o.workers,
    },
    targets: [],
  };
  const workDir = mkdtempSync(join(os.tmpdir(), 'weft-bench-'));
  try {
    const port = await freePort();
    const upstream = await startUpstream(o.upstream, port, o.bodyBytes, workDir, pinned ? 1 : undefined);
    try {
      for (const name of o.targets) report.targets.push(await benchTarget(name, o, new URL(`http://127.0.0.1:${port}/`), workDir, pinned));
    } finally {
      await upstream.stop();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return report;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(flags, argv, process.env);
  if (values.help) {
    console.log(flagsHelp('usage: weft bench [options]', flags));
    return 0;
  }
  const str = (k: string) => values[k] as string | undefined;
  const options: BenchOptions = {
    targets: listOf('targets', str('targets'), TARGETS),
    modes: listOf('modes', str('modes'), MODES),
    seconds: count('duration', str('duration'), 10, 1),
    warmupSeconds: count('warmup', str('warmup'), 2, 0),
    connections: count('connections', str('connections'), 50, 1),
    rate: count('rate', str('rate'), 2000, 1),
    bodyBytes: count('body', str('body'), 64, 0),
    workers: count('workers', str('workers'), 1, 1),
    driver: oneOf<Driver>('driver', str('driver'), ['wrk', 'node'], defaultDriver()),
    upstream: oneOf<UpstreamKind>('upstream-server', str('upstream-server'), ['nginx', 'node'], defaultUpstreamKind()),
    pin: !values['no-pin'],
  };
  // Asked for by name but missing: say so now rather than once per target.
  for (const tool of [options.driver, options.upstream]) {
    if (tool !== 'node' && !hasCommand(tool)) throw usageError(`${tool} is not installed (apt-get install ${tool === 'nginx' ? 'nginx-light' : tool})`);
  }
  const report = await runBench(options);
  const markdown = toMarkdown(report);
  const out = str('out') ?? fileURLToPath(new URL('results/', import.meta.url));
  if (out !== 'off') {
    const dir = resolve(out);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(dir, 'latest.md'), markdown);
    writeFileSync(join(dir, 'latest.svg'), toSvg(report));
    progress(`wrote ${join(dir, 'latest.{json,md,svg}')}`);
  }
  console.log(values.json ? JSON.stringify(report, null, 2) : markdown);
  return 0;
}
