// What the plane's per-request telemetry costs a running `weft proxy` under wrk: its CPU per request with request stories and traffic counts on, and with each (and both) switched off by --no-request-stories / --no-traffic-counts, in alternating rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDriver } from './load.ts';
import { measure } from './measure.ts';
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
type Variant = keyof typeof VARIANTS;
const NAMES = Object.keys(VARIANTS) as Variant[];

async function startProxy(upstream: string, flags: readonly string[], cpu: number | undefined): Promise<{ target: Target; proxy: Running }> {
  const [port, admin] = [await freePort(), await freePort()];
  const proxy = start('weft', process.execPath, [
    join(root, 'cli/weft.ts'), 'proxy', '--listen', `127.0.0.1:${port}`, '--upstream', upstream, '--admin', `127.0.0.1:${admin}`,
    '--workers', '1', '--log-level', 'warn', ...flags,
  ], { cpu });
  await waitForOk(proxy, `http://127.0.0.1:${admin}/ready`);
  const url = `http://127.0.0.1:${port}/`;
  if (await statusOf(url) !== 200) throw new Error(`weft ${flags.join(' ')} did not answer 200`);
  return { target: { url, headers: {}, proxies: [proxy] }, proxy };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number) => n.toFixed(2);
const range = (xs: number[]) => `${fmt(Math.min(...xs))} … ${fmt(Math.max(...xs))}`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' },
  } });
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const workDir = mkdtempSync(join(tmpdir(), 'weft-observe-cost-'));
  // The proxies on one core, the upstream and wrk on the other, as `npm run bench` pins them.
  const [proxyCpu, loadCpu] = [1, 0];
  const port = await freePort();
  const upstream = await startUpstream(defaultUpstreamKind(), port, 64, workDir, loadCpu);
  const proxies: Running[] = [];
  try {
    const targets = new Map<Variant, Target>();
    for (const name of NAMES) {
      const { target, proxy } = await startProxy(`http://127.0.0.1:${port}`, VARIANTS[name], proxyCpu);
      proxies.push(proxy);
      targets.set(name, target);
    }
    const cpu = new Map<Variant, number[]>(NAMES.map((n) => [n, []]));
    const rps = new Map<Variant, number[]>(NAMES.map((n) => [n, []]));
    const load: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Each round starts with the next variant, so none always runs first (or last) in a round.
      for (let k = 0; k < NAMES.length; k++) {
        const name = NAMES[(r + k) % NAMES.length];
        const m = await measure(targets.get(name)!, 'saturated', { driver: defaultDriver(), seconds, warmupSeconds: 1, connections, rate: 0, cpu: loadCpu });
        cpu.get(name)!.push(m.proxyCpuUsPerRequest!);
        rps.get(name)!.push(m.rps);
      }
      load.push(loadavg()[0]);
    }
    console.log(`weft proxy --workers 1 under ${defaultDriver()} (${connections} connections, ${seconds} s per run, ${rounds} rounds, variants alternating); load average ${range(load)}\n`);
    console.log('| variant | flags | CPU µs/request, median (range) | req/s, median |');
    console.log('|---|---|---|---|');
    for (const name of NAMES) {
      console.log(`| ${name} | ${VARIANTS[name].join(' ') || '(none)'} | ${fmt(median(cpu.get(name)!))} (${range(cpu.get(name)!)}) | ${Math.round(median(rps.get(name)!))} |`);
    }
    // Differences within each round (same minute, same machine load), then their median and range.
    const diff = (a: Variant, b: Variant) => cpu.get(a)!.map((x, i) => x - cpu.get(b)![i]);
    console.log('\n| what it costs (on minus off, per round) | µs/request, median (range) |');
    console.log('|---|---|');
    for (const [what, off] of [['request stories', 'no-stories'], ['traffic counts (summaries, /metrics)', 'no-counts'], ['both', 'both-off']] as const) {
      const d = diff('on', off);
      console.log(`| ${what} | ${fmt(median(d))} (${range(d)}) |`);
    }
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
    await upstream.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
