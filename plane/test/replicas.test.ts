// Two plane replicas on one real etcd: they serve the same state, and a proxy fails over to the second when the first stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlClient } from '../../core/control/client.ts';
import type { Snapshot } from '../../core/control/snapshot.ts';
import type { StatusReport } from '../status.ts';
import { runWeft, startProxy } from '../../test/support/proxy.ts';
import { closedPort, startUpstream } from '../../test/support/upstream.ts';
import { padded, versionedFilter } from './modules.ts';
import { sha256Hex } from '../../core/control/signature.ts';
import { startEtcd, startPlane, tempDir, waitFor } from './support.ts';
import { WAIT_MS } from '../../test/support/wait.ts';

test('a plane whose etcd cannot be reached says so and exits', async () => {
  const port = await closedPort();
  const r = await runWeft(['plane', '--listen', '127.0.0.1:0', '--data-dir', tempDir('no-etcd'), '--store', `etcd:http://127.0.0.1:${port}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`cannot reach etcd at http://127\\.0\\.0\\.1:${port}: .*\\(WEFT_ERR_STORE_FAILED\\)`));
  const bad = await runWeft(['plane', '--listen', '127.0.0.1:0', '--data-dir', tempDir('no-etcd'), '--store', 'redis:x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--store: expected sqlite:FILE or etcd:URL, got "redis:x" \(WEFT_ERR_USAGE\)/);
});

test('plane replicas on etcd', async (t) => {
  const etcd = await startEtcd();
  t.after(() => etcd.stop());
  const dir = tempDir('replicas');
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, randomBytes(16).toString('hex'));
  const a = await startPlane({ store: `etcd:${etcd.url}`, tokenFile });
  t.after(a.stop);
  const b = await startPlane({ store: `etcd:${etcd.url}`, tokenFile });
  t.after(b.stop);
  const push = async (plane: typeof a, version: string) => {
    const f = join(dir, `${version}.wasm`);
    writeFileSync(f, await versionedFilter(`v${version}`));
    const r = await plane.weft(['filter', 'push', 'hdr', f, '--version', version]);
    assert.equal(r.code, 0, r.stderr);
  };
  const upstream = await startUpstream((_req, res) => res.end('ok'));
  t.after(() => upstream.close());
  await push(a, '1');
  writeFileSync(join(dir, 'mesh.yaml'), `clusters:\n  - name: app\n    endpoints: [${upstream.url}]\nroutes:\n  - cluster: app\nfilters:\n  - name: hdr\n`);
  assert.equal((await a.weft(['apply', '-f', join(dir, 'mesh.yaml')])).code, 0);

  const applied: Snapshot[] = [];
  const client = await startControlClient({
    planes: [a.url, b.url], node: 'edge', dataDir: tempDir('edge'), token: a.token, apply: async (s) => { applied.push(s); },
  });
  t.after(() => client.close());
  const proxy = await startProxy(['--plane', `${a.url},${b.url}`, '--node', 'sidecar', '--data-dir', tempDir('sidecar'), '--token', a.token, '--workers', '1']);
  t.after(() => proxy.stop());
  const served = async () => {
    const res = await fetch(proxy.url, { signal: AbortSignal.timeout(WAIT_MS) });
    await res.body?.cancel();
    return res.headers.get('x-filter-version');
  };

  await t.test('a second replica serves the same state, down to the snapshot version', async () => {
    const sa = await a.json<Snapshot>('/v1/snapshot');
    const sb = await waitFor('replica b to see the push', async () => { const s = await b.json<Snapshot>('/v1/snapshot'); return s.version === sa.version ? s : undefined; });
    assert.equal(sb.filters[0].version, '1');
    assert.match((await b.weft(['filter', 'list'])).stdout, /hdr\s+1\s/);
    assert.match((await b.weft(['get', 'filters'])).stdout, /filters at revision 1/);
  });

  await t.test('a module larger than an etcd value is stored in chunks and served whole by the other replica', async () => {
    const big = await padded(1_600_000);
    assert.equal((await a.push('big', '1', big)).status, 201);
    const res = await fetch(`${b.url}/v1/modules/${sha256Hex(big)}`, { headers: { authorization: `Bearer ${b.token}` } });
    assert.equal(res.status, 200);
    assert.equal(sha256Hex(new Uint8Array(await res.arrayBuffer())), sha256Hex(big));
  });

  await t.test('proxies (a control client and a real weft proxy) fail over to the second replica when the first stops, and keep receiving pushes', async () => {
    await waitFor('connected to a', () => client.state.connectedTo === a.url && applied.length > 0);
    await waitFor('the real proxy serving v1', async () => (await served()) === 'v1');
    await a.stop();
    await waitFor('failover to b', () => client.state.connectedTo === b.url);
    await push(b, '2');
    await waitFor('version 2 through b', () => applied.at(-1)?.filters[0].version === '2');
    await waitFor('the real proxy serving v2 through b', async () => (await served()) === 'v2');
    for (const node of ['edge', 'sidecar']) {
      const status = await waitFor(`the ACK of ${node} recorded via b`, async () => {
        const s = await b.json<StatusReport>('/v1/status');
        return s.nodes.find((n) => n.node === node && n.version === s.version);
      });
      assert.deepEqual(status.filters, [{ name: 'hdr', version: '2' }]);
      assert.equal(status.connected, true);
    }
  });
});
