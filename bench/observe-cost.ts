// What the plane's per-request telemetry costs a running `weft proxy` under wrk: its CPU per request (from the scheduler's ns counts) with request stories and traffic counts on, and with each (and both) switched off by --no-request-stories / --no-traffic-counts, in alternating rounds; saturated or at a fixed rate (--rate).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { processTree } from './cpu.ts';
import { defaultDriver, runLoad } from './load.ts';
import { freePort, start, statusOf, waitForOk } from './processes.ts';
import type { Running } from './processes.ts';
import type { Target } from './targets.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

const root = join(import.meta.dirname, '..');

/** Each variant's switches: what differs from the proxy every user runs is only these flags. */
const VARIANTS = {
  'on': [],
  'no-stories': ['--no-request-stories'],
  'no-counts': ['--no-traffic-counts'],
  'both-off': ['--no-request-stories', '--no-traffic-counts'],
} as const;
export type Variant = keyof typeof VARIANTS;
const NAMES = Object.keys(VARIANTS) as Variant[];

/** A `weft proxy --workers 1` to `upstream` with `flags`, ready and answering 200; `env` for the bench's own Node options (a CPU profile). */
export async function startProxy(upstream: string, flags: readonly string[], cpu: number | undefined, env?: Record<string, string>): Promise<{ target: Target; proxy: Running }> {
  const [port, admin] = [await freePort(), await freePort()];
  const proxy = start('weft', process.execPath, [
    join(root, 'cli/weft.ts'), 'proxy', '--listen', `127.0.0.1:${port}`, '--upstream', upstream, '--admin', `127.0.0.1:${admin}`,
    '--workers', '1', '--log-level', 'warn', ...flags,
  ], { cpu, env });
  await waitForOk(proxy, `http://127.0.0.1:${admin}/ready`);
  const url = `http://127.0.0.1:${port}/`;
  if (await statusOf(url) !== 200) throw new Error(`weft ${flags.join(' ')} did not answer 200`);
  return { target: { url, headers: {}, proxies: [proxy] }, proxy };
}

/**
 * CPU time of the proxy's process tree in nanoseconds, from each thread's /proc/PID/task/TID/schedstat: the
 * scheduler's own count, where /proc/PID/stat's 10 ms ticks would be a microsecond per request over a 5 s run.
 */
export function treeCpuNanos(root: number): number {
  let ns = 0;
  for (const pid of processTree(root)) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited between listing and reading
    }
    for (const tid of tasks) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended meanwhile
      }
    }
  }
  return ns;
}

/** Connections pause this long on average between requests in the fixed-rate mode (as bench/measure.ts does). */
const THINK_MS = 20;

/** One run: a second's warm-up, then `seconds` of load; the proxy's CPU µs per request and the rate achieved. */
export async function run(target: Target, pid: number, seconds: number, connections: number, rate: number, cpu: number): Promise<{ cpu: number; rps: number }> {
  const shape = rate > 0 ? { connections: Math.max(1, Math.round((rate * THINK_MS) / 1000)), thinkMs: THINK_MS } : { connections, thinkMs: 0 };
  const spec = { url: target.url, headers: {}, ...shape };
  await runLoad(defaultDriver(), { ...spec, seconds: 1 }, cpu);
  const before = treeCpuNanos(pid);
  const r = await runLoad(defaultDriver(), { ...spec, seconds }, cpu);
  return { cpu: (treeCpuNanos(pid) - before) / 1000 / r.requests, rps: r.requests / r.seconds };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number) => n.toFixed(2);
const range = (xs: number[]) => `${fmt(Math.min(...xs))} … ${fmt(Math.max(...xs))}`;

export interface ObserveCost {
  rounds: number;
  /** By variant, one figure per round, in round order. */
  cpuUsPerRequest: Record<Variant, number[]>;
  rps: Record<Variant, number[]>;
  /** The 1-minute load average after each round. */
  load: number[];
}

/** `rounds` rounds of every variant in turn (each round starting with the next one), `seconds` of saturated load each. */
export async function observeCost(rounds: number, seconds: number, connections: number, rate = 0): Promise<ObserveCost> {
  const workDir = mkdtempSync(join(tmpdir(), 'weft-observe-cost-'));
  // The proxies on one core, the upstream and wrk on the other, as `npm run bench` pins them.
  const [proxyCpu, loadCpu] = [1, 0];
  const port = await freePort();
  const upstream = await startUpstream(defaultUpstreamKind(), port, 64, workDir, loadCpu);
  const proxies: Running[] = [];
  try {
    const targets = new Map<Variant, { target: Target; pid: number }>();
    for (const name of NAMES) {
      const { target, proxy } = await startProxy(`http://127.0.0.1:${port}`, VARIANTS[name], proxyCpu);
      proxies.push(proxy);
      targets.set(name, { target, pid: proxy.pid });
    }
    const out: ObserveCost = { rounds, cpuUsPerRequest: byVariant(), rps: byVariant(), load: [] };
    for (let r = 0; r < rounds; r++) {
      const row = new Map<Variant, { cpu: number; rps: number }>();
      for (let k = 0; k < NAMES.length; k++) {
        const name = NAMES[(r + k) % NAMES.length];
        const { target, pid } = targets.get(name)!;
        row.set(name, await run(target, pid, seconds, connections, rate, loadCpu));
      }
      for (const name of NAMES) {
        out.cpuUsPerRequest[name].push(row.get(name)!.cpu);
        out.rps[name].push(row.get(name)!.rps);
      }
      out.load.push(loadavg()[0]);
    }
    return out;
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
    await upstream.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function byVariant(): Record<Variant, number[]> {
  return Object.fromEntries(NAMES.map((n) => [n, []])) as unknown as Record<Variant, number[]>;
}

/** The report: per variant, then what each switch saves, as differences within each round (same minute, same load). */
export function observeReport(c: ObserveCost, seconds: number, connections: number, rate = 0): string {
  const load = rate > 0 ? `about ${rate} req/s` : `${connections} connections, saturated`;
  const lines = [
    `weft proxy --workers 1 under ${defaultDriver()} (${load}, ${seconds} s per run, ${c.rounds} rounds, variants alternating); load average ${range(c.load)}`, '',
    '| variant | flags | CPU µs/request, median (range) | req/s, median |', '|---|---|---|---|',
  ];
  for (const name of NAMES) {
    lines.push(`| ${name} | ${VARIANTS[name].map((f) => `\`${f}\``).join(' ') || '(none)'} | ${fmt(median(c.cpuUsPerRequest[name]))} (${range(c.cpuUsPerRequest[name])}) | ${Math.round(median(c.rps[name]))} |`);
  }
  lines.push('', '| what it costs (on minus off, per round) | µs/request, median (range) |', '|---|---|');
  for (const [what, off] of [['request stories', 'no-stories'], ['traffic counts (summaries, /metrics)', 'no-counts'], ['both', 'both-off']] as const) {
    const d = c.cpuUsPerRequest.on.map((x, i) => x - c.cpuUsPerRequest[off][i]);
    lines.push(`| ${what} | ${fmt(median(d))} (${range(d)}) |`);
  }
  return lines.join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({ options: {
    rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' },
    rate: { type: 'string', default: '0' },
  } });
  const [rounds, seconds, connections, rate] = [Number(values.rounds), Number(values.seconds), Number(values.connections), Number(values.rate)];
  console.log(observeReport(await observeCost(rounds, seconds, connections, rate), seconds, connections, rate));
}
