// End to end: what keeps traffic flowing when upstreams misbehave — outlier ejection, health checks, panic mode, circuit breakers, retry budgets, backoff, deadlines.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { holdingUpstream, metric, tally } from './support/resilience.ts';
import { waitFor } from './support/wait.ts';

const upstreams: Upstream[] = [];
const proxies: RunningProxy[] = [];
after(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all(upstreams.map((u) => u.close()));
});

async function upstream(handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const u = await startUpstream(handler);
  upstreams.push(u);
  return u;
}

async function proxy(yaml: string): Promise<RunningProxy> {
  const p = await startProxy(['--config', writeConfig(`listen: 127.0.0.1:0\nworkers: 1\n${yaml}`)]);
  proxies.push(p);
  return p;
}

const failing = (status = 503) => (req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  res.writeHead(status).end('failing');
};

/** Requests that reached `u` on `path` (health probes left out). */
const hits = (u: Upstream, path = '/') => u.seen.filter((s) => s.url === path).length;

test('an endpoint answering 503s is ejected after the configured failures, for a time that grows, and never more than the allowed share', async () => {
  const bad = await upstream(failing());
  const good = [await upstream(), await upstream()];
  const worse = [await upstream(failing()), await upstream(failing())];
  const p = await proxy(`
clusters:
  - name: app
    endpoints: ["${bad.url}", "${good[0].url}", "${good[1].url}"]
    outlierDetection: { consecutiveFailures: 3, baseEjectionTime: 4s, maxEjectionPercent: 50 }
  - name: mostly-bad
    endpoints: ["${worse[0].url}", "${worse[1].url}", "${good[0].url}"]
    outlierDetection: { consecutiveFailures: 2, baseEjectionTime: 30s, maxEjectionPercent: 40 }
routes:
  - { match: { prefix: /mostly }, cluster: mostly-bad }
  - cluster: app
`);
  const first = await tally(`${p.url}/`, 30, 1);
  assert.equal(hits(bad), 3, 'the bad endpoint saw exactly the failures that ejected it');
  assert.equal(first.get('status 503'), 3);
  assert.equal(first.get(String(good[0].port))! + first.get(String(good[1].port))!, 27);
  assert.equal(await metric(p.admin, 'weft_upstream_ejections_total', { cluster: 'app' }), 1);
  assert.equal(await metric(p.admin, 'weft_upstream_endpoint_ejected', { cluster: 'app', endpoint: bad.url }), 1);

  // Back after the base ejection time (4 s); failing again, ejected again, now for twice as long (8 s). The waits
  // are the product's own windows: 5 s is past the first and, with 3 s to spare for a slow machine, inside the second.
  await new Promise((r) => setTimeout(r, 5000));
  await tally(`${p.url}/`, 30, 1);
  assert.equal(hits(bad), 6, 'let back in, it failed three more times and was ejected again');
  assert.equal(await metric(p.admin, 'weft_upstream_ejections_total', { cluster: 'app' }), 2);
  await new Promise((r) => setTimeout(r, 5000));
  await tally(`${p.url}/`, 30, 1);
  assert.equal(hits(bad), 6, 'the second ejection lasts 8 s: still out after 5 s');

  // Two bad endpoints of three, at most 40% ejected: one stays in and keeps failing.
  await tally(`${p.url}/mostly`, 30, 1);
  assert.equal(await metric(p.admin, 'weft_upstream_ejections_total', { cluster: 'mostly-bad' }), 1);
  const stillServed = worse.filter((u) => u.seen.length > 2);
  assert.equal(stillServed.length, 1, 'only one of the two bad endpoints was ejected');
});

test('a killed endpoint is detected by active health checks and gets no more traffic', async (t) => {
  const live = await upstream();
  const doomed = await upstream();
  const p = await proxy(`
clusters:
  - name: app
    endpoints: ["${live.url}", "${doomed.url}"]
    healthCheck: { path: /healthz, interval: 100ms, timeout: 300ms, unhealthyThreshold: 2 }
routes:
  - cluster: app
`);
  await waitFor('health probes on the endpoint', () => hits(doomed, '/healthz') >= 2);
  const before = await tally(`${p.url}/`, 20, 2);
  assert.equal(before.get(String(doomed.port)), 10, 'both endpoints served while healthy');
  const killed = Date.now();
  await doomed.close();
  await waitFor('the endpoint marked unhealthy', async () => (await metric(p.admin, 'weft_upstream_endpoint_healthy', { endpoint: doomed.url }, 1)) === 0);
  t.diagnostic(`detected after ${Date.now() - killed} ms (2 probes 100 ms apart)`);
  const afterKill = await tally(`${p.url}/`, 40, 2);
  assert.deepEqual([...afterKill], [[String(live.port), 40]], 'no request went to the dead endpoint, none failed');
  assert.ok(await metric(p.admin, 'weft_upstream_health_checks_total', { cluster: 'app', result: 'fail' }) >= 2);
});

