// Upgrading a proxy under load (`weft proxy --takeover`, or SIGUSR2) loses no request: both serve during the handover, then the old one drains and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { statSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { closedPort, startUpstream } from './support/upstream.ts';
import { runWeft, startProxy } from './support/proxy.ts';
import { joinToken } from './support/identity.ts';
import { spawnProxy } from '../core/proxy/spawn.ts';
import { startPlane, tempDir } from '../plane/test/support.ts';

/** Keep-alive clients in a loop, each request counted by outcome, until stop() (which resolves with the counts). */
function steadyLoad(port: number, clients: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const counts = { ok: 0, failed: 0, errors: [] as string[] };
  let running = true;
  const one = () => new Promise<void>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) counts.ok++;
        else {
          counts.failed++;
          counts.errors.push(`HTTP ${res.statusCode} ${String(res.headers['x-weft-error'] ?? '')}`);
        }
        resolve();
      });
    });
    req.on('error', (err) => {
      counts.failed++;
      counts.errors.push(err.message);
      resolve();
    });
  });
  const loops = Array.from({ length: clients }, async () => {
    while (running) await one();
  });
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return counts;
    },
  };
}

/** Resolves once `n` more requests have succeeded. */
async function moreServed(counts: { ok: number }, n: number): Promise<void> {
  const target = counts.ok + n;
  while (counts.ok < target) await new Promise((r) => setTimeout(r, 20));
}

test('a proxy under steady keep-alive load is upgraded by `weft proxy --takeover` and no request fails', async (t) => {
  const app = await startUpstream((_req, res) => res.end('ok'));
  t.after(() => app.close());
  const dataDir = tempDir('upgrade');
  const old = await startProxy(['--upstream', app.url, '--workers', '2', '--data-dir', dataDir, '--drain-timeout', '10s']);
  t.after(() => old.stop());
  const listen = `127.0.0.1:${old.port}`;
  const admin = old.admin.slice('http://'.length);

  // The handover socket: owner-only, in the owner-only data dir.
  const socket = readdirSync(dataDir).find((f) => f === `handover-${old.proc.pid}.sock`);
  assert.ok(socket, `a handover socket in ${dataDir}: ${readdirSync(dataDir).join(', ')}`);
  assert.equal(statSync(join(dataDir, socket)).mode & 0o777, 0o600);
  assert.equal(statSync(dataDir).mode & 0o777, 0o700);

  const load = steadyLoad(old.port, 8);
  let stopped = false;
  t.after(async () => {
    if (!stopped) await load.stop();
  });
  await moreServed(load.counts, 300);

  const oldExit = once(old.proc, 'exit');
  // Same address and admin address: the new one takes both over.
  const next = await spawnProxy(['--listen', listen, '--admin', admin, '--upstream', app.url, '--workers', '2', '--data-dir', dataDir, '--takeover'], {}, 60_000);
  t.after(() => next.stop());
  assert.equal(next.ready.listen, listen);
  assert.equal(next.ready.admin, admin, 'the new process serves the admin address the old one let go');
  const [code, signal] = await oldExit;
  assert.equal(code, 0, `the old proxy exits 0 after draining (signal ${signal}):\n${old.stderr()}`);
  assert.match(old.stderr(), new RegExp(`"handover":${next.proc.pid}.*"msg":"draining"`));

  // Traffic goes on through the new process alone.
  const servedBefore = load.counts.ok;
  await moreServed(load.counts, 300);
  stopped = true;
  const counts = await load.stop();
  assert.deepEqual(counts.errors, [], 'no request failed');
  assert.equal(counts.failed, 0);
  assert.ok(counts.ok >= servedBefore + 300, `served ${counts.ok}`);
  assert.equal((await fetch(`http://${admin}/ready`)).status, 200);
  console.log(`upgrade under load: ${counts.ok} requests, ${counts.failed} failed`);

  // The new one holds the address as the old did: a start without --takeover is refused, naming it.
  const third = await spawnProxy(['--listen', listen, '--admin', 'off', '--upstream', app.url, '--workers', '1', '--data-dir', dataDir]).then(
    async (p) => {
      await p.stop();
      return 'it started';
    },
    (err: Error) => err.message,
  );
  assert.match(third, new RegExp(`another weft process \\(pid ${next.proc.pid}\\) serves it.*WEFT_ERR_LISTEN_FAILED`));
});

