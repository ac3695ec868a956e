// `npm run bench:tcp`: the weft-mesh-tcp target, redis-benchmark through two sidecars (opaque TCP over HTTP/2 CONNECT in mTLS) against redis-server directly.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagsHelp, parseFlags, usageError, type FlagSpec } from '../core/cli/flags.ts';
import { treeCpuMicros } from './cpu.ts';
import { freePort, start, waitUntil, type Running } from './processes.ts';
import { startMesh, stopTarget, type Target } from './targets.ts';
import { hasCommand } from './tools.ts';

const flags: FlagSpec[] = [
  { name: 'rounds', value: 'N', help: 'rounds of each target, taking turns; the report gives their medians', defaultText: '3' },
  { name: 'requests', value: 'N', help: 'requests of each command (SET, GET) per round', defaultText: '100000' },
  { name: 'clients', value: 'N', help: 'redis-benchmark connections', defaultText: '50' },
  { name: 'pipeline', value: 'N', help: 'commands each connection sends before reading replies', defaultText: '1' },
  { name: 'workers', value: 'N', help: 'Weft worker threads of each sidecar', defaultText: '1' },
  { name: 'no-pin', help: 'do not pin the sidecars to CPU 0 and redis and the load to CPU 1 (pinning applies only with --workers 1)' },
  { name: 'out', value: 'DIR', help: 'where mesh-tcp.json is written; "off" writes none', defaultText: 'bench/results' },
];

/** One redis-benchmark run: requests per second of each command, and the sidecars' CPU per request (mesh only). */
export type TcpRound = { setRps: number; getRps: number; p99Ms: number; cpuUsPerRequest?: number };

/** redis-benchmark --csv: a header line, then one quoted row per command (test, rps, avg, min, p50, p95, p99, max). */
export function parseBenchmarkCsv(text: string): Record<string, { rps: number; p99Ms: number }> {
  const out: Record<string, { rps: number; p99Ms: number }> = {};
  for (const line of text.trim().split('\n').slice(1)) {
    const cells = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    if (cells.length >= 7) out[cells[0]] = { rps: Number(cells[1]), p99Ms: Number(cells[6]) };
  }
  return out;
}

