// Two plane replicas on one real etcd, a real proxy watching each: GET /v1/stats, the request tail and weft explain asked of one replica cover the proxy of the other; a replica that is stopped or stuck is named, not waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Explanation, RecentRequests } from '../explain.ts';
import type { ReplicaCoverage } from '../peers.ts';
import { startProxy } from '../../test/support/proxy.ts';
import { startUpstream } from '../../test/support/upstream.ts';
import { WAIT_MS } from '../../test/support/wait.ts';
import { startEtcd, startPlane, tempDir, waitFor } from './support.ts';

interface Stats { services: { service: string; instances: string[]; requests: number }[]; replicas: ReplicaCoverage }

test('any plane replica answers for the proxies of every replica', async (t) => {
  const etcd = await startEtcd();
  t.after(() => etcd.stop());
  const dir = tempDir('replicas-mesh');
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, randomBytes(16).toString('hex'), { mode: 0o600 });
  const args = ['--report-interval', '1s'];
  const a = await startPlane({ store: `etcd:${etcd.url}`, tokenFile, args });
  t.after(a.stop);
  const b = await startPlane({ store: `etcd:${etcd.url}`, tokenFile, args });
  // SIGCONT first: a test that fails while b is stopped must still be able to stop it.
  t.after(async () => { b.proc.kill('SIGCONT'); await b.stop(); });
  const upstream = await startUpstream((_req, res) => res.end('ok'));
  t.after(() => upstream.close());
  writeFileSync(join(dir, 'mesh.yaml'), `clusters:\n  - name: app\n    endpoints: [${upstream.url}]\nroutes:\n  - cluster: app\n`);
  const applied = await a.weft(['apply', '-f', join(dir, 'mesh.yaml')]);
  assert.equal(applied.code, 0, applied.stderr);

  // Each proxy knows one replica only, so what it reports and remembers is on that replica alone.
  const proxyA = await startProxy(['--plane', a.url, '--node', 'edge-a', '--data-dir', tempDir('edge-a'), '--token', a.token, '--workers', '1']);
  t.after(() => proxyA.stop());
  const proxyB = await startProxy(['--plane', b.url, '--node', 'edge-b', '--data-dir', tempDir('edge-b'), '--token', b.token, '--workers', '1']);
  t.after(() => proxyB.stop());
  const call = async (url: string, requestId: string) => {
    const res = await fetch(`${url}/orders/${requestId}`, { headers: { 'x-request-id': requestId }, signal: AbortSignal.timeout(WAIT_MS) });
    await res.body?.cancel();
    return res.status;
  };
  await waitFor('both proxies routing to the upstream', async () => (await call(proxyA.url, 'warm-a')) === 200 && (await call(proxyB.url, 'warm-b')) === 200 || undefined);
  for (let i = 0; i < 5; i++) {
    assert.equal(await call(proxyA.url, `via-a-${i}`), 200);
    assert.equal(await call(proxyB.url, `via-b-${i}`), 200);
  }

  await t.test('GET /v1/stats of replica a counts the traffic of the proxy watching b', async () => {
    const stats = await waitFor('both proxies\' reports in a\'s view', async () => {
      const s = await a.json<Stats>('/v1/stats?window=1m');
      const byNode = new Map(s.services.map((x) => [x.service, x.requests]));
      return (byNode.get('edge-a') ?? 0) >= 6 && (byNode.get('edge-b') ?? 0) >= 6 ? s : undefined;
    });
    assert.deepEqual(stats.replicas, { answered: 2, missing: [] });
    assert.deepEqual(stats.services.map((s) => s.instances).flat().sort(), ['edge-a', 'edge-b']);
  });

  await t.test('the request tail and weft explain of replica a reach the proxy watching b', async () => {
    const tail = await a.json<RecentRequests>('/v1/requests?limit=50');
    assert.equal(tail.asked, 2);
    assert.deepEqual(tail.replicas, { answered: 2, missing: [] });
    const ids = new Set(tail.requests.map((r) => `${r.node} ${r.requestId}`));
    for (let i = 0; i < 5; i++) {
      assert.ok(ids.has(`edge-a via-a-${i}`) && ids.has(`edge-b via-b-${i}`), [...ids].join());
    }
    const r = await a.weft(['explain', 'via-b-3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout) as Explanation;
    assert.deepEqual(e.hops.map((h) => [h.node, h.requestId, h.status]), [['edge-b', 'via-b-3', 200]]);
    assert.equal(e.asked, 2);
    assert.deepEqual(e.missing, []);
    const text = await b.weft(['explain', 'via-a-1']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^200 at edge-a's /, 'and b reaches the proxy watching a');
  });

  await t.test('a replica that is stuck is named and not waited for beyond its bound', async () => {
    // SIGSTOP: b's port still accepts connections, but nothing answers them: the worst case for a fan-out.
    b.proc.kill('SIGSTOP');
    try {
      const stats = await a.json<Stats>('/v1/stats?window=1m');
      assert.equal(stats.replicas.answered, 1);
      assert.deepEqual(stats.replicas.missing, [{ url: b.url, reason: 'no answer in 2000 ms' }]);
      assert.ok(stats.services.some((s) => s.service === 'edge-a'), 'a still answers with its own proxy');
      assert.ok(!stats.services.some((s) => s.service === 'edge-b'));
      const text = await a.weft(['requests']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /via-a-4/);
      assert.match(text.stdout, new RegExp(`partial: plane replica ${b.url} did not answer, no answer in 3000 ms`));
      const missing = await a.weft(['explain', 'via-b-3']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, `weft explain: no proxy remembers request via-b-3 (asked 1 proxy; plane replica ${b.url} did not answer (no answer in 3000 ms); each worker keeps its last 1024 stories: every failure, a sample of successes) (WEFT_ERR_REQUEST_NOT_FOUND)\n`);
    } finally {
      b.proc.kill('SIGCONT');
    }
  });

  await t.test('a replica that died is named at once (its record outlives it until its TTL), and a replica that stopped cleanly is not asked', async () => {
    b.proc.kill('SIGKILL');
    await waitFor('b to exit', () => b.proc.exitCode !== null || b.proc.signalCode !== null);
    const stats = await a.json<Stats>('/v1/stats?window=1m');
    assert.equal(stats.replicas.missing.length, 1);
    assert.equal(stats.replicas.missing[0].url, b.url);
    assert.match(stats.replicas.missing[0].reason, /ECONNREFUSED/);
    const c = await startPlane({ store: `etcd:${etcd.url}`, tokenFile, args });
    let stopped = false;
    t.after(async () => { if (!stopped) await c.stop(); });
    assert.equal((await a.json<Stats>('/v1/stats?window=1m')).replicas.answered, 2, 'a asks c as soon as c has started');
    await c.stop();
    stopped = true;
    // c deletes its record as it stops, so a does not count it as missing (b may still be, until its record ages out).
    const after = await a.json<Stats>('/v1/stats?window=1m');
    assert.ok(!after.replicas.missing.some((m) => m.url === c.url), `c stopped cleanly and is not missing: ${JSON.stringify(after.replicas.missing)}`);
    assert.equal(after.replicas.answered, 1, 'a answers alone');
  });
});