test('panic mode: with too few healthy endpoints the cluster uses them all; with panicThreshold 0 it answers 503 instead', async () => {
  const sickProbe = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url === '/healthz') return void res.writeHead(503).end();
    res.end('served');
  };
  const a = await upstream(sickProbe);
  const b = await upstream(sickProbe);
  const hc = '{ path: /healthz, interval: 100ms, timeout: 300ms, unhealthyThreshold: 1 }';
  const p = await proxy(`
clusters:
  - { name: panicky, endpoints: ["${a.url}", "${b.url}"], healthCheck: ${hc} }
  - { name: strict, endpoints: ["${a.url}", "${b.url}"], healthCheck: ${hc}, panicThreshold: 0 }
routes:
  - { match: { prefix: /strict }, cluster: strict }
  - cluster: panicky
`);
  await waitFor('both clusters see the endpoints unhealthy', async () => (await metric(p.admin, 'weft_upstream_endpoint_healthy', { cluster: 'strict', endpoint: b.url }, 1)) === 0
    && (await metric(p.admin, 'weft_upstream_endpoint_healthy', { cluster: 'panicky', endpoint: b.url }, 1)) === 0);
  for (let i = 0; i < 4; i++) {
    const r = await request(`${p.url}/x`);
    assert.equal(r.statusCode, 200);
    assert.equal(await r.body.text(), 'served');
  }
  assert.ok(await metric(p.admin, 'weft_upstream_panic_total', { cluster: 'panicky' }) >= 4);
  const strict = await request(`${p.url}/strict`);
  assert.equal(strict.statusCode, 503);
  assert.equal(strict.headers['x-weft-error'], 'WEFT_ERR_NO_HEALTHY_UPSTREAM');
  await strict.body.dump();
});

test('circuit breakers: past maxRequests, maxConnections or maxPending a request is answered 503 overflow at once instead of queueing', async () => {
  const { u: held, release } = await holdingUpstream();
  upstreams.push(held);
  const p = await proxy(`
clusters:
  - { name: requests, endpoints: ["${held.url}"], circuitBreakers: { maxRequests: 2 } }
  - { name: connections, endpoints: ["${held.url}"], circuitBreakers: { maxConnections: 1 } }
  - { name: pending, endpoints: ["${held.url}"], maxConnectionsPerEndpoint: 1, circuitBreakers: { maxPending: 1 } }
routes:
  - { match: { prefix: /requests }, cluster: requests }
  - { match: { prefix: /connections }, cluster: connections }
  - { match: { prefix: /pending }, cluster: pending }
`);
  const get = async (path: string) => {
    const r = await request(`${p.url}${path}`);
    await r.body.dump();
    return { status: r.statusCode, error: r.headers['x-weft-error'] };
  };
  /**
   * `atUpstream` requests go one by one until each is held at the upstream; then `queued + refused` at once: the
   * refused ones must be answered while every admitted one is still held (a queued request could not be).
   */
  const overflowWhileHeld = async (path: string, atUpstream: number, queued: number, refused: number) => {
    const admitted: ReturnType<typeof get>[] = [];
    for (let i = 1; i <= atUpstream; i++) {
      admitted.push(get(path));
      await waitFor(`${path} request ${i} at the upstream`, () => hits(held, path) >= i);
    }
    const answered: Awaited<ReturnType<typeof get>>[] = [];
    const rest = Array.from({ length: queued + refused }, () => get(path).then((a) => { answered.push(a); return a; }));
    await waitFor(`${refused} ${path} requests refused`, () => answered.length >= refused);
    assert.deepEqual(answered, Array.from({ length: refused }, () => ({ status: 503, error: 'WEFT_ERR_UPSTREAM_OVERFLOW' })), `${path}: refused at once`);
    assert.equal(hits(held, path), atUpstream, `${path}: the queued request is not at the upstream yet`);
    release();
    // A queued request reaches the upstream once a held one is done; it is released in turn.
    await waitFor(`the queued ${path} requests at the upstream`, () => hits(held, path) >= atUpstream + queued);
    release();
    const all = await Promise.all([...admitted, ...rest]);
    assert.equal(all.filter((a) => a.status === 200).length, atUpstream + queued, 'the admitted requests complete');
  };
  await overflowWhileHeld('/requests', 2, 0, 5);
  await overflowWhileHeld('/connections', 1, 0, 3);
  await overflowWhileHeld('/pending', 1, 1, 3);
  assert.equal(await metric(p.admin, 'weft_upstream_overflow_total', { cluster: 'requests', breaker: 'requests' }), 5);
  assert.equal(await metric(p.admin, 'weft_upstream_overflow_total', { cluster: 'connections', breaker: 'connections' }), 3);
  assert.equal(await metric(p.admin, 'weft_upstream_overflow_total', { cluster: 'pending', breaker: 'pending' }), 3);
  assert.equal(await metric(p.admin, 'weft_upstream_ejections_total', { cluster: 'connections' }), 0, 'overflow is not held against the endpoint');
});
