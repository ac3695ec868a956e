// `weft proxy --no-request-stories --no-traffic-counts` against a real plane: the proxy serves as before, but keeps no stories and counts nothing, while a proxy without the flags beside it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecentRequests } from '../plane/explain.ts';
import { startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import { startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import { WAIT_MS } from './support/wait.ts';

interface Stats { services: { service: string; requests: number }[] }

test('a proxy with --no-request-stories --no-traffic-counts serves, and neither tells nor counts its requests', async (t) => {
  const plane = await startPlane({ args: ['--report-interval', '1s'] });
  t.after(() => plane.stop());
  const upstream = await startUpstream((_req, res) => res.end('ok'));
  t.after(() => upstream.close());
  const mesh = join(tempDir('observe-off'), 'mesh.yaml');
  writeFileSync(mesh, `clusters:\n  - name: app\n    endpoints: [${upstream.url}]\nroutes:\n  - cluster: app\n`);
  assert.equal((await plane.weft(['apply', '-f', mesh])).code, 0);
  const common = ['--plane', plane.url, '--token', plane.token, '--workers', '1'];
  const quiet = await startProxy([...common, '--node', 'quiet', '--data-dir', tempDir('quiet'), '--no-request-stories', '--no-traffic-counts']);
  t.after(() => quiet.stop());
  const usual = await startProxy([...common, '--node', 'usual', '--data-dir', tempDir('usual')]);
  t.after(() => usual.stop());
  const call = async (url: string, id: string) => {
    const res = await fetch(`${url}/x`, { headers: { 'x-request-id': id }, signal: AbortSignal.timeout(WAIT_MS) });
    return `${res.status} ${await res.text()}`;
  };
  await waitFor('both proxies routing', async () => (await call(quiet.url, 'w-q')) === '200 ok' && (await call(usual.url, 'w-u')) === '200 ok' || undefined);
  for (let i = 0; i < 5; i++) {
    assert.equal(await call(quiet.url, `quiet-${i}`), '200 ok');
    assert.equal(await call(usual.url, `usual-${i}`), '200 ok');
  }

  // The usual proxy's report arriving shows the quiet one had its turn to report too.
  const stats = await waitFor('the usual proxy\'s report', async () => {
    const s = await plane.json<Stats>('/v1/stats?window=1m');
    return (s.services.find((x) => x.service === 'usual')?.requests ?? 0) >= 6 ? s : undefined;
  });
  assert.equal(stats.services.find((x) => x.service === 'quiet')?.requests ?? 0, 0);
  const metrics = async (admin: string) => (await fetch(`${admin}/metrics`)).text();
  assert.match(await metrics(usual.admin), /^weft_requests_total\{.*\} [1-9]/m);
  assert.doesNotMatch(await metrics(quiet.admin), /^weft_requests_total\{/m);

  const tail = await plane.json<RecentRequests>('/v1/requests?limit=100');
  assert.equal(tail.asked, 2);
  assert.deepEqual([...new Set(tail.requests.map((r) => r.node))], ['usual']);
  const missing = await plane.weft(['explain', 'quiet-2']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no proxy remembers request quiet-2 \(asked 2 proxies;/);
  assert.equal((await plane.weft(['explain', 'usual-2'])).code, 0);
});
