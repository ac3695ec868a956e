// A mesh across hosts: Linux network namespaces on a bridge stand for the hosts (planes on P and Q over etcd on E, frontend on A, orders on B1 and B2), every weft process is dist/weft, and faults strike under steady traffic whose every request is counted.
//
// The CI kernel has no netem (CONFIG_NET_SCH_NETEM is not set: `tc qdisc add … netem` answers "Specified qdisc kind is
// unknown"), so the slowed orders host's added delay is a userspace TCP relay in its namespace in front of its sidecar's
// port (test/support/delay-relay.ts, reached through an iptables REDIRECT), and its loss an iptables rule that drops 5%
// of the packets it receives (`-m statistic --mode random`).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { buildBin, executablePath } from '../release/build.ts';
import { readyLine } from '../core/proxy/spawn.ts';
import { createNetwork, requireRoot, sweepLeftovers } from './support/netns.ts';
import { waitFor } from './support/wait.ts';
import type { Host, Network } from './support/netns.ts';

const DOMAIN = 'mesh.test';
const PLANE_PORT = 7900;
const ETCD_PORT = 2379;
const INBOUND_PORT = 15006;
/** The delay relay in front of an orders sidecar (an iptables REDIRECT sends the inbound port's traffic there). */
const RELAY_PORT = 15106;
const APP_PORT = 8080;
const BIND_PORT = 9001;
const ADMIN_PORT = 9901;
/** Requests per second into the frontend, each through both sidecars. */
const RATE = 25;
/** How long B1 stays cut off: longer than the sidecar's route timeout (15 s), so requests stranded on it time out. */
const B1_DOWN_MS = 20_000;
/** How long the busier orders host stays slow and lossy. */
const SLOW_MS = 15_000;
const PLANE_DOWN_MS = 30_000;
/** Every wait for the mesh to react: generous, for a machine twice as slow as CI's. */
const WINDOW_MS = 60_000;
const support = (file: string) => fileURLToPath(new URL(`./support/${file}`, import.meta.url));

type HostName = 'p' | 'q' | 'e' | 'a' | 'b1' | 'b2';
let net: Network | undefined;
let hosts: Record<HostName, Host>;
let token = '';
const planes: Partial<Record<'p' | 'q', Plane>> = {};
const relays = new Map<string, ChildProcess>();
let traffic: Traffic | undefined;

interface Plane { url: string; proc: ChildProcess; dataDir: string }
interface NodeStatus { node: string; connected: boolean; version: string; last?: { at: number; ok: boolean } }

/** Starts a process inside a host and resolves once its output contains `ready`; rejects with its last output if it exits first. */
async function startIn(host: Host, command: string, args: string[], ready: string, label: string): Promise<ChildProcess> {
  const proc = net!.spawn(host, command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} on ${host.name} was not ready within ${WINDOW_MS / 1000} s:\n${output.slice(-2000)}`)), WINDOW_MS);
    const onData = (d: Buffer) => {
      output += d;
      if (!output.includes(ready)) return;
      clearTimeout(timer);
      resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} on ${host.name} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  // Keep reading, so a chatty process never blocks on a full pipe.
  proc.stdout!.resume();
  proc.stderr!.resume();
  return proc;
}

async function startPlane(host: Host, dataDir: string, extra: string[] = []): Promise<Plane> {
  const proc = net!.spawn(host, executablePath, ['plane', '--listen', `${host.addr}:${PLANE_PORT}`, '--data-dir', dataDir,
    '--store', `etcd:http://${hosts.e.addr}:${ETCD_PORT}`, '--trust-domain', DOMAIN, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { url } = await readyLine(proc, `weft plane on ${host.name}`, 'weft plane ready', WINDOW_MS) as { url: string };
  proc.stdout!.resume();
  proc.stderr!.resume();
  return { url, proc, dataDir };
}

