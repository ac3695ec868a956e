// The telemetry's share of a running `weft proxy`'s CPU under wrk, from a V8 CPU profile of the proxy (--cpu-prof, worker thread included): time sampled in core/observe/story.ts and traffic.ts (with latency.ts's bucket search) per request, against the proxy's whole CPU per request.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run, startProxy } from './observe-cost.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';
import { freePort } from './processes.ts';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** How long a profiled proxy may take to exit (and write its profiles) after SIGTERM. */
const EXIT_WAIT_MS = 30_000;

/** The files whose code is the per-request telemetry. */
const PARTS = { stories: ['core/observe/story.ts'], counts: ['core/observe/traffic.ts', 'core/observe/latency.ts'] } as const;

/**
 * Sampled µs per part, and of everything but idle, summed over the profiles (the main thread's and the worker's).
 * A sample counts for a part when any frame of its stack is in the part's files: what they call (the clock read of
 * each story step, Map and typed-array built-ins) is their cost too.
 */
function attribute(profiles: Profile[]): { stories: number; counts: number; busy: number } {
  const out = { stories: 0, counts: 0, busy: 0 };
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    p.samples.forEach((id, i) => {
      const us = p.timeDeltas[i] ?? 0;
      if (byId.get(id)!.callFrame.functionName === '(idle)') return;
      out.busy += us;
      const seen = { stories: false, counts: false };
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const url = byId.get(n)!.callFrame.url;
        for (const part of ['stories', 'counts'] as const) if (PARTS[part].some((f) => url.endsWith(f))) seen[part] = true;
      }
      if (seen.stories) out.stories += us;
      if (seen.counts) out.counts += us;
    });
  }
  return out;
}

export interface ObserveProfile {
  /** The proxy's CPU µs per request (schedstat) and the rate it served. */
  cpu: number;
  rps: number;
  requests: number;
  /** Shares of the busy samples. */
  stories: number;
  counts: number;
}

/** One profiled run of the `on` proxy: `seconds` of saturated load over `connections`. */
export async function observeProfile(seconds: number, connections: number): Promise<ObserveProfile> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-observe-profile-'));
  const port = await freePort();
  const upstream = await startUpstream(defaultUpstreamKind(), port, 64, dir, 0);
  try {
    const { target, proxy } = await startProxy(`http://127.0.0.1:${port}`, [], 1, { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(dir, 'prof')}` });
    let r: { cpu: number; rps: number };
    try {
      r = await run(target, proxy.pid, seconds, connections, 0, 0);
    } finally {
      // The profiles are written as the proxy exits, which can take longer than stop()'s 5 s before its SIGKILL.
      const t0 = Date.now();
      process.kill(proxy.pid, 'SIGTERM');
      await Promise.race([proxy.exit, new Promise((resolve) => setTimeout(resolve, EXIT_WAIT_MS).unref())]);
      await proxy.stop();
      if (!existsSync(join(dir, 'prof'))) throw new Error(`the proxy wrote no profile (stopped in ${Date.now() - t0} ms): ${proxy.output()}`);
    }
    const profiles = readdirSync(join(dir, 'prof')).map((f) => JSON.parse(readFileSync(join(dir, 'prof', f), 'utf8')) as Profile);
    const a = attribute(profiles);
    // The profile covers start-up and the warm-up too: its shares are applied to the CPU per request measured under load.
    return { cpu: r.cpu, rps: r.rps, requests: Math.round(r.rps * seconds), stories: a.stories / a.busy, counts: a.counts / a.busy };
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '16' } } });
  const [seconds, connections] = [Number(values.seconds), Number(values.connections)];
  const p = await observeProfile(seconds, connections);
  const part = (share: number) => `${(100 * share).toFixed(2)}% of busy samples ≈ ${(share * p.cpu).toFixed(2)} µs/request`;
  console.log(`weft proxy --workers 1 under wrk (${connections} connections, ${seconds} s), profiled; load average ${loadavg()[0].toFixed(2)}`);
  console.log(`  CPU per request (schedstat):  ${p.cpu.toFixed(2)} µs at ${Math.round(p.rps)} req/s, ${p.requests} requests`);
  console.log(`  request stories (story.ts):   ${part(p.stories)}`);
  console.log(`  traffic counts (traffic.ts, latency.ts): ${part(p.counts)}`);
}
