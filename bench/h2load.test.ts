// The HTTP/2 rows: h2load's report read right, and a short real run of Weft and nginx over HTTP/2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseH2load } from './h2load.ts';
import { runBench } from './run.ts';
import { hasCommand } from './tools.ts';
import { defaultUpstreamKind } from './upstream.ts';

test("h2load's summary gives the counts, non-2xx answers count as errors, and latencies come from its log", () => {
  const stdout = [
    'finished in 2.00s, 500.00 req/s, 60.00KB/s',
    'requests: 1003 total, 1004 started, 1003 done, 1000 succeeded, 3 failed, 0 errored, 0 timeout',
    'status codes: 998 2xx, 0 3xx, 2 4xx, 0 5xx',
  ].join('\n');
  const log = Array.from({ length: 1000 }, (_, i) => `1700000000000000\t200\t${i + 1}`).join('\n');
  const r = parseH2load(stdout, log);
  assert.equal(r.requests, 1000);
  assert.equal(r.seconds, 2);
  assert.equal(r.errors, 5);
  assert.deepEqual(r.latencyUs, { p50: 501, p99: 991, p999: 1000, max: 1000 });
  assert.throws(() => parseH2load('h2load: connection refused', ''), /h2load gave no result/);
  // Under a second, h2load says milliseconds.
  assert.equal(parseH2load(stdout.replace('finished in 2.00s', 'finished in 999.88ms'), log).seconds, 0.99988);
});

test('a short run measures weft-h2 and nginx-h2 over HTTP/2 with no errors (h2load: .ci/run installs it)', async () => {
  const report = await runBench({
    targets: ['nginx-h2', 'weft-h2'], modes: ['saturated'], rounds: 1, seconds: 1, warmupSeconds: 0, connections: 8, rate: 400,
    bodyBytes: 256, workers: 1, driver: 'wrk', upstream: defaultUpstreamKind(), pin: true, weft: 'sources',
  });
  for (const t of report.targets.filter((x) => x.target === 'weft-h2' || hasCommand('nginx'))) {
    assert.equal(t.unavailable, undefined, `${t.target}: ${t.unavailable}`);
    const r = t.results.saturated!;
    assert.ok(r.requests > 0, `${t.target}: no requests`);
    assert.equal(r.errors, 0, `${t.target}: errors`);
    assert.ok(r.latencyUs.p50 > 0 && r.latencyUs.p99 >= r.latencyUs.p50);
    assert.ok(r.proxyCpuUsPerRequest! > 0);
  }
});

test('a short run measures direct-grpc and weft-mesh-grpc (gRPC-framed POSTs, two sidecars over mTLS HTTP/2) with no errors', async () => {
  const report = await runBench({
    targets: ['direct-grpc', 'weft-mesh-grpc'], modes: ['saturated'], rounds: 1, seconds: 1, warmupSeconds: 0, connections: 8, rate: 400,
    bodyBytes: 256, workers: 1, driver: 'wrk', upstream: defaultUpstreamKind(), pin: true, weft: 'sources',
  });
  assert.deepEqual(report.targets.map((t) => t.target), ['direct-grpc', 'weft-mesh-grpc']);
  for (const t of report.targets) {
    assert.equal(t.unavailable, undefined, `${t.target}: ${t.unavailable}`);
    const r = t.results.saturated!;
    assert.ok(r.requests > 0, `${t.target}: no requests`);
    assert.equal(r.errors, 0, `${t.target}: errors`);
  }
  assert.ok(report.targets[1].results.saturated!.proxyCpuUsPerRequest! > 0, 'both sidecars charged');
});