const planeUrls = () => `http://${hosts.p.addr}:${PLANE_PORT},http://${hosts.q.addr}:${PLANE_PORT}`;

/** `weft ARGS` run from the test's own namespace (the bridge reaches every host) against the planes. */
async function weft(args: string[]): Promise<string> {
  const proc = spawn(executablePath, args, { env: { ...process.env, WEFT_PLANE: planeUrls(), WEFT_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(proc, 'close');
  if (code !== 0) throw new Error(`weft ${args.join(' ')} exited with ${code}: ${stderr}`);
  return stdout;
}

async function planeJson<T>(plane: Plane, path: string): Promise<T> {
  const res = await request(`${plane.url}${path}`, { headers: { authorization: `Bearer ${token}` }, headersTimeout: 3000, bodyTimeout: 3000 });
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${await res.body.text()}`);
  return await res.body.json() as T;
}

const status = (plane: Plane) => planeJson<{ version: string; nodes: NodeStatus[] }>(plane, '/v1/status');

async function sidecar(host: Host, service: string, extra: string[]): Promise<ChildProcess> {
  const joinToken = (await weft(['identity', 'token', '--service', service])).trim();
  return startIn(host, executablePath, ['proxy', '--plane', planeUrls(), '--token', token, '--node', host.name,
    '--data-dir', join(net!.dir, `proxy-${host.name}`), '--join-token', joinToken, '--service', service,
    '--inbound', `${host.addr}:${INBOUND_PORT}`, '--app', `127.0.0.1:${APP_PORT}`, '--admin', `${host.addr}:${ADMIN_PORT}`,
    '--workers', '1', '--drain-timeout', '1s', ...extra], '"weft proxy ready"', `the ${service} sidecar`);
}

async function stopProc(proc: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill(signal);
  await exited;
}

/** One request of the steady traffic: sent and answered (ms on the traffic's clock), its status and the orders host that served it. */
interface Sent { at: number; done: number; status: number; host: string; error: string }

/** Open-loop traffic into the frontend's sidecar at RATE per second; every request is recorded. */
class Traffic {
  readonly sent: Sent[] = [];
  readonly #t0 = performance.now();
  readonly #agent = new Agent({ connections: 256 });
  readonly #timer: NodeJS.Timeout;
  readonly #inFlight = new Set<Promise<void>>();
  #stopped = false;

  constructor(url: string) {
    this.#timer = setInterval(() => {
      const p = this.#one(url);
      this.#inFlight.add(p);
      void p.finally(() => this.#inFlight.delete(p));
    }, 1000 / RATE);
  }

  now(): number {
    return performance.now() - this.#t0;
  }

  async #one(url: string): Promise<void> {
    const r: Sent = { at: this.now(), done: 0, status: 0, host: '', error: '' };
    this.sent.push(r);
    try {
      // Longer than the sidecars' route timeout (15 s): the mesh, not this client, decides that a request failed.
      const res = await request(url, { dispatcher: this.#agent, headersTimeout: 40_000, bodyTimeout: 40_000 });
      const body = await res.body.text();
      r.status = res.statusCode;
      if (res.statusCode === 200) r.host = (JSON.parse(body) as { host: string }).host;
      else r.error = String(res.headers['x-weft-error'] ?? body.slice(0, 200));
    } catch (err) {
      r.error = (err as Error).message;
    }
    r.done = this.now();
  }

  /** Stops sending and waits for every request still in flight. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.all(this.#inFlight);
    await this.#agent.close();
  }

  /** Requests sent in [from, to). */
  between(from: number, to = Infinity): Sent[] {
    return this.sent.filter((r) => r.at >= from && r.at < to);
  }

  /** Resolves once every request sent before `t` has its answer. */
  answeredUpTo(t: number): Promise<true> {
    return waitFor('the requests sent so far answered', () => this.between(0, t).every((r) => r.done > 0) || undefined, WINDOW_MS);
  }
}

const failed = (r: Sent) => r.status !== 200;
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** A check that reads a plane or the mesh for waitFor: a read that fails (a plane still unreachable) means "not yet". */
const notYet = <T>(check: () => Promise<T>) => () => check().catch(() => undefined);

/** What each host served among `rs`, and the failures by code. */
function spread(rs: Sent[]): string {
  const by = new Map<string, number>();
  for (const r of rs) {
    const key = r.status === 200 ? r.host : `failed ${r.status} ${r.error}`;
    by.set(key, (by.get(key) ?? 0) + 1);
  }
  return [...by].sort().map(([k, v]) => `${k}: ${v}`).join(', ');
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[sorted.length >> 1] : NaN;
}

/** One row of the figures table: the fault, what was sent and failed while it lasted, and how long recovery took. */
interface Figure { fault: string; sent: number; failed: number; recovery: string }
const figures: Figure[] = [];

before(async () => {
  requireRoot();
  // Cached by content (as test/executable.test.ts): it builds only when a source changed since the last build.
  await buildBin({ ifChanged: true });
}, { timeout: 600_000 });

/** Makes the hosts and starts etcd, plane P, the apps and their sidecars; `t.after` (registered first) undoes all of it. */
async function buildMesh(): Promise<void> {
  const swept = sweepLeftovers();
  if (swept.length) console.log(`# removed what a killed earlier run left: ${swept.join(' ')}`);
  net = createNetwork(['p', 'q', 'e', 'a', 'b1', 'b2']);
  hosts = net.hosts as Record<HostName, Host>;

  const etcd = `http://${hosts.e.addr}:${ETCD_PORT}`;
  const peer = `http://${hosts.e.addr}:2380`;
  await startIn(hosts.e, 'etcd', ['--data-dir', join(net.dir, 'etcd'), '--name', 'e', '--listen-client-urls', etcd, '--advertise-client-urls', etcd,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `e=${peer}`], 'ready to serve client requests', 'etcd');
  planes.p = await startPlane(hosts.p, join(net.dir, 'plane-p'));
  token = readFileSync(join(planes.p.dataDir, 'token'), 'utf8').trim();

  for (const b of [hosts.b1, hosts.b2]) {
    await startIn(b, process.execPath, [support('netns-app.ts'), b.name, String(APP_PORT)], 'listening', 'orders');
    relays.set(b.name, await startIn(b, process.execPath, [support('delay-relay.ts'), String(RELAY_PORT), `${b.addr}:${INBOUND_PORT}`], 'listening', 'the delay relay'));
    // From the first connection on, the mesh port's traffic passes the relay (0 ms until a fault sets a delay).
    net.exec(b, 'iptables', ['-t', 'nat', '-A', 'PREROUTING', '-i', 'eth0', '-p', 'tcp', '--dport', String(INBOUND_PORT), '-j', 'REDIRECT', '--to-ports', String(RELAY_PORT)]);
  }
  await startIn(hosts.a, process.execPath, [support('netns-app.ts'), 'a', String(APP_PORT), `http://127.0.0.1:${BIND_PORT}`], 'listening', 'frontend');
  await Promise.all([
    sidecar(hosts.b1, 'orders', []),
    sidecar(hosts.b2, 'orders', []),
    sidecar(hosts.a, 'frontend', ['--bind', `orders=127.0.0.1:${BIND_PORT}`, '--permissive']),
  ]);
}

// Bounded: the faults take ~2 min of steady traffic (3 min in all unloaded, 4.5 on a machine at load 25); the timeout
// (then t.after's clean-up) ends a run that hangs.
test('a mesh across hosts: a host cut off, a slow and lossy host, the plane unreachable, a plane replica killed', { timeout: 300_000 }, async (t) => {
  // Whatever failed, the hosts and every process in them go: a failure here must not keep net.close() from running.
  t.after(async () => {
    try {
      await traffic?.stop();
    } finally {
      await net?.close();
    }
  });
  await buildMesh();
  const frontend = `http://${hosts.a.addr}:${INBOUND_PORT}/checkout`;
  const b1Endpoint = `http://${hosts.b1.addr}:${INBOUND_PORT}`;
  const inRegistry = async (plane: Plane, endpoint: string) =>
    (await planeJson<{ services?: { name: string; endpoints: string[] }[] }>(plane, '/v1/snapshot')).services?.find((x) => x.name === 'orders')?.endpoints.includes(endpoint) ?? false;
  // Windows in which failures are allowed (sent-time bounds on the traffic's clock); none anywhere else.
  const allowed: [number, number][] = [];

  await t.test('frontend on A calls orders on B1 and B2 over mTLS between hosts', async () => {
    const seen = new Map<string, string>();
    await waitFor('answers from orders on b1 and b2, through the mesh', notYet(async () => {
      const res = await request(frontend, { headersTimeout: 5000, bodyTimeout: 5000 });
      const body = await res.body.text();
      if (res.statusCode === 200) {
        const { host, caller } = JSON.parse(body) as { host: string; caller: string };
        seen.set(host, caller);
      }
      return seen.size === 2 || undefined;
    }), WINDOW_MS);
    // Each orders sidecar verified frontend's certificate on the connection from A and told its app so.
    const callerSeen = `By=spiffe://${DOMAIN}/ns/default/sa/orders;URI=spiffe://${DOMAIN}/ns/default/sa/frontend`;
    assert.deepEqual(Object.fromEntries(seen), { b1: callerSeen, b2: callerSeen });
    traffic = new Traffic(frontend);
    await sleep(5000);
    const upTo = traffic.now();
    await traffic.answeredUpTo(upTo);
    const rs = traffic.between(0, upTo);
    t.diagnostic(`steady: ${rs.length} requests, ${spread(rs)}`);
    assert.equal(rs.filter(failed).length, 0, spread(rs));
  });

  await t.test('B1 cut off: its instance drops out, traffic goes to B2, the requests stranded on B1 are the only failures; B1 back is used again', async () => {
    const tr = traffic!;
    const cut = tr.now();
    net!.cut(hosts.b1);
    await waitFor('B1 out of the registry', notYet(async () => !(await inRegistry(planes.p!, b1Endpoint)) || undefined), WINDOW_MS);
    const dropped = tr.now();
    // What reached A's sidecar before the snapshot without B1 may still go there; after that, nothing may fail.
    const window: [number, number] = [cut, dropped + 5000];
    allowed.push(window);
    await sleep(Math.max(0, cut + B1_DOWN_MS - tr.now()));
    const restored = tr.now();
    net!.restore(hosts.b1);
    const back = await waitFor('a request served by B1 again', () => tr.between(restored).find((r) => r.host === 'b1'), WINDOW_MS);
    await tr.answeredUpTo(window[1]);
    const during = tr.between(cut, back.at);
    const lost = during.filter(failed);
    const lastFailure = lost.length ? lost[lost.length - 1].at - cut : 0;
    t.diagnostic(`B1 cut: out of the registry after ${s1(dropped - cut)}; ${during.length} requests until B1 served again, ${spread(during)}`);
    for (const r of lost) t.diagnostic(`  failed: sent at +${s1(r.at - cut)}, answered at +${s1(r.done - cut)}: ${r.status} ${r.error}`);
    t.diagnostic(`B1 back: served again ${s1(back.at - restored)} after its link came up`);
    figures.push({ fault: 'B1 cut off (link down 20 s)', sent: during.length, failed: lost.length, recovery: `B1 out of the registry after ${s1(dropped - cut)}; last failed request sent at +${s1(lastFailure)}` });
    figures.push({ fault: 'B1 back', sent: tr.between(restored, back.at).length, failed: tr.between(restored, back.at).filter(failed).length, recovery: `served by B1 again after ${s1(back.at - restored)}` });
    // Bounded: only requests that A's sidecar sent to B1 before it dropped out, each answered 504 at the route timeout.
    assert.ok(lost.length <= 10, `${lost.length} requests failed: ${spread(lost)}`);
    for (const r of lost) {
      assert.ok(r.at >= window[0] && r.at < window[1], `a request sent at +${s1(r.at - cut)} failed, after B1 had dropped out`);
      assert.equal(r.error, 'WEFT_ERR_UPSTREAM_TIMEOUT', `${r.status} ${r.error}`);
    }
  });

  await t.test('the busier orders host 200 ms slower and dropping 5% of its packets: peak-EWMA moves the load away, nothing fails', async () => {
    const tr = traffic!;
    const calm = tr.now();
    await sleep(10_000);
    const slow = tr.now();
    const before = tr.between(calm, slow);
    // At this rate peak-EWMA gives nearly all requests to whichever host answered a little faster: slowing the one it
    // favours is what shows the load moving (slowing the other would leave the share it had, close to nothing).
    const onB1 = before.filter((r) => r.host === 'b1').length;
    const victim = onB1 * 2 >= before.length ? hosts.b1 : hosts.b2;
    const on = (rs: Sent[]) => rs.filter((r) => r.host === victim.name);
    relays.get(victim.name)!.stdin!.write('delay 200\n');
    const loss = ['INPUT', '-i', 'eth0', '-m', 'statistic', '--mode', 'random', '--probability', '0.05', '-j', 'DROP'];
    net!.exec(victim, 'iptables', ['-A', ...loss]);
    await sleep(SLOW_MS);
    const healed = tr.now();
    relays.get(victim.name)!.stdin!.write('delay 0\n');
    net!.exec(victim, 'iptables', ['-D', ...loss]);
    await tr.answeredUpTo(healed);
    const during = tr.between(slow, healed);
    // The first slow answers are what tells the balancer: the share is judged from the second second on.
    const settled = tr.between(slow + 1000, healed);
    const ms = (rs: Sent[]) => median(rs.map((r) => r.done - r.at)).toFixed(0);
    const last = on(during).at(-1);
    t.diagnostic(`${victim.name} slow: before ${spread(before)} (median ${ms(before)} ms); during ${spread(during)} (median ${ms(during)} ms, ${victim.name}'s ${ms(on(during))} ms)`);
    const share = (rs: Sent[]) => `${on(rs).length} of ${rs.length} (${((100 * on(rs).length) / rs.length).toFixed(1)}%)`;
    figures.push({ fault: `${victim.name} (the busier) +200 ms, 5% loss (15 s)`, sent: during.length, failed: during.filter(failed).length,
      recovery: `${victim.name} served ${share(before)} before, ${share(settled)} from the second second on; the last request sent to it at +${last ? s1(last.at - slow) : '-'}; median latency ${ms(during)} ms` });
    assert.equal(during.filter(failed).length, 0, spread(during));
    // Round robin would keep half on it. Unloaded it keeps under 1%; on a loaded machine every answer is slow, the
    // difference matters less, and what is asserted is that its share at least halves.
    assert.ok(on(settled).length / settled.length <= on(before).length / before.length / 2, `${victim.name} served ${share(before)} before, ${share(settled)} while slow`);
  });

  await t.test('the plane\'s host unreachable for 30 s: traffic goes on; the sidecars reconnect and ACK when it returns', async () => {
    const tr = traffic!;
    const before = await status(planes.p!);
    assert.deepEqual(before.nodes.map((n) => [n.node, n.connected]).sort(), [['a', true], ['b1', true], ['b2', true]]);
    const cut = tr.now();
    net!.cut(hosts.p);
    await sleep(PLANE_DOWN_MS);
    const returned = tr.now();
    const returnedAt = Date.now();
    net!.restore(hosts.p);
    const after = await waitFor('every sidecar watching P again, with an ACK since it returned', notYet(async () => {
      const s = await status(planes.p!);
      const back = s.nodes.filter((n) => n.connected && n.last?.ok && n.last.at >= returnedAt && n.version === s.version);
      return back.length === 3 ? s : undefined;
    }), WINDOW_MS);
    const acked = tr.now();
    await sleep(3000);
    const upTo = tr.now();
    await tr.answeredUpTo(upTo);
    const during = tr.between(cut, upTo);
    t.diagnostic(`plane unreachable: ${spread(during)}; every sidecar watching and ACKed ${s1(acked - returned)} after it returned (version ${after.version})`);
    figures.push({ fault: 'plane host unreachable (30 s)', sent: during.length, failed: during.filter(failed).length, recovery: `every sidecar reconnected and ACKed ${s1(acked - returned)} after it returned` });
    assert.equal(during.filter(failed).length, 0, spread(during));
    assert.ok(await inRegistry(planes.p!, b1Endpoint), 'no instance was dropped for the plane\'s own absence');
  });

  await t.test('a second plane replica on Q; P\'s plane killed: the sidecars fail over to Q, P restarts on the same etcd', async () => {
    const tr = traffic!;
    const start = tr.now();
    planes.q = await startPlane(hosts.q, join(net!.dir, 'plane-q'), ['--token-file', join(planes.p!.dataDir, 'token')]);
    // Q's own CA root joins the trust bundle: a new version, which every sidecar applies.
    const version = await waitFor('every sidecar on the version both replicas serve', notYet(async () => {
      const [p, q] = [await status(planes.p!), await status(planes.q!)];
      return p.version === q.version && p.nodes.length === 3 && p.nodes.every((n) => n.version === p.version) ? p.version : undefined;
    }), WINDOW_MS);
    const killed = tr.now();
    const killedAt = Date.now();
    await stopProc(planes.p!.proc, 'SIGKILL');
    await waitFor('every sidecar watching Q, with an ACK there', notYet(async () => {
      const s = await status(planes.q!);
      const moved = s.nodes.filter((n) => n.connected && n.last?.ok && n.last.at >= killedAt && n.version === version);
      return moved.length === 3 || undefined;
    }), WINDOW_MS);
    const failedOver = tr.now();
    planes.p = await startPlane(hosts.p, planes.p!.dataDir);
    const restarted = tr.now();
    assert.equal((await status(planes.p)).version, version, 'P restarted serves what Q serves (one etcd)');
    await sleep(3000);
    const upTo = tr.now();
    await tr.answeredUpTo(upTo);
    const during = tr.between(start, upTo);
    t.diagnostic(`plane killed: ${spread(during)}; every sidecar on Q ${s1(failedOver - killed)} after the kill; P ready again after ${s1(restarted - killed)}`);
    figures.push({ fault: 'plane P killed, replica on Q', sent: during.length, failed: during.filter(failed).length, recovery: `every sidecar watching Q and ACKed ${s1(failedOver - killed)} after the kill` });
    assert.equal(during.filter(failed).length, 0, spread(during));
  });

  await t.test('every request is accounted for: failures only inside the windows reported', async () => {
    const tr = traffic!;
    await tr.stop();
    const all = tr.sent;
    const outside = all.filter((r) => failed(r) && !allowed.some(([from, to]) => r.at >= from && r.at < to));
    t.diagnostic(`all: ${all.length} requests sent, ${all.filter(failed).length} failed`);
    t.diagnostic('| fault | requests sent | failed | recovery |');
    t.diagnostic('|---|---|---|---|');
    for (const f of figures) t.diagnostic(`| ${f.fault} | ${f.sent} | ${f.failed} | ${f.recovery} |`);
    assert.equal(all.filter((r) => r.done === 0).length, 0, 'every request was answered');
    assert.deepEqual(outside, [], 'no request failed outside the windows reported');
  });
});
