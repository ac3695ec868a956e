// The mesh end to end: a real plane and three real `weft proxy --plane` processes on loopback, traffic through them while filters change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { signModule } from '../../core/control/signature.ts';
import { startProxy } from '../../test/support/proxy.ts';
import type { RunningProxy } from '../../test/support/proxy.ts';
import { startUpstream } from '../../test/support/upstream.ts';
import type { StatusReport } from '../status.ts';
import type { RolloutRecord } from '../model.ts';
import { failing500, versionedFilter } from './modules.ts';
import { freePort, startPlane, tempDir, waitFor } from './support.ts';
import { WAIT_MS } from '../../test/support/wait.ts';

async function get(url: string): Promise<{ status: number; version: string | undefined }> {
  const res = await request(url, { headersTimeout: WAIT_MS, bodyTimeout: WAIT_MS });
  await res.body.dump();
  const v = res.headers['x-filter-version'];
  return { status: res.statusCode, version: typeof v === 'string' ? v : undefined };
}

test('a plane and three proxies on loopback', async (t) => {
  const upstream = await startUpstream((_req, res) => res.end('ok'));
  t.after(upstream.close);
  const dir = tempDir('mesh');
  const planePort = await freePort();
  const planeDir = tempDir('plane');
  let plane = await startPlane({ listen: `127.0.0.1:${planePort}`, dataDir: planeDir });
  t.after(() => plane.stop());
  /** The plane back on its address and data dir, if a subtest stopped it: the subtests after it need it. */
  const planeUp = async () => {
    if (plane.proc.exitCode === null && plane.proc.signalCode === null) return;
    plane = await startPlane({ listen: `127.0.0.1:${planePort}`, dataDir: planeDir });
  };
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = join(dir, 'key.pem');
  const trustFile = join(dir, 'trust.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(trustFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const modules = { v1: await versionedFilter('v1'), v2: await versionedFilter('v2') };
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const push = (version: string, bytes: Uint8Array, opts: { signed?: boolean; hold?: boolean } = {}) =>
    plane.push('hdr', version, bytes, { hold: opts.hold, signature: opts.signed === false ? undefined : signModule(bytes, privatePem) });
  assert.equal((await push('1', modules.v1)).status, 201);
  writeFileSync(join(dir, 'mesh.yaml'), `clusters:\n  - name: app\n    endpoints: [${upstream.url}]\nroutes:\n  - cluster: app\nfilters:\n  - name: hdr\n`);
  assert.equal((await plane.weft(['apply', '-f', join(dir, 'mesh.yaml')])).code, 0);

  const nodeDirs = ['p1', 'p2', 'p3'].map((n) => tempDir(n));
  const proxyArgs = (i: number) => ['--plane', plane.url, '--node', `p${i + 1}`, '--data-dir', nodeDirs[i], '--token', plane.token, '--workers', '2',
    ...(i === 2 ? ['--trust-key', trustFile] : [])];
  const proxies: RunningProxy[] = [];
  // Stops whichever proxy holds each slot at the end, restarted ones included.
  t.after(() => Promise.all(proxies.map((p) => p.stop())));
  await Promise.all([0, 1, 2].map(async (i) => { proxies[i] = await startProxy(proxyArgs(i)); }));
  const status = () => plane.json<StatusReport>('/v1/status');
  const servingEverywhere = async (version: string) => (await Promise.all(proxies.map((p) => get(p.url)))).every((r) => r.status === 200 && r.version === version);
  await waitFor('v1 on all three', () => servingEverywhere('v1'));

  await t.test('a pushed filter version is serving on all three proxies', async (t) => {
    const t0 = Date.now();
    assert.equal((await push('2', modules.v2)).status, 201);
    await waitFor('v2 on all three', () => servingEverywhere('v2'));
    t.diagnostic(`serving on all three ${Date.now() - t0} ms after the push began`);
  });

  await t.test('under continuous load, 20 alternating pushes fail no request and every response carries a complete version', async () => {
    let stop = false;
    const seen = { total: 0, failed: 0, v1: 0, v2: 0, other: [] as string[] };
    const loop = async (p: RunningProxy) => {
      while (!stop) {
        try {
          const r = await get(p.url);
          seen.total++;
          if (r.status !== 200) seen.failed++;
          if (r.version === 'v1') seen.v1++;
          else if (r.version === 'v2') seen.v2++;
          else seen.other.push(`${r.status} ${r.version}`);
        } catch (err) {
          seen.total++;
          seen.failed++;
          seen.other.push((err as Error).message);
        }
      }
    };
    const loads = proxies.flatMap((p) => [loop(p), loop(p)]);
    try {
      for (let i = 0; i < 20; i++) {
        const [version, bytes] = i % 2 === 0 ? ['1', modules.v1] : ['2', modules.v2];
        assert.equal((await push(version, bytes)).status, 200, 'a stored version pushed again');
        const want = (await plane.json<{ version: string }>('/v1/snapshot')).version;
        await waitFor(`push ${i} applied everywhere`, async () => (await status()).nodes.filter((n) => n.version === want).length === 3)
          .catch(async (err: Error) => { throw new Error(`${err.message}: ${JSON.stringify((await status()).nodes)}\n${proxies.map((p) => p.stderr().slice(-1500)).join('\n')}`); });
      }
    } finally {
      stop = true;
      await Promise.all(loads);
    }
    assert.deepEqual(seen.other, []);
    assert.equal(seen.failed, 0);
    assert.ok(seen.total > 100 && seen.v1 > 0 && seen.v2 > 0, JSON.stringify(seen));
  });

  await t.test('a version a proxy cannot apply (unsigned, on the proxy with --trust-key) is NACKed in weft status; that proxy keeps the old one', async () => {
    // Its own starting point, whatever the subtests before left: signed version 2 everywhere.
    assert.equal((await push('2', modules.v2)).status, 200);
    await waitFor('v2 on all three', () => servingEverywhere('v2'));
    assert.equal((await push('3', await versionedFilter('v3'), { signed: false })).status, 201);
    const p3 = await waitFor('NACK from p3', async () => (await status()).nodes.find((n) => n.node === 'p3' && !n.last.ok));
    assert.match(p3.last.error!, /hdr@3: module is unsigned and this proxy requires a trusted signature/);
    const out = await plane.weft(['status']);
    assert.match(out.stdout, /p3\s+\S+\s+hdr@2\s+NACK \S+\s+connected\s+\S+\s+hdr@3: module is unsigned/);
    await waitFor('p1 and p2 on v3', async () => (await get(proxies[0].url)).version === 'v3' && (await get(proxies[1].url)).version === 'v3');
    assert.equal((await get(proxies[2].url)).version, 'v2', 'p3 still serves its last good version');
  });

  await t.test('with the plane stopped, a restarted proxy serves its last good version; it catches up when the plane returns', async (t) => {
    await plane.stop();
    // Whatever fails below, the subtests after this one get their plane back.
    t.after(planeUp);
    const last = await get(proxies[0].url);
    await proxies[0].stop();
    const restartedAt = Date.now();
    proxies[0] = await startProxy(proxyArgs(0));
    // /ready turns 200 once a config with routes is applied: with the plane down, the one on disk.
    await waitFor('ready from disk', async () => (await fetch(`${proxies[0].admin}/ready`)).status === 200);
    t.diagnostic(`ready from disk ${Date.now() - restartedAt} ms after the restart began`);
    assert.deepEqual(await get(proxies[0].url), last);
    assert.match(proxies[0].stderr(), /serving the last known good snapshot from disk/);
    await planeUp();
    assert.equal((await push('4', await versionedFilter('v4'))).status, 201);
    await waitFor('p1 catches up to v4', async () => (await get(proxies[0].url)).version === 'v4');
  });

  await t.test('a canary whose new version returns 500s is rolled back by itself', async () => {
    // Its own stable version to roll back to, whatever the subtests before left.
    assert.equal((await push('stable', await versionedFilter('stable'))).status, 201);
    await waitFor('the stable version on all three', () => servingEverywhere('stable'));
    assert.equal((await push('bad', await failing500(), { hold: true })).status, 201);
    const r = await plane.weft(['rollout', 'start', 'hdr@bad', '--canary', '50', '--interval', '1s', '--min-requests', '10', '--max-error-rate', '0.05']);
    assert.equal(r.code, 0, r.stderr);
    let stop = false;
    const codes = new Map<number, number>();
    const loads = proxies.map(async (p) => {
      while (!stop) {
        const res = await get(p.url);
        codes.set(res.status, (codes.get(res.status) ?? 0) + 1);
      }
    });
    const done = await waitFor('the rollout to end', async () => { const x = await plane.json<RolloutRecord>('/v1/rollout'); return x.phase !== 'running' ? x : undefined; })
      .finally(() => { stop = true; });
    await Promise.all(loads);
    assert.equal(done.phase, 'rolled_back', done.reason);
    assert.match(done.reason, /rolled back at 50%: hdr@bad caused \d+ errors itself in \d+ requests/);
    assert.ok((codes.get(500) ?? 0) > 0, 'the canary did serve 500s');
    await waitFor('every proxy back on the stable version alone', () => servingEverywhere('stable'));
  });
});