/** Resolves once `proc`'s log (stderr) has a line matching `pattern`, with that line's JSON. */
async function logLine(proxy: { stderr(): string }, pattern: RegExp): Promise<Record<string, unknown>> {
  for (;;) {
    const line = proxy.stderr().split('\n').find((l) => pattern.test(l));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('SIGUSR2 upgrades a proxy under load to the executable on disk under the same pid, through a stand-in, and no request fails', async (t) => {
  const app = await startUpstream((_req, res) => res.end('ok'));
  t.after(() => app.close());
  const port = await closedPort();
  const proxy = await startProxy(['--listen', `127.0.0.1:${port}`, '--admin', 'off', '--upstream', app.url, '--workers', '1', '--data-dir', tempDir('upgrade-usr2'), '--drain-timeout', '5s']);
  t.after(() => proxy.stop());
  const pid = proxy.proc.pid!;
  const load = steadyLoad(port, 8);
  let stopped = false;
  t.after(async () => {
    if (!stopped) await load.stop();
  });
  await moreServed(load.counts, 300);

  proxy.proc.kill('SIGUSR2');
  // The stand-in takes over, this pid drains and becomes the new executable, which takes the address back.
  const back = await logLine(proxy, new RegExp(`"pid":${pid},.*"from":\\d+,.*"msg":"taking the listen addresses over"`));
  const standIn = back.from as number;
  assert.notEqual(standIn, pid);
  await logLine(proxy, new RegExp(`"pid":${standIn},.*"msg":"stopped"`));
  const readyLines = proxy.stderr().split('\n').filter((l) => l.includes(`"pid":${pid},`) && l.includes('"weft proxy ready"'));
  assert.equal(readyLines.length, 2, 'ready at start, and again as the new executable');
  assert.equal(proxy.proc.exitCode, null, 'the same process serves on');

  await moreServed(load.counts, 300);
  stopped = true;
  const counts = await load.stop();
  assert.deepEqual(counts.errors, [], 'no request failed');
  console.log(`SIGUSR2 upgrade under load: ${counts.ok} requests, ${counts.failed} failed`);
  assert.equal(await proxy.stop(), 0);
});

test('a takeover that would leave one of a running sidecar\'s addresses unserved is refused in one line, and the sidecar serves on', async (t) => {
  const app = await startUpstream();
  t.after(() => app.close());
  const plane = await startPlane();
  t.after(() => plane.stop());
  const token = await joinToken(plane, 'orders');
  const [inbound, outbound] = [await closedPort(), await closedPort()];
  const flags = ['--plane', plane.url, '--token', plane.token, '--node', 'orders-1', '--data-dir', tempDir('takeover-refused'), '--join-token', token,
    '--service', 'orders', '--inbound', `127.0.0.1:${inbound}`, '--app', `127.0.0.1:${app.port}`, '--admin', 'off', '--workers', '1'];
  const sidecar = await startProxy([...flags, '--outbound', `127.0.0.1:${outbound}`]);
  t.after(() => sidecar.stop());

  // The same sidecar but for its outbound listener: taking over would leave the app's calls out unserved.
  const r = await runWeft(['proxy', ...flags, '--takeover']);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`^weft proxy: cannot take 127\\.0\\.0\\.1:${inbound} over from weft pid ${sidecar.proc.pid}: it serves 127\\.0\\.0\\.1:${outbound} \\(outbound\\), which the new process would not.*\\(WEFT_ERR_LISTEN_FAILED\\)$`));
  assert.equal(sidecar.proc.exitCode, null);
  const res = await fetch(`http://127.0.0.1:${outbound}/`);
  await res.text();
  assert.ok(res.status > 0, 'the outbound listener still answers');
});
