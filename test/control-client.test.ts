// The proxy-side control client against a real plane: apply + ACK, NACK keeps the old version, trust keys, last known good, catch-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startControlClient } from '../core/control/client.ts';
import type { ControlClient } from '../core/control/client.ts';
import type { Snapshot } from '../core/control/snapshot.ts';
import { loadTrustKey, sha256Hex } from '../core/control/signature.ts';
import { settingsFromSnapshot } from '../core/control/settings.ts';
import { versionedFilter } from '../plane/test/modules.ts';
import { freePort, startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import type { StatusReport } from '../plane/status.ts';

/** A stand-in for the proxy's apply: records what it was given, and refuses versions named in `refuse`. */
function recorder() {
  const applied: { snapshot: Snapshot; modules: Map<string, Uint8Array>; at: number }[] = [];
  const refuse = new Set<string>();
  return {
    applied, refuse,
    latest: () => applied.at(-1)?.snapshot,
    async apply(snapshot: Snapshot, modules: Map<string, Uint8Array>) {
      const filterVersion = snapshot.filters[0]?.version;
      if (filterVersion && refuse.has(filterVersion)) throw new Error(`cannot build the chain for ${filterVersion}`);
      applied.push({ snapshot, modules, at: Date.now() });
    },
  };
}

test('control client against a real plane', async (t) => {
  const port = await freePort();
  const dataDir = tempDir('plane');
  let plane = await startPlane({ listen: `127.0.0.1:${port}`, dataDir });
  t.after(() => plane.stop());
  /** The plane back on its address and data dir, if a subtest stopped it: the subtests after it need it. */
  const planeUp = async () => {
    if (plane.proc.exitCode === null && plane.proc.signalCode === null) return;
    plane = await startPlane({ listen: `127.0.0.1:${port}`, dataDir });
  };
  const dir = tempDir('control');
  const wasm = async (tag: string) => { const f = join(dir, `${tag}.wasm`); writeFileSync(f, await versionedFilter(tag)); return f; };
  const mesh = join(dir, 'mesh.yaml');
  writeFileSync(mesh, 'clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\n  - name: api\n    service: api\nroutes:\n  - cluster: app\nfilters:\n  - name: hdr\n');
  assert.equal((await plane.weft(['filter', 'push', 'hdr', await wasm('v1'), '--version', '1'])).code, 0);
  assert.equal((await plane.weft(['apply', '-f', mesh])).code, 0);
  const clients: ControlClient[] = [];
  t.after(async () => { for (const c of clients) await c.close(); });
  const start = async (node: string, rec: ReturnType<typeof recorder>, extra: { dataDir?: string; trustKeys?: ReturnType<typeof loadTrustKey>[] } = {}) => {
    const c = await startControlClient({ planes: [plane.url], node, dataDir: extra.dataDir ?? tempDir(node), token: plane.token, apply: rec.apply, trustKeys: extra.trustKeys });
    clients.push(c);
    return c;
  };
  const status = () => plane.json<StatusReport>('/v1/status');
  const nodeStatus = async (node: string) => (await status()).nodes.find((n) => n.node === node);

  const recs = [recorder(), recorder(), recorder()];
  const nodeDirs = [tempDir('a'), tempDir('b'), tempDir('c')];
  await Promise.all(recs.map((r, i) => start(`node-${i}`, r, { dataDir: nodeDirs[i] })));

  await t.test('each client applies the snapshot with its module bytes and ACKs; weft status shows it', async () => {
    for (const r of recs) await waitFor('first snapshot', () => r.latest());
    const s = recs[0].latest()!;
    assert.equal(s.filters[0].version, '1');
    const bytes = recs[0].applied[0].modules.get(s.filters[0].sha256)!;
    assert.equal(sha256Hex(bytes), s.filters[0].sha256);
    const settings = settingsFromSnapshot(s, clients[0].disk);
    assert.equal(settings.filters[0].module, join(nodeDirs[0], 'modules', `${s.filters[0].sha256}.wasm`));
    assert.deepEqual(settings.clusters.map((c) => [c.name, c.endpoints]), [['app', ['http://127.0.0.1:9']], ['api', []]]);
    await waitFor('ACK of node-0', async () => (await nodeStatus('node-0'))?.version === s.version);
    const out = await plane.weft(['status']);
    assert.match(out.stdout, new RegExp(`node-0\\s+${s.version}\\s+hdr@1\\s+ACK ${s.version}\\s+connected\\s+0`));
  });

  await t.test('a push reaches all three clients, which ACK it; the plane measures the propagation', async (t) => {
    const bytes = await versionedFilter('v2');
    const pushedAt = Date.now();
    assert.equal((await plane.push('hdr', '2', bytes)).status, 201);
    for (const r of recs) await waitFor('version 2', () => r.latest()?.filters[0].version === '2');
    // The push itself (upload, sandbox check, store writes) is inside this span.
    t.diagnostic(`slowest client applied ${Math.max(...recs.map((r) => r.applied.at(-1)!.at)) - pushedAt} ms after the push began`);
    const report = await waitFor('every ACK', async () => {
      const st = await status();
      return st.nodes.filter((n) => n.version === st.version).length === 3 ? st : undefined;
    });
    assert.ok(report.slowest && report.slowest.seconds >= 0, `the slowest propagation is reported: ${JSON.stringify(report.slowest)}`);
    t.diagnostic(`the plane's slowest propagation: ${JSON.stringify(report.slowest)}`);
    const metrics = await (await fetch(`${plane.url}/metrics`)).text();
    assert.match(metrics, /weft_config_propagation_seconds_count \d+/);
    // The three ACKs of this push; the first snapshot reached clients that connected after it was published (joinedLate), which are not propagation.
    assert.ok(Number(/weft_config_propagation_seconds_count (\d+)/.exec(metrics)![1]) >= 3);
  });

  await t.test('a version the proxy cannot apply is NACKed with its error in weft status, and the proxy keeps the old one', async () => {
    recs[1].refuse.add('3');
    const before = recs[1].latest()!.version;
    assert.equal((await plane.weft(['filter', 'push', 'hdr', await wasm('v3'), '--version', '3'])).code, 0);
    const nacked = await waitFor('NACK', async () => { const n = await nodeStatus('node-1'); return n && !n.last.ok ? n : undefined; });
    assert.equal(nacked.version, before, 'the node still serves its last good version');
    assert.match(nacked.last.error!, /cannot build the chain for 3/);
    assert.equal(clients[1].state.version, before);
    const out = await plane.weft(['status']);
    assert.match(out.stdout, new RegExp(`node-1\\s+${before}\\s+hdr@2\\s+NACK [0-9a-f]{12}\\s+connected\\s+[0-9.]+s\\s+cannot build the chain for 3`));
    await waitFor('the others ACK 3', () => recs[0].latest()?.filters[0].version === '3' && recs[2].latest()?.filters[0].version === '3');
  });

  await t.test('a proxy with --trust-key NACKs an unsigned module and ACKs a signed one', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const trusting = recorder();
    const c = await start('trusting', trusting, { trustKeys: [loadTrustKey(publicKey.export({ type: 'spki', format: 'pem' }) as string)] });
    const n = await waitFor('NACK of the unsigned module', async () => { const s = await nodeStatus('trusting'); return s && !s.last.ok ? s : undefined; });
    assert.match(n.last.error!, /hdr@3: module is unsigned and this proxy requires a trusted signature/);
    assert.equal(trusting.applied.length, 0);
    assert.equal(c.state.version, '');
    const signed = await plane.weft(['filter', 'push', 'hdr', await wasm('v4'), '--version', '4', '--sign', keyFile]);
    assert.match(signed.stdout, /\(signed\)/);
    await waitFor('signed version applied', () => trusting.latest()?.filters[0].version === '4');
    assert.equal((await waitFor('ACK', async () => { const s = await nodeStatus('trusting'); return s?.last.ok ? s : undefined; })).filters[0].version, '4');
  });

  await t.test('module bytes that do not match their digest are NACKed and never applied', async () => {
    const bytes = await versionedFilter('v9');
    assert.equal((await plane.push('hdr', '9', bytes, { hold: true })).status, 201);
    // Corrupt the stored module behind the plane's back (another connection to its SQLite file).
    const db = new DatabaseSync(join(dataDir, 'plane.db'));
    db.prepare('UPDATE kv SET value = ? WHERE key = ?').run(Buffer.from(await versionedFilter('xx')).toString('base64'), `modules/${sha256Hex(bytes)}/0`);
    db.close();
    const before = recs[0].applied.length;
    assert.equal((await plane.push('hdr', '9', bytes)).status, 200, 'pushing the held version deploys it');
    const n = await waitFor('NACK of the corrupt module', async () => { const s = await nodeStatus('node-0'); return s && !s.last.ok ? s : undefined; });
    assert.match(n.last.error!, new RegExp(`module ${sha256Hex(bytes)} arrived with sha256 [0-9a-f]{64}`));
    assert.equal(recs[0].applied.length, before);
  });

  await t.test('with the plane down a restarted proxy serves its last good snapshot from disk, then catches up', async (t) => {
    const last = recs[2].latest()!;
    await plane.stop();
    t.after(planeUp);
    await clients[2].close();
    const restarted = recorder();
    const startedAt = Date.now();
    const c = await start('node-2', restarted, { dataDir: nodeDirs[2] });
    await c.ready;
    // Ready with the plane unreachable: what it applied can only have come from disk.
    assert.equal(restarted.latest()?.version, last.version, 'applied from disk');
    assert.equal(c.state.source, 'disk');
    t.diagnostic(`ready from disk after ${Date.now() - startedAt} ms`);
    await planeUp();
    assert.equal((await plane.weft(['filter', 'push', 'hdr', await wasm('v5'), '--version', '5'])).code, 0);
    await waitFor('catch-up to 5', () => restarted.latest()?.filters[0].version === '5');
    assert.equal(c.state.source, 'plane');
  });
});
