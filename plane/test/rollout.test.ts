// The rollout controller on a real plane: proxies (control clients) report per-version counts; the plane promotes, rolls back, aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlClient } from '../../core/control/client.ts';
import type { VersionCount } from '../../core/control/client.ts';
import type { Snapshot } from '../../core/control/snapshot.ts';
import type { RolloutRecord } from '../model.ts';
import { versionedFilter } from './modules.ts';
import { startPlane, tempDir, waitFor } from './support.ts';

/**
 * Counts a proxy would report: each report adds traffic split by the canary share the proxy was sent,
 * and versions in `failing` answer every request with a 5xx of their own.
 */
function trafficCounter(failing: Set<string>) {
  const totals = new Map<string, VersionCount>();
  let snapshot: Snapshot | null = null;
  return {
    apply: async (s: Snapshot) => { snapshot = s; },
    stats(): VersionCount[] {
      const f = snapshot?.filters[0];
      if (f) {
        const canary = f.canary ? Math.round(f.canary.percent) : 0;
        for (const [version, n] of [[f.version, 100 - canary], [f.canary?.version, canary]] as const) {
          if (!version || !n) continue;
          const c = totals.get(version) ?? { filter: f.name, version, requests: 0, filterErrors: 0, upstreamErrors: 0 };
          c.requests += n;
          if (failing.has(version)) c.filterErrors += n;
          totals.set(version, c);
        }
      }
      return [...totals.values()];
    },
  };
}

test('rollouts on one plane', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  const dir = tempDir('rollout');
  const push = async (version: string, hold = true) => {
    const f = join(dir, `${version}.wasm`);
    writeFileSync(f, await versionedFilter(`v${version}`));
    const r = await plane.weft(['filter', 'push', 'hdr', f, '--version', version, ...(hold ? ['--hold'] : [])]);
    assert.equal(r.code, 0, r.stderr);
  };
  await push('1', false);
  writeFileSync(join(dir, 'mesh.yaml'), 'clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\nfilters:\n  - name: hdr\n');
  assert.equal((await plane.weft(['apply', '-f', join(dir, 'mesh.yaml')])).code, 0);
  const failing = new Set<string>();
  const proxies = await Promise.all(['p1', 'p2'].map(async (node) => {
    const counter = trafficCounter(failing);
    const client = await startControlClient({ planes: [plane.url], node, dataDir: tempDir(node), token: plane.token, apply: counter.apply, stats: counter.stats });
    return { client, counter };
  }));
  t.after(async () => { for (const p of proxies) await p.client.close(); });
  const snapshot = () => plane.json<Snapshot>('/v1/snapshot');
  const rollout = () => plane.json<RolloutRecord>('/v1/rollout');
  const start = (ref: string, interval = '300ms') => plane.weft(['rollout', 'start', ref, '--canary', '20', '--step', '40', '--interval', interval, '--min-requests', '10', '--max-error-rate', '0.05']);

  await t.test('a held push deploys nothing until a rollout serves it to a share of requests, step by step, then promotes it', async () => {
    await push('2');
    assert.equal((await snapshot()).filters[0].version, '1');
    const r = await start('hdr@2');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hdr: 1 -> 2 {2}running {2}at 20%/);
    const s = await snapshot();
    assert.deepEqual({ version: s.filters[0].version, canary: s.filters[0].canary?.version, percent: s.filters[0].canary?.percent }, { version: '1', canary: '2', percent: 20 });
    assert.equal(s.statsIntervalMs, 1000);
    const done = await waitFor('promotion', async () => { const x = await rollout(); return x.phase !== 'running' ? x : undefined; });
    assert.equal(done.phase, 'promoted', done.reason);
    assert.deepEqual(done.history.map((h) => `${h.event} ${h.percent}`), ['started 20', 'stepped 60', 'stepped 100', 'promoted 100']);
    const after = await waitFor('the promoted version alone', async () => { const x = await snapshot(); return x.filters[0].canary ? undefined : x; });
    assert.equal(after.filters[0].version, '2');
    assert.equal(after.statsIntervalMs, undefined);
  });

  await t.test('a canary whose new version returns 500s is rolled back by itself, and says why', async () => {
    await push('3');
    failing.add('3');
    assert.equal((await start('hdr@3')).code, 0);
    const done = await waitFor('rollback', async () => { const x = await rollout(); return x.phase !== 'running' ? x : undefined; });
    assert.equal(done.phase, 'rolled_back');
    assert.match(done.reason, /rolled back at 20%: hdr@3 caused (\d+) errors itself in \1 requests \(rate 1\.000\) against 0 in \d+ \(0\.000\) on 2; limit 0\.05 above/);
    const status = await plane.weft(['rollout', 'status']);
    assert.match(status.stdout, /hdr: 2 -> 3 {2}rolled_back/);
    const after = await waitFor('the base version alone', async () => { const x = await snapshot(); return x.filters[0].canary ? undefined : x; });
    assert.equal(after.filters[0].version, '2');
    await waitFor('proxies back on 2 only', () => proxies.every((p) => p.client.current?.filters[0].canary === undefined));
  });

  await t.test('abort rolls back at once; a second rollout while one runs is refused', async () => {
    await push('4');
    // A long interval: counts left from the earlier subtests must not promote it before the abort on a busy machine.
    assert.equal((await start('hdr@4', '60s')).code, 0);
    // A second rollout is refused while this one runs.
    assert.match((await start('hdr@4', '60s')).stderr, /a rollout of hdr@4 is running \(WEFT_ERR_ROLLOUT_CONFLICT\)/);
    assert.match((await plane.weft(['filter', 'rollback', 'hdr'])).stderr, /weft rollout abort first/);
    const r = await plane.weft(['rollout', 'abort']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /aborted at 20%: hdr is back on 2/);
    assert.equal((await snapshot()).filters[0].canary, undefined, 'abort publishes before it answers');
    assert.match((await plane.weft(['rollout', 'abort'])).stderr, /no rollout is running/);
  });
});
