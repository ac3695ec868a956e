// A second `weft proxy` on an address another one serves refuses to start (WEFT_ERR_LISTEN_FAILED) instead of taking a share of its connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { TestContext } from 'node:test';
import { startUpstream } from './support/upstream.ts';
import { startProxy } from './support/proxy.ts';
import { readyLine, WEFT_BIN } from '../core/proxy/spawn.ts';
import { startPlane, tempDir } from '../plane/test/support.ts';
import { joinToken } from './support/identity.ts';

/** Requires an API key on every path, and knows none: every request it sees is answered 401. */
const REFUSE_ALL = JSON.stringify({ apiKeys: { sha256: ['0'.repeat(64)] }, rules: [{ require: 'apiKey' }] });

/** One GET on a connection of its own, so the kernel spreads them over every socket of the port's group. */
function getStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
  });
}

/**
 * Runs `weft proxy ARGS` until it exits or says it is ready; one that got ready (the failure these tests look for)
 * is left running, to be stopped when the test ends, so the requests after it show whether it took a share.
 */
async function secondProxy(t: TestContext, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [WEFT_BIN, 'proxy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const closed = once(proc, 'close');
  try {
    await readyLine(proc, 'the second weft proxy', 'weft proxy ready', 20_000);
  } catch {
    const [code] = await closed;
    return { code: code as number | null, stderr };
  }
  t.after(async () => {
    proc.kill('SIGTERM');
    await closed;
  });
  return { code: null, stderr: 'it started and is serving' };
}

/** The one line a failed start prints, after asserting it is the only one and names the code. */
function failureLine(r: { code: number | null; stderr: string }): string {
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0], /WEFT_ERR_LISTEN_FAILED/);
  return lines[0];
}

test('a second proxy on the listen address of a running one refuses to start, and the first answers every request', async (t) => {
  const app = await startUpstream();
  t.after(() => app.close());
  const first = await startProxy(['--upstream', app.url, '--workers', '2', '--filter', `auth,config=${REFUSE_ALL}`]);
  t.after(() => first.stop());

  const second = await secondProxy(t, ['--listen', `127.0.0.1:${first.port}`, '--admin', 'off', '--upstream', app.url, '--workers', '2']);

  const statuses = await Promise.all(Array.from({ length: 50 }, () => getStatus(first.port)));
  assert.deepEqual(statuses, Array(50).fill(401), 'every request met the first proxy\'s auth filter');
  assert.equal(app.seen.length, 0, 'nothing reached the upstream');
  const line = failureLine(second);
  assert.match(line, new RegExp(`127\\.0\\.0\\.1:${first.port}: another weft process \\(pid ${first.proc.pid}\\) serves it`));
});

test('the wildcard address of a port a proxy serves on loopback is refused too (the kernel\'s check, not the lock\'s)', async (t) => {
  const app = await startUpstream();
  t.after(() => app.close());
  const first = await startProxy(['--upstream', app.url, '--workers', '1']);
  t.after(() => first.stop());
  const second = await secondProxy(t, ['--listen', `0.0.0.0:${first.port}`, '--admin', 'off', '--upstream', app.url, '--workers', '1']);
  assert.match(failureLine(second), /EADDRINUSE/);
});

test('a second proxy on the admin address of a running one refuses to start', async (t) => {
  const app = await startUpstream();
  t.after(() => app.close());
  const first = await startProxy(['--upstream', app.url, '--workers', '1']);
  t.after(() => first.stop());
  const second = await secondProxy(t, ['--listen', '127.0.0.1:0', '--admin', first.admin.slice('http://'.length), '--upstream', app.url, '--workers', '1']);
  assert.match(failureLine(second), /admin .*EADDRINUSE/);
  assert.equal((await fetch(`${first.admin}/ready`)).status, 200, 'the first keeps its admin server');
});

test('a sidecar whose outbound or bound port another proxy serves refuses to start before it spends its join token', async (t) => {
  const app = await startUpstream();
  t.after(() => app.close());
  const first = await startProxy(['--upstream', app.url, '--workers', '1', '--filter', `auth,config=${REFUSE_ALL}`]);
  t.after(() => first.stop());
  const plane = await startPlane();
  t.after(() => plane.stop());
  const token = await joinToken(plane, 'orders');
  const sidecar = (extra: string[]) => secondProxy(t, ['--plane', plane.url, '--token', plane.token, '--node', 'orders-1', '--data-dir', tempDir('exclusive-sidecar'),
    '--join-token', token, '--service', 'orders', '--inbound', '127.0.0.1:0', '--app', `127.0.0.1:${app.port}`, '--admin', 'off', '--workers', '1', ...extra]);

  assert.match(failureLine(await sidecar(['--outbound', `127.0.0.1:${first.port}`])), /\(outbound\).*another weft process/);
  assert.match(failureLine(await sidecar(['--bind', `payments=127.0.0.1:${first.port}`])), /\(bind:payments\).*another weft process/);
  // The token was never presented: a sidecar on free ports still joins with it.
  const ok = await startProxy(['--plane', plane.url, '--token', plane.token, '--node', 'orders-1', '--data-dir', tempDir('exclusive-sidecar'),
    '--join-token', token, '--service', 'orders', '--inbound', '127.0.0.1:0', '--app', `127.0.0.1:${app.port}`, '--outbound', '127.0.0.1:0', '--workers', '1']);
  t.after(() => ok.stop());
  assert.match(String(ok.ready.outbound), /^127\.0\.0\.1:\d+$/);

  const statuses = await Promise.all(Array.from({ length: 20 }, () => getStatus(first.port)));
  assert.deepEqual(statuses, Array(20).fill(401));
});
