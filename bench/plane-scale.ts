// Plane scale: N light watch clients in this process against one real `weft plane`; how long a push takes to reach them all, and the plane's memory.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WEFT_BIN } from '../core/proxy/spawn.ts';
import { versionedFilter } from '../plane/test/modules.ts';

const { values } = parseArgs({ allowNegative: true, options: {
  clients: { type: 'string', default: '1000' },
  pushes: { type: 'string', default: '5' },
  ack: { type: 'boolean', default: true },
} });
const CLIENTS = Number(values.clients);
const PUSHES = Number(values.pushes);

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function startPlane(dataDir: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [WEFT_BIN, 'plane', '--listen', '127.0.0.1:0', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stderr!.on('data', (d) => {
      stderr += d;
      const m = /"url":"(http:[^"]+)"/.exec(stderr);
      if (m) resolve(m[1]);
    });
    proc.once('close', (code) => reject(new Error(`plane exited ${code}: ${stderr}`)));
  });
  return { url, pid: proc.pid!, async stop() { const e = once(proc, 'exit'); proc.kill('SIGTERM'); await e; } };
}

async function call(url: string, method: string, token: string, body?: Uint8Array | string): Promise<void> {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}` }, body });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** One light client: a watch stream, newline-delimited JSON, an ACK per snapshot (as a proxy sends). */
function watch(agent: Agent, base: string, node: string, token: string, onSnapshot: (node: string, version: string, filterVersion: string) => void): void {
  const req = request(`${base}/v1/watch?node=${node}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as { type: string; snapshot?: { version: string; filters: { version: string }[] } };
        if (msg.type !== 'snapshot') continue;
        const s = msg.snapshot!;
        onSnapshot(node, s.version, s.filters[0]?.version ?? '');
        if (values.ack) {
          const ack = request(`${base}/v1/nodes/${node}/ack`, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (r) => r.resume());
          ack.end(JSON.stringify({ version: s.version, ok: true, appliedAt: Date.now() }));
        }
      }
    });
  });
  req.end();
}

const dataDir = mkdtempSync(join(tmpdir(), 'weft-plane-scale-'));
const plane = await startPlane(dataDir);
const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
try {
  await call(`${plane.url}/v1/filters/hdr/versions/0`, 'PUT', token, await versionedFilter('v0'));
  await call(`${plane.url}/v1/mesh`, 'PUT', token, JSON.stringify({ clusters: [{ name: 'app', endpoints: ['http://127.0.0.1:9'] }], routes: [{ cluster: 'app' }], filters: [{ name: 'hdr' }] }));
  const rssIdle = rssMiB(plane.pid);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const arrived = new Map<string, Map<string, number>>();
  const onSnapshot = (node: string, _version: string, filterVersion: string) => {
    const m = arrived.get(filterVersion) ?? new Map<string, number>();
    if (!m.has(node)) m.set(node, performance.now());
    arrived.set(filterVersion, m);
  };
  for (let i = 0; i < CLIENTS; i++) watch(agent, plane.url, `sim-${i}`, token, onSnapshot);
  const waitAll = async (v: string, ms: number) => {
    const deadline = Date.now() + ms;
    while ((arrived.get(v)?.size ?? 0) < CLIENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return arrived.get(v)?.size ?? 0;
  };
  const connected = await waitAll('0', 60_000);
  if (connected < CLIENTS) throw new Error(`only ${connected} of ${CLIENTS} clients got the first snapshot`);
  await new Promise((r) => setTimeout(r, 1000));
  const rssConnected = rssMiB(plane.pid);
  const rows: { push: number; p50: number; p99: number; max: number }[] = [];
  let rssPeak = rssConnected;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssMiB(plane.pid)); }, 25);
  for (let p = 1; p <= PUSHES; p++) {
    const bytes = await versionedFilter(`v${p}`);
    const t0 = performance.now();
    await call(`${plane.url}/v1/filters/hdr/versions/${p}`, 'PUT', token, bytes);
    const got = await waitAll(String(p), 30_000);
    if (got < CLIENTS) throw new Error(`push ${p}: only ${got} of ${CLIENTS} clients received it`);
    const times = [...arrived.get(String(p))!.values()].map((t) => (t - t0) / 1000).sort((a, b) => a - b);
    rows.push({ push: p, p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1)! });
    // Let the ACKs land before the next push so pushes measure propagation, not a queue of acks.
    await new Promise((r) => setTimeout(r, 500));
  }
  clearInterval(sampler);
  // The sandbox worker (binaryen) exits 2 s after the last check; what stays is the cost of the watchers.
  await new Promise((r) => setTimeout(r, 3000));
  const rssSteady = rssMiB(plane.pid);
  const p99s = rows.map((r) => r.p99).sort((a, b) => a - b);
  console.log(`plane-scale: ${CLIENTS} watch clients, ${PUSHES} pushes (push request sent -> snapshot received by each client${values.ack ? ', every client ACKs' : ''})`);
  for (const r of rows) console.log(`  push ${r.push}: p50 ${(r.p50 * 1000).toFixed(0)} ms  p99 ${(r.p99 * 1000).toFixed(0)} ms  max ${(r.max * 1000).toFixed(0)} ms`);
  console.log(`  worst p99 ${(p99s.at(-1)! * 1000).toFixed(0)} ms (goal < 2000 ms)`);
  console.log(`  plane RSS: ${rssIdle.toFixed(0)} MiB before the watchers, ${rssConnected.toFixed(0)} MiB with ${CLIENTS} watchers, ${rssPeak.toFixed(0)} MiB peak during pushes, ${rssSteady.toFixed(0)} MiB after (goal < 300 MiB)`);
  agent.destroy();
} finally {
  await plane.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
