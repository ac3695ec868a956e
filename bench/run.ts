// `weft bench`: starts the upstream, measures each target in each mode, and writes the report.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagsHelp, parseFlags, usageError, type FlagSpec } from '../core/cli/flags.ts';
import { defaultDriver, type Driver } from './load.ts';
import { MODES, measure, medianOf, type MeasureOptions, type Mode } from './measure.ts';
import { freePort } from './processes.ts';
import { toSvg } from './plot.ts';
import { toMarkdown, type Report, type TargetResult } from './report.ts';
import { startTarget, stopTarget, TARGETS, WEFT_PROGRAMS, type Target, type TargetContext, type TargetName, type WeftProgram } from './targets.ts';
import { commandVersion, hasCommand } from './tools.ts';
import { defaultUpstreamKind, startUpstream, type UpstreamKind } from './upstream.ts';

export type BenchOptions = Omit<MeasureOptions, 'cpu'> & {
  targets: TargetName[];
  /** How many times each target and mode is measured, targets taking turns. */
  rounds: number;
  modes: Mode[];
  upstream: UpstreamKind;
  bodyBytes: number;
  workers: number;
  pin: boolean;
  /** What Weft runs from: the built bundle (built first when its sources changed) or the checkout's TypeScript. */
  weft: WeftProgram;
};

