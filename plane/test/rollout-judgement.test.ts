// Rollouts judged end to end: a real plane, two real proxies, the built-in ratelimit filter and an upstream that answers a small share of requests 503, as the demo's app does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { builtinFilterFile } from '../../core/runtime/assets.ts';
import { startProxy } from '../../test/support/proxy.ts';
import type { RunningProxy } from '../../test/support/proxy.ts';
import { startUpstream } from '../../test/support/upstream.ts';
import type { RolloutRecord } from '../model.ts';
import { failing500, trapsOnRequest } from './modules.ts';
import { startPlane, tempDir, waitFor } from './support.ts';

/** One upstream request in 20 is answered 503 (5%): errors no filter version causes. */
const ERROR_EVERY = 20;

test('rollout judgement with real proxies in front of an upstream that injects 503s', { timeout: 240_000 }, async (t) => {
  let served = 0;
  const upstream = await startUpstream((_req, res) => {
    res.statusCode = ++served % ERROR_EVERY === 0 ? 503 : 200;
    res.end(res.statusCode === 503 ? 'busy' : 'ok');
  });
  t.after(() => upstream.close());
  const plane = await startPlane();
  t.after(() => plane.stop());
  const dir = tempDir('judgement');
  const ratelimit = readFileSync(builtinFilterFile('ratelimit'));
  const wasm = join(dir, 'ratelimit.wasm');
  writeFileSync(wasm, ratelimit);
  const push = async (file: string, version: string, hold: boolean) => {
    const r = await plane.weft(['filter', 'push', 'ratelimit', file, '--version', version, ...(hold ? ['--hold'] : [])]);
    assert.equal(r.code, 0, r.stderr);
  };
  await push(wasm, '1.0.0', false);
  // A limit far above the test's traffic: every request passes the filter, as in the demo.
  writeFileSync(join(dir, 'mesh.yaml'), `clusters:
  - name: app
    endpoints: [${upstream.url}]
routes:
  - cluster: app
filters:
  - name: ratelimit
    config: { limits: [{ name: all, requests: 1000000, perSeconds: 1, key: { source: global } }] }
`);
  const applied = await plane.weft(['apply', '-f', join(dir, 'mesh.yaml')]);
  assert.equal(applied.code, 0, applied.stderr);

  const proxies: RunningProxy[] = [];
  t.after(() => Promise.all(proxies.map((p) => p.stop())));
  for (const node of ['edge-1', 'edge-2']) {
    proxies.push(await startProxy(['--plane', plane.url, '--node', node, '--data-dir', tempDir(node), '--token', plane.token, '--workers', '1']));
  }
  const agent = new Agent({ connections: 4 });
  t.after(() => agent.close());
  await waitFor('both proxies serving', async () => {
    const codes = await Promise.all(proxies.map(async (p) => (await request(p.url, { dispatcher: agent })).statusCode));
    return codes.every((c) => c === 200 || c === 503);
  }, 20_000);

  const rollout = () => plane.json<RolloutRecord>('/v1/rollout');
  /** Runs traffic through both proxies (two loops each) until the rollout ends; the statuses clients got. */
  async function untilDecided(): Promise<{ done: RolloutRecord; codes: Map<number, number> }> {
    let stop = false;
    const codes = new Map<number, number>();
    const loop = async (p: RunningProxy) => {
      while (!stop) {
        const res = await request(`${p.url}/work`, { dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 });
        await res.body.dump();
        codes.set(res.statusCode, (codes.get(res.statusCode) ?? 0) + 1);
      }
    };
    const loads = proxies.flatMap((p) => [loop(p), loop(p)]);
    try {
      const done = await waitFor('the rollout to end', async () => { const r = await rollout(); return r.phase !== 'running' ? r : undefined; }, 120_000);
      return { done, codes };
    } finally {
      stop = true;
      await Promise.all(loads);
    }
  }

  await t.test("the demo's rollout of ratelimit@1.1.0, the same bytes as 1.0.0, is promoted although the upstream fails 5% of requests", async () => {
    await push(wasm, '1.1.0', true);
    // The demo's command, with a shorter interval; the error-rate limit (0.01) and minimum sample (20) are the defaults.
    const started = await plane.weft(['rollout', 'start', 'ratelimit@1.1.0', '--canary', '10', '--step', '30', '--interval', '2s']);
    assert.equal(started.code, 0, started.stderr);
    const { done, codes } = await untilDecided();
    assert.equal(done.phase, 'promoted', done.reason);
    assert.deepEqual(done.history.map((h) => `${h.event} ${h.percent}`), ['started 10', 'stepped 40', 'stepped 70', 'stepped 100', 'promoted 100']);
    assert.ok((codes.get(503) ?? 0) > 0, 'the upstream did fail requests during the rollout');
    const judged = done.history.filter((h) => h.figures);
    assert.ok(judged.some((h) => h.figures!.canary.upstreamErrors > 0), `upstream errors met the new version's requests and counted against neither: ${JSON.stringify(judged.map((h) => h.figures))}`);
    for (const h of judged) assert.equal(h.figures!.canary.filterErrors, 0);
    const status = await plane.weft(['rollout', 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /ratelimit: 1\.0\.0 -> 1\.1\.0 {2}promoted {2}at 100%/);
    assert.match(status.stdout, /stepped 40%: serving 40% of requests; the last step had ratelimit@1\.1\.0: \d+ requests, 0 filter errors \(0\.000\), \d+ upstream errors \(\d\.\d{3}\); ratelimit@1\.0\.0: \d+ requests, 0 filter errors \(0\.000\), \d+ upstream errors \(\d\.\d{3}\)/);
    assert.match(status.stdout, /promoted 100%: promoted: ratelimit@1\.1\.0 serves all requests; the last step had /);
  });

  await t.test('a new version whose filter answers 500 itself is rolled back, and the status says it caused them', async () => {
    const file = join(dir, 'failing.wasm');
    writeFileSync(file, await failing500());
    await push(file, '1.2.0', true);
    assert.equal((await plane.weft(['rollout', 'start', 'ratelimit@1.2.0', '--canary', '10', '--step', '30', '--interval', '2s'])).code, 0);
    const { done, codes } = await untilDecided();
    assert.equal(done.phase, 'rolled_back', done.reason);
    assert.match(done.reason, /^rolled back at 10%: ratelimit@1\.2\.0 caused (\d+) errors itself in \1 requests \(rate 1\.000\) against 0 in \d+ \(0\.000\) on 1\.1\.0; limit 0\.01 above$/);
    assert.ok((codes.get(500) ?? 0) > 0, 'the canary did answer 500s');
    const status = await plane.weft(['rollout', 'status']);
    assert.match(status.stdout, /ratelimit: 1\.1\.0 -> 1\.2\.0 {2}rolled_back {2}at 10%/);
    assert.match(status.stdout, /rolled back 10%: rolled back at 10%: ratelimit@1\.2\.0 caused/);
  });

  await t.test('a new version that traps on every request is rolled back', async () => {
    const file = join(dir, 'trapping.wasm');
    writeFileSync(file, await trapsOnRequest());
    await push(file, '1.3.0', true);
    assert.equal((await plane.weft(['rollout', 'start', 'ratelimit@1.3.0', '--canary', '10', '--step', '30', '--interval', '2s'])).code, 0);
    const { done, codes } = await untilDecided();
    assert.equal(done.phase, 'rolled_back', done.reason);
    assert.match(done.reason, /^rolled back at 10%: ratelimit@1\.3\.0 caused (\d+) errors itself in \1 requests/);
    assert.ok((codes.get(503) ?? 0) > 0);
    // Back on the promoted version alone, on both proxies.
    await waitFor('the snapshot without a canary', async () => {
      const s = await plane.json<{ filters: { version: string; canary?: unknown }[] }>('/v1/snapshot');
      return s.filters[0].version === '1.1.0' && s.filters[0].canary === undefined;
    });
  });
});
