// The bench end to end, short: real upstream, real proxies, real load; each target measured or explained.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { processTree, treeCpuMicros } from './cpu.ts';
import { defaultDriver } from './load.ts';
import { measure } from './measure.ts';
import { freePort, statusOf } from './processes.ts';
import { main, runBench } from './run.ts';
import { startTarget, stopTarget } from './targets.ts';
import { hasCommand } from './tools.ts';
import { defaultUpstreamKind, startUpstream } from './upstream.ts';

test('a short run measures direct, weft bare and with its filters, and nginx when installed', async () => {
  const rate = 400;
  const report = await runBench({
    targets: ['direct', 'nginx', 'weft', 'weft-filters'], modes: ['saturated', 'fixed'],
    rounds: 1, seconds: 1, warmupSeconds: 0, connections: 8, rate, bodyBytes: 256, workers: 1,
    driver: defaultDriver(), upstream: defaultUpstreamKind(), pin: true, weft: 'sources',
  });
  assert.deepEqual(report.targets.map((t) => t.target), ['direct', 'nginx', 'weft', 'weft-filters']);

  const direct = report.targets[0];
  assert.equal(direct.unavailable, undefined);
  assert.ok(direct.results.saturated!.requests > 0);
  assert.equal(direct.results.saturated!.errors, 0);
  assert.equal(direct.results.saturated!.proxyCpuUsPerRequest, undefined);
  const fixedRps = direct.results.fixed!.rps;
  // Paced, not saturated; slow responses on a busy machine stretch each cycle, so the floor is loose.
  assert.ok(fixedRps > rate * 0.5 && fixedRps < rate * 1.3, `fixed mode ran at ${fixedRps} req/s`);

  // Weft and its filters are this repository's own code and must always run; nginx must run where installed.
  const nginxHere = hasCommand('nginx');
  for (const t of report.targets.slice(1).filter((x) => x.target !== 'nginx' || nginxHere)) {
    assert.equal(t.unavailable, undefined, `${t.target}: ${t.unavailable}`);
    for (const mode of ['saturated', 'fixed'] as const) {
      const r = t.results[mode]!;
      assert.ok(r.requests > 0, `${t.target} ${mode}: no requests`);
      assert.equal(r.errors, 0, `${t.target} ${mode}: errors`);
      assert.ok(r.proxyCpuUsPerRequest! > 0, `${t.target} ${mode}: no CPU charged to the proxy`);
    }
  }
  if (nginxHere) assert.match(report.machine.nginx!, /^\d+\.\d+/);
  else assert.match(report.targets[1].unavailable!, /nginx is not installed/);

  // Nothing the run started is left behind.
  assert.deepEqual(processTree(process.pid), [process.pid]);
});

test('weft-mesh: a plane and two sidecars, load through the mTLS hop, CPU charged to both sidecars, all stopped after', async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'weft-bench-mesh-'));
  const port = await freePort();
  const upstream = await startUpstream(defaultUpstreamKind(), port, 256, workDir);
  try {
    const target = await startTarget('weft-mesh', { upstream: new URL(`http://127.0.0.1:${port}/`), workers: 1, workDir, bodyBytes: 256, weft: 'sources' });
    try {
      // Two proxies charged (the client and the server sidecar), the plane started beside them but not charged.
      assert.equal(target.proxies.length, 2);
      assert.notEqual(target.proxies[0].pid, target.proxies[1].pid);
      assert.deepEqual(target.support?.map((p) => p.name), ['weft plane']);
      assert.equal(await statusOf(target.url), 200);
      const before = target.proxies.map((p) => treeCpuMicros(p.pid));
      const m = await measure(target, 'saturated', { driver: defaultDriver(), seconds: 1, warmupSeconds: 0, connections: 8, rate: 400 });
      assert.ok(m.requests > 0, 'no requests');
      assert.equal(m.errors, 0);
      assert.ok(m.proxyCpuUsPerRequest! > 0, 'no CPU charged');
      // Every request crossed both sidecars, so both burnt CPU during the load.
      target.proxies.forEach((p, i) => assert.ok(treeCpuMicros(p.pid) > before[i], `${p.name} used no CPU`));
    } finally {
      await stopTarget(target);
    }
    assert.ok([...target.proxies, ...target.support!].every((p) => p.exited()));
  } finally {
    await upstream.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  assert.deepEqual(processTree(process.pid), [process.pid]);
});

test('the command, with the fallback driver and upstream, measures in rounds and writes the report as JSON, Markdown and SVG', async () => {
  const out = mkdtempSync(join(tmpdir(), 'weft-bench-test-'));
  const code = await main(['--targets', 'direct', '--modes', 'saturated', '--rounds', '2', '--duration', '1', '--warmup', '0',
    '--connections', '4', '--driver', 'node', '--upstream-server', 'node', '--out', out]);
  assert.equal(code, 0);
  const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
  assert.deepEqual([report.settings.driver, report.settings.upstream], ['node', 'node']);
  assert.equal(report.targets[0].target, 'direct');
  const [first, second] = report.targets[0].rounds.saturated;
  assert.equal(report.targets[0].rounds.saturated.length, 2);
  assert.equal(report.targets[0].results.saturated.requests, first.requests + second.requests);
  assert.ok(first.requests > 0 && second.requests > 0);
  assert.match(readFileSync(join(out, 'latest.md'), 'utf8'), /^\| direct \| [\d,]+ \|/m);
  assert.match(readFileSync(join(out, 'latest.svg'), 'utf8'), /<svg [^>]*>[\s\S]*<rect/);
});

test('a bad flag is a usage error naming the flag', async () => {
  await assert.rejects(main(['--duration', '0']), { code: 'WEFT_ERR_USAGE', message: /--duration/ });
  await assert.rejects(main(['--targets', 'direct,envoy']), { code: 'WEFT_ERR_USAGE', message: /--targets.*envoy/ });
  await assert.rejects(main(['--run-from', 'binary']), { code: 'WEFT_ERR_USAGE', message: /--run-from: expected one of bundle, sources/ });
});
