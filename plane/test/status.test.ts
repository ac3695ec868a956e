// What `weft status` lists on a real plane with real proxies: no node that never watched, propagation timed only for proxies watching at the push, late joiners marked, gone proxies forgotten after --node-ttl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProxy } from '../../test/support/proxy.ts';
import type { RunningProxy } from '../../test/support/proxy.ts';
import { startUpstream } from '../../test/support/upstream.ts';
import type { StatusReport } from '../status.ts';
import { versionedFilter } from './modules.ts';
import { startPlane, tempDir, waitFor } from './support.ts';

test('weft status on a plane with --node-ttl 6s', { timeout: 120_000 }, async (t) => {
  const upstream = await startUpstream((_req, res) => res.end('ok'));
  t.after(() => upstream.close());
  const plane = await startPlane({ args: ['--node-ttl', '6s'] });
  t.after(() => plane.stop());
  const dir = tempDir('status');
  assert.equal((await plane.push('hdr', '1', await versionedFilter('v1'))).status, 201);
  writeFileSync(join(dir, 'mesh.yaml'), `clusters:\n  - name: app\n    endpoints: [${upstream.url}]\nroutes:\n  - cluster: app\nfilters:\n  - name: hdr\n`);
  assert.equal((await plane.weft(['apply', '-f', join(dir, 'mesh.yaml')])).code, 0);
  const status = () => plane.json<StatusReport>('/v1/status');
  const node = async (name: string) => (await status()).nodes.find((n) => n.node === name);
  const proxies = new Map<string, RunningProxy>();
  t.after(() => Promise.all([...proxies.values()].map((p) => p.stop())));
  const nodeDirs = new Map<string, string>();
  const startNode = async (name: string) => {
    if (!nodeDirs.has(name)) nodeDirs.set(name, tempDir(name));
    proxies.set(name, await startProxy(['--plane', plane.url, '--node', name, '--data-dir', nodeDirs.get(name)!, '--token', plane.token]));
  };
  const current = async () => (await plane.json<{ version: string }>('/v1/snapshot')).version;

  await t.test('an ACK or stats report for a node that is not watching and has no record is refused, and weft status never lists it', async () => {
    for (const path of ['/v1/nodes/ghost/ack', '/v1/nodes/ghost/stats']) {
      const res = await fetch(`${plane.url}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: await current(), ok: true, counts: [] }),
      });
      assert.equal(res.status, 404, path);
      const body = await res.json() as { error: string; message: string };
      assert.equal(body.error, 'WEFT_ERR_PLANE_NOT_FOUND');
      assert.match(body.message, /node "ghost" is not watching this plane/);
    }
    assert.equal(await node('ghost'), undefined);
    const out = await plane.weft(['status']);
    assert.equal(out.code, 0, out.stderr);
    assert.doesNotMatch(out.stdout, /ghost/);
  });

  await t.test('propagation is timed for proxies watching at the push; one that connects later is shown as a late joiner, not as the slowest', async () => {
    await startNode('p1');
    const v1 = await current();
    await waitFor('p1 ACKs v1', async () => (await node('p1'))?.version === v1, 15_000);
    assert.equal((await node('p1'))!.joinedLate, true, 'p1 connected after v1 was published');
    assert.equal((await node('p1'))!.propagationSeconds, undefined);

    assert.equal((await plane.push('hdr', '2', await versionedFilter('v2'))).status, 201);
    const v2 = await current();
    await waitFor('p1 ACKs v2', async () => (await node('p1'))?.version === v2, 15_000);
    const p1 = (await node('p1'))!;
    assert.equal(typeof p1.propagationSeconds, 'number', 'p1 was watching when v2 was published');
    assert.equal(p1.joinedLate, undefined);

    await startNode('p2');
    await waitFor('p2 ACKs v2', async () => (await node('p2'))?.version === v2, 15_000);
    const report = await status();
    const p2 = report.nodes.find((n) => n.node === 'p2')!;
    assert.equal(p2.joinedLate, true);
    assert.equal(p2.propagationSeconds, undefined);
    assert.deepEqual(report.slowest, { node: 'p1', seconds: p1.propagationSeconds });
    const out = await plane.weft(['status']);
    assert.match(out.stdout, /slowest to apply it: p1 in /);
    assert.match(out.stdout, /connected after it was published \(applied on joining, not timed\): p2/);
    // Only p1's application of v2 is a propagation time.
    const metrics = await (await fetch(`${plane.url}/metrics`)).text();
    assert.match(metrics, /^weft_config_propagation_seconds_count 1$/m);
  });

  await t.test('a proxy that stopped watching is listed until --node-ttl passes, then forgotten; one still watching stays', async () => {
    if (!proxies.has('p2')) await startNode('p2');
    await waitFor('p2 listed', async () => (await node('p2'))?.connected === true, 15_000);
    await proxies.get('p2')!.stop();
    proxies.delete('p2');
    await waitFor('p2 shown as not connected', async () => (await node('p2'))?.connected === false, 10_000);
    await waitFor('p2 forgotten', async () => (await node('p2')) === undefined, 30_000);
    const p1 = await node('p1');
    assert.ok(p1, 'p1, watching all along, is still listed although its last ACK is older than the TTL');
    assert.equal(p1.connected, true);
    assert.doesNotMatch((await plane.weft(['status'])).stdout, /\bp2\b/);
  });

  await t.test('a forgotten proxy that comes back with the current version on disk is listed again', async () => {
    await startNode('p2');
    const v = await current();
    await waitFor('p2 listed again', async () => (await node('p2'))?.version === v, 15_000);
  });
});