function redisBenchmark(port: number, o: { requests: number; clients: number; pipeline: number }, cpu: number | undefined): Promise<string> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-n', String(o.requests), '-c', String(o.clients), '-P', String(o.pipeline), '-t', 'set,get', '--csv'];
  const [file, argv] = cpu !== undefined && hasCommand('taskset') ? ['taskset', ['-c', String(cpu), 'redis-benchmark', ...args]] : ['redis-benchmark', args];
  return new Promise((done, fail) => {
    execFile(file, argv, { timeout: 600_000 }, (err, stdout, stderr) => (err ? fail(new Error(`redis-benchmark failed: ${stderr || err.message}`)) : done(stdout)));
  });
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((done) => execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING'], { timeout: 2000 }, (err, out) => done(!err && out.trim() === 'PONG')));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const progress = (line: string) => process.stderr.write(`bench:tcp: ${line}\n`);

async function measure(port: number, proxies: Running[], o: { requests: number; clients: number; pipeline: number }, cpu: number | undefined): Promise<TcpRound> {
  const before = proxies.reduce((n, p) => n + treeCpuMicros(p.pid), 0);
  const rows = parseBenchmarkCsv(await redisBenchmark(port, o, cpu));
  const spent = proxies.reduce((n, p) => n + treeCpuMicros(p.pid), 0) - before;
  if (!rows.SET || !rows.GET) throw new Error('redis-benchmark printed no SET and GET rows');
  return {
    setRps: rows.SET.rps, getRps: rows.GET.rps, p99Ms: Math.max(rows.SET.p99Ms, rows.GET.p99Ms),
    ...(proxies.length ? { cpuUsPerRequest: spent / (2 * o.requests) } : {}),
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(flags, argv, process.env);
  if (values.help) {
    console.log(flagsHelp('usage: node bench/mesh-tcp.ts [options]\n\nredis-benchmark against redis-server directly and through two sidecars (weft-mesh-tcp)', flags));
    return 0;
  }
  for (const tool of ['redis-server', 'redis-benchmark', 'redis-cli']) if (!hasCommand(tool)) throw usageError(`${tool} is not installed (apt-get install redis-server redis-tools)`);
  const n = (k: string, fallback: number) => {
    const v = values[k] === undefined ? fallback : Number(values[k]);
    if (!Number.isInteger(v) || v < 1) throw usageError(`--${k}: expected an integer ≥ 1, got "${String(values[k])}"`);
    return v;
  };
  const o = { rounds: n('rounds', 3), requests: n('requests', 100_000), clients: n('clients', 50), pipeline: n('pipeline', 1), workers: n('workers', 1) };
  // As bench/run.ts pins: the sidecars on CPU 0, redis and the load on CPU 1, with one worker each.
  const pinned = !values['no-pin'] && o.workers === 1 && os.availableParallelism() >= 2 && hasCommand('taskset');
  const [proxyCpu, sideCpu] = pinned ? [0, 1] : [undefined, undefined];
  const workDir = mkdtempSync(join(os.tmpdir(), 'weft-bench-tcp-'));
  const redisPort = await freePort();
  const redis = start('redis-server', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { cpu: sideCpu });
  let mesh: Target | undefined;
  const rounds: { direct: TcpRound[]; mesh: TcpRound[] } = { direct: [], mesh: [] };
  try {
    await waitUntil([redis], 'answering PING', () => redisPing(redisPort));
    const ctx = { upstream: new URL(`http://127.0.0.1:${redisPort}/`), workers: o.workers, workDir, cpu: proxyCpu, sideCpu, bodyBytes: 0, weft: 'sources' as const };
    mesh = await startMesh(ctx, 'weft-mesh', {
      app: `127.0.0.1:${redisPort}`,
      serverFlags: ['--app-protocol', 'tcp'],
      through: (children, bind) => waitUntil(children, 'answering PING through the mesh', () => redisPing(bind), 30_000),
    });
    const bindPort = Number(new URL(mesh.url).port);
    for (let round = 0; round < o.rounds; round++) {
      for (const [name, port, proxies] of [['direct', redisPort, []], ['mesh', bindPort, mesh.proxies]] as const) {
        const r = await measure(port, [...proxies], o, sideCpu);
        rounds[name].push(r);
        progress(`${name === 'mesh' ? 'weft-mesh-tcp' : 'redis-direct'} round ${round + 1}: SET ${Math.round(r.setRps)}/s, GET ${Math.round(r.getRps)}/s, p99 ${r.p99Ms} ms${r.cpuUsPerRequest === undefined ? '' : `, ${r.cpuUsPerRequest.toFixed(1)} µs CPU/req (both sidecars)`}`);
      }
    }
  } finally {
    if (mesh) await stopTarget(mesh);
    await redis.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const summary = (rs: TcpRound[]) => ({
    setRps: median(rs.map((r) => r.setRps)), getRps: median(rs.map((r) => r.getRps)), p99Ms: median(rs.map((r) => r.p99Ms)),
    ...(rs[0]?.cpuUsPerRequest === undefined ? {} : { cpuUsPerRequest: median(rs.map((r) => r.cpuUsPerRequest!)) }),
  });
  const direct = summary(rounds.direct);
  const through = summary(rounds.mesh);
  const report = {
    startedAt: new Date().toISOString(), loadAverage: os.loadavg()[0], pinned, settings: o,
    targets: { 'redis-direct': { ...direct, rounds: rounds.direct }, 'weft-mesh-tcp': { ...through, rounds: rounds.mesh } },
  };
  const out = values.out as string | undefined ?? fileURLToPath(new URL('results/', import.meta.url));
  if (out !== 'off') {
    mkdirSync(resolve(out), { recursive: true });
    writeFileSync(join(resolve(out), 'mesh-tcp.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log([
    '| target | SET req/s | GET req/s | × direct (SET, GET) | p99 ms | sidecars CPU µs/req |',
    '|---|---:|---:|---:|---:|---:|',
    `| redis-direct | ${Math.round(direct.setRps)} | ${Math.round(direct.getRps)} | 1.00, 1.00 | ${direct.p99Ms} | |`,
    `| weft-mesh-tcp | ${Math.round(through.setRps)} | ${Math.round(through.getRps)} | ${ratio(through.setRps, direct.setRps)}, ${ratio(through.getRps, direct.getRps)} | ${through.p99Ms} | ${through.cpuUsPerRequest?.toFixed(1)} (both) |`,
  ].join('\n'));
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    console.error(`bench:tcp: ${(err as Error).message}`);
    process.exitCode = (err as { exitCode?: number }).exitCode ?? 1;
  }
}