const flags: FlagSpec[] = [
  { name: 'targets', value: 'LIST', help: `comma-separated, of ${TARGETS.join(', ')}`, defaultText: 'all' },
  { name: 'modes', value: 'LIST', help: 'saturated (throughput, CPU per request) and/or fixed (latency at --rate)', defaultText: 'saturated,fixed' },
  { name: 'rounds', value: 'N', help: 'measurements of each target and mode, taking turns; the report gives their medians', defaultText: '3' },
  { name: 'duration', value: 'SECONDS', help: 'counted seconds of each round', defaultText: '5' },
  { name: 'warmup', value: 'SECONDS', help: 'uncounted seconds of load before the first round of each target and mode', defaultText: '6' },
  { name: 'connections', value: 'N', help: 'connections of the saturated mode', defaultText: '50' },
  { name: 'rate', value: 'N', help: 'requests per second aimed at in the fixed mode', defaultText: '2000' },
  { name: 'body', value: 'BYTES', help: 'size of the upstream response body', defaultText: '64' },
  { name: 'workers', value: 'N', help: 'Weft worker threads (nginx runs one worker)', defaultText: '1' },
  { name: 'driver', value: 'wrk|node', help: 'load generator; node is a fallback that costs more CPU', defaultText: 'wrk if installed' },
  { name: 'upstream-server', value: 'nginx|node', help: 'what serves as the upstream', defaultText: 'nginx if installed' },
  { name: 'run-from', value: 'bundle|sources', help: 'run Weft from the built JavaScript bundle (npm run build:bin, rebuilt when stale), as users do, or from the TypeScript sources', defaultText: 'bundle' },
  { name: 'no-pin', help: 'do not pin the proxy to CPU 0 and load and upstream to CPU 1 (pinning applies only with --workers 1)' },
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

type Entry = { result: TargetResult; target?: Target };

async function startEntry(name: TargetName, ctx: TargetContext): Promise<Entry> {
  const result: TargetResult = { target: name, results: {}, rounds: {} };
  try {
    const target = await startTarget(name, ctx);
    if (target.pace) result.pace = target.pace;
    return { result, target };
  } catch (err) {
    result.unavailable = (err as Error).message;
    progress(`${name}: not measured: ${result.unavailable}`);
    return { result };
  }
}

/** Measures every mode of one target once; the first round is preceded by the warm-up. */
async function measureRound(entry: Entry, target: Target, round: number, o: BenchOptions, cpu: number | undefined): Promise<void> {
  const { result } = entry;
  // A paced target is measured once, at its own rate and length (Target.pace).
  if (target.pace && round > 0) return;
  const runs = target.pace ? [{ mode: 'fixed' as const, ...target.pace }] : o.modes.map((mode) => ({ mode, rate: o.rate, seconds: o.seconds }));
  try {
    for (const { mode, rate, seconds } of runs) {
      const m = await measure(target, mode, { ...o, rate, seconds, warmupSeconds: round === 0 ? o.warmupSeconds : 0, cpu });
      (result.rounds[mode] ??= []).push(m);
      const charged = m.proxyCpuUsPerRequest === undefined ? '' : `, ${m.proxyCpuUsPerRequest.toFixed(1)} µs CPU/req`;
      const rss = m.rssMiB === undefined ? '' : `, ${Math.round(m.rssMiB)} MiB RSS`;
      progress(`${result.target} ${mode} round ${round + 1}: ${Math.round(m.rps)} req/s, p99 ${m.latencyUs.p99} µs${charged}${rss}, ${m.errors} errors`);
    }
  } catch (err) {
    // A target that breaks mid-run keeps the rounds it finished and sits out the rest; the run goes on.
    result.unavailable = `measurement failed: ${(err as Error).message}`;
    progress(`${result.target}: ${result.unavailable}`);
    await stopTarget(target);
    entry.target = undefined;
  }
}

/**
 * dist/lib from the current sources, unless it is built from them already. Run as its own process: importing the
 * build script would put it, and the executable's fuse string it holds, into the bundle `weft bench` is part of.
 */
function buildBundle(): void {
  const build = spawnSync(process.execPath, [fileURLToPath(new URL('../release/build.ts', import.meta.url)), '--if-changed', '--lib'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the bundle could not be built (release/build.ts): ${(build.stderr || build.error?.message || '').trim()}`);
  if (build.stdout.trim()) progress(build.stdout.trim());
}

/**
 * Runs the whole benchmark and returns its report; every process it starts is stopped before it
 * returns. All targets run side by side and take turns round by round, so a burst of other work on
 * the machine lands on one round of each rather than on every round of one.
 */
export async function runBench(o: BenchOptions): Promise<Report> {
  // One core for the proxy only makes sense for one worker: more workers would share it.
  const pinned = o.pin && o.workers === 1 && os.availableParallelism() >= 2 && hasCommand('taskset');
  const report: Report = {
    startedAt: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), kernel: os.release(), node: process.version,
      wrk: commandVersion('wrk'), nginx: commandVersion('nginx'), pinned, loadAverage: os.loadavg()[0],
    },
    settings: {
      driver: o.driver, upstream: o.upstream, rounds: o.rounds, seconds: o.seconds, warmupSeconds: o.warmupSeconds,
      connections: o.connections, rate: o.rate, bodyBytes: o.bodyBytes, workers: o.workers, weft: o.weft,
    },
    targets: [],
  };
  const [proxyCpu, sideCpu] = pinned ? [0, 1] : [undefined, undefined];
  if (o.weft === 'bundle') buildBundle();
  const workDir = mkdtempSync(join(os.tmpdir(), 'weft-bench-'));
  const entries: Entry[] = [];
  try {
    const port = await freePort();
    const upstream = await startUpstream(o.upstream, port, o.bodyBytes, workDir, sideCpu);
    try {
      const ctx: TargetContext = { upstream: new URL(`http://127.0.0.1:${port}/`), workers: o.workers, workDir, cpu: proxyCpu, sideCpu, bodyBytes: o.bodyBytes, weft: o.weft };
      for (const name of o.targets) entries.push(await startEntry(name, ctx));
      for (let round = 0; round < o.rounds; round++) {
        for (const entry of entries) if (entry.target) await measureRound(entry, entry.target, round, o, sideCpu);
      }
    } finally {
      await Promise.all(entries.map((e) => e.target && stopTarget(e.target)));
      await upstream.stop();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  for (const { result } of entries) {
    for (const mode of MODES) if (result.rounds[mode]) result.results[mode] = medianOf(result.rounds[mode]);
    report.targets.push(result);
  }
  return report;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(flags, argv, process.env);
  if (values.help) {
    console.log(flagsHelp('usage: weft bench [options]\n\nmeasure direct, nginx and weft side by side (throughput, CPU per request, latency at a fixed rate) and write the report', flags));
    return 0;
  }
  const str = (k: string) => values[k] as string | undefined;
  const options: BenchOptions = {
    targets: listOf('targets', str('targets'), TARGETS),
    modes: listOf('modes', str('modes'), MODES),
    rounds: count('rounds', str('rounds'), 3, 1),
    seconds: count('duration', str('duration'), 5, 1),
    warmupSeconds: count('warmup', str('warmup'), 6, 0),
    connections: count('connections', str('connections'), 50, 1),
    rate: count('rate', str('rate'), 2000, 1),
    bodyBytes: count('body', str('body'), 64, 0),
    workers: count('workers', str('workers'), 1, 1),
    driver: oneOf<Driver>('driver', str('driver'), ['wrk', 'node'], defaultDriver()),
    upstream: oneOf<UpstreamKind>('upstream-server', str('upstream-server'), ['nginx', 'node'], defaultUpstreamKind()),
    pin: !values['no-pin'],
    weft: oneOf<WeftProgram>('run-from', str('run-from'), WEFT_PROGRAMS, 'bundle'),
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
