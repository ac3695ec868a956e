// `weft explain` end to end: a real plane and two sidecars (frontend → orders over mTLS); stories of a normal request, a policy's refusal, a filter's reply and an unknown ID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { loadBuiltinFilter } from '../filters/build.ts';
import type { Explanation, RecentRequests } from '../plane/explain.ts';
import { freePort, startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import type { RunningPlane } from '../plane/test/support.ts';
import { joinToken } from './support/identity.ts';
import { spawnProxy } from '../core/proxy/spawn.ts';
import type { SpawnedProxy } from '../core/proxy/spawn.ts';
import { closedPort, startUpstream } from './support/upstream.ts';

const DOMAIN = 'explain.test';
const id = (service: string) => `spiffe://${DOMAIN}/ns/default/sa/${service}`;
const API_KEY = 'k-123';

/** A sidecar; its readiness waits for its first snapshot's filters to compile, slow on a loaded machine. */
async function sidecar(plane: RunningPlane, service: string, appUrl: string, extra: string[]): Promise<SpawnedProxy> {
  return spawnProxy(['--admin', '127.0.0.1:0', '--plane', plane.url, '--token', plane.token, '--node', `${service}-1`, '--data-dir', tempDir(`explain-${service}`),
    '--join-token', await joinToken(plane, service), '--service', service, '--inbound', '127.0.0.1:0', '--app', appUrl.replace('http://', ''),
    '--workers', '2', ...extra], {}, 90_000);
}

test('weft explain: a request\'s story at every sidecar it crossed', async (t) => {
  const plane = await startPlane({ args: ['--trust-domain', DOMAIN] });
  t.after(() => plane.stop());
  // /slow is held until the test lets it go, so its story can be read while it is in flight.
  let release = () => {};
  const held = new Promise<void>((resolve) => { release = resolve; });
  t.after(() => release());
  const orders = await startUpstream((req, res) => {
    if (req.url === '/slow') void held.then(() => res.end('slow'));
    else res.end('orders');
  });
  const frontendApp = await startUpstream((_req, res) => res.end('frontend'));
  t.after(() => Promise.all([orders.close(), frontendApp.close()]));
  // The orders sidecar runs the auth filter on its inbound side: /secret needs an API key.
  assert.equal((await plane.push('auth', '1.0.0', await loadBuiltinFilter('auth'))).status, 201);
  const mesh = join(tempDir('explain-mesh'), 'mesh.json');
  writeFileSync(mesh, JSON.stringify({ filters: [{ name: 'auth', config: {
    apiKeys: { header: 'x-api-key', sha256: [createHash('sha256').update(API_KEY).digest('hex')] },
    rules: [{ prefix: '/secret', require: 'apiKey' }, { prefix: '/', require: 'anonymous' }],
  } }] }));
  assert.equal((await plane.weft(['apply', '-f', mesh])).code, 0);

  // The frontend's sidecar is reached only through its bound port, as its app would call orders.
  const ordersBind = await freePort();
  const cars = await Promise.allSettled([
    sidecar(plane, 'orders', orders.url, []),
    sidecar(plane, 'frontend', frontendApp.url, ['--bind', `orders=127.0.0.1:${ordersBind}`]),
  ]);
  t.after(() => Promise.all(cars.map((c) => c.status === 'fulfilled' && c.value.stop())));
  for (const c of cars) if (c.status === 'rejected') throw c.reason;
  const ordersCar = (cars[0] as PromiseFulfilledResult<SpawnedProxy>).value;

  /** What the frontend app would do: call orders through its sidecar's bound port. */
  const call = async (path: string, headers: Record<string, string> = {}, timeoutMs = 5000) => {
    const res = await request(`http://127.0.0.1:${ordersBind}${path}`, { headers: { host: 'orders', ...headers }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    return { status: res.statusCode, body: await res.body.text(), requestId: res.headers['x-request-id'] as string | undefined };
  };
  let last = '';
  // Wide: a sidecar compiles its filters before its first snapshot serves, ~30 s on a loaded two-core machine.
  await waitFor('orders reachable through both sidecars', async () => {
    const r = await call('/').catch((err: Error) => ({ status: 0, body: err.message }));
    last = `${r.status} ${r.body}`;
    return r.status === 200 || undefined;
  }, 120_000).catch(async (err: Error) => assert.fail(`${err.message}; last answer: ${last} ${(await plane.weft(['status'])).stdout} ${ordersCar.stderr().slice(-3000)}`));
  /** GET /v1/requests/ID, for the loops (the CLI's start-up would make each round seconds long). */
  const story = async (requestId: string) => {
    const r = await fetch(`${plane.url}/v1/requests/${requestId}`, { headers: { authorization: `Bearer ${plane.token}` } });
    return r.status === 200 ? await r.json() as Explanation : undefined;
  };
  const explain = async (requestId: string) => {
    const r = await plane.weft(['explain', requestId, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Explanation;
  };

  await t.test('a normal request: route, cluster, endpoint and status from both sidecars, in order', async () => {
    assert.equal((await call('/orders/7', { 'x-request-id': 'story-ok-1' })).status, 200);
    const e = await explain('story-ok-1');
    assert.deepEqual(e.hops.map((h) => [h.node, h.listener]), [['frontend-1', 'bind:orders'], ['orders-1', 'inbound']]);
    assert.equal(e.asked, 2);
    assert.deepEqual(e.missing, []);
    const [front, back] = e.hops;
    assert.equal(front.status, 200);
    assert.equal(front.route, 'outbound:orders');
    assert.equal(front.cluster, 'outbound:orders');
    assert.equal(front.endpoint, `http://127.0.0.1:${ordersCar.port}`);
    assert.equal(front.caller, null, 'the app called its own sidecar in plain text');
    assert.equal(back.caller, id('frontend'));
    assert.deepEqual(back.authz, null);
    assert.equal(back.endpoint, orders.url);
    assert.equal(back.status, 200);
    const steps = back.events.map((ev) => (ev.step === 'filter' ? `filter ${ev.callback}` : ev.step));
    // auth acts on the request alone, and the SDK exports only the callbacks a filter implements: the host calls
    // (and the story shows) nothing of it on the response side.
    assert.deepEqual(steps, ['route', 'filter request_headers', 'endpoint', 'upstream', 'done']);
    const times = back.events.map((ev) => ev.atMs);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'each step is timed from the start, in order');
    assert.deepEqual(back.events[1], { ...back.events[1], filter: 'auth', version: '1.0.0', callback: 'request_headers', result: 'continue' });
    const pick = front.events.find((ev) => ev.step === 'endpoint')!;
    assert.deepEqual({ ...pick, atMs: 0 }, {
      atMs: 0, step: 'endpoint', try: 1, cluster: 'outbound:orders', endpoint: `http://127.0.0.1:${ordersCar.port}`, lb: 'peak_ewma',
      hashed: false, localZone: false, panic: false, available: 1, endpoints: 1,
    });
    assert.match(e.summary, /^200 at frontend's bind:orders: answered \(route outbound:orders, cluster outbound:orders, endpoint http:\/\/127\.0\.0\.1:\d+\) in [\d.]+ ms$/);
    // The text form: the summary, then each hop with its steps.
    const text = await plane.weft(['explain', 'story-ok-1']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^200 at frontend's bind:orders/);
    assert.match(text.stdout, /orders-1 \(orders, inbound, worker \d\): GET \/orders\/7 from spiffe:\/\/explain\.test\/ns\/default\/sa\/frontend → 200/);
    assert.match(text.stdout, /filter auth@1\.0\.0 request_headers: continue/);
    assert.match(text.stdout, /try 1: endpoint http:\/\/127\.0\.0\.1:\d+ of cluster outbound:orders \(peak_ewma; 1 of 1 eligible\)/);
  });

  await t.test('a filter\'s local reply names the filter, its version and the callback', async () => {
    const r = await call('/secret?key=not-kept', { 'x-request-id': 'story-401' });
    assert.equal(r.status, 401);
    const e = await explain('story-401');
    assert.equal(e.summary, '401 at orders\' inbound: filter auth@1.0.0 answered 401 in request_headers');
    const back = e.hops.find((h) => h.node === 'orders-1')!;
    assert.equal(back.path, '/secret', 'the query string is not kept');
    assert.ok(back.events.some((ev) => ev.step === 'filter' && ev.result === 'local_reply' && ev.status === 401));
    assert.equal(back.endpoint, null, 'no endpoint was chosen');
  });

  await t.test('a denied request names the policy, its rule, the path and the caller', async () => {
    const policy = join(tempDir('explain-policy'), 'deny.yaml');
    writeFileSync(policy, 'kind: AuthorizationPolicy\nservice: orders\ndefault: allow\nrules:\n  - name: deny-admin\n    action: deny\n    to: { paths: [/admin] }\n');
    assert.equal((await plane.weft(['apply', '-f', policy])).code, 0);
    await waitFor('the policy in force', async () => (await call('/admin')).status === 403 || undefined, 30_000);
    // No x-request-id from the app: the frontend's sidecar made one, and the 403 carries it back.
    const denied = await call('/admin');
    assert.equal(denied.status, 403);
    assert.ok(denied.requestId, 'the refusal carries the request id');
    const e = await explain(denied.requestId);
    assert.equal(e.summary, `403 at orders' inbound: AuthorizationPolicy orders rule deny-admin matched path /admin for ${id('frontend')}`);
    const back = e.hops.find((h) => h.node === 'orders-1')!;
    assert.deepEqual(back.authz, { policy: 'orders', decision: 'deny', rule: 'deny-admin', reason: 'denied_by_rule' });
    assert.equal(back.error, 'WEFT_ERR_AUTHZ_DENIED');
    assert.equal(back.route, null);
    const front = e.hops.find((h) => h.node === 'frontend-1')!;
    assert.equal(front.status, 403);
    assert.ok(front.events.some((ev) => ev.step === 'upstream' && ev.status === 403));
    const text = await plane.weft(['explain', denied.requestId]);
    assert.match(text.stdout.split('\n')[0], /^403 at orders' inbound: AuthorizationPolicy orders rule deny-admin matched path \/admin for spiffe:\/\/explain\.test\/ns\/default\/sa\/frontend$/);
  });

  await t.test('the recent requests of a service, newest first, each with its id', async () => {
    const tail = await plane.json<RecentRequests>('/v1/requests?service=orders&limit=500');
    assert.equal(tail.service, 'orders');
    assert.ok(tail.requests.every((q) => q.node === 'orders-1'), 'only the orders sidecar answered with lines');
    const starts = tail.requests.map((q) => q.start);
    assert.deepEqual(starts, [...starts].sort((a, b) => b - a));
    const line = tail.requests.find((q) => q.requestId === 'story-401')!;
    assert.deepEqual({ ...line, start: 0, durationMs: 0 }, {
      requestId: 'story-401', node: 'orders-1', listener: 'inbound', start: 0, durationMs: 0, method: 'GET', path: '/secret', route: 'inbound', status: 401, error: null,
    });
    assert.ok(tail.requests.some((q) => q.status === 403 && q.error === 'WEFT_ERR_AUTHZ_DENIED'));
    const text = await plane.weft(['requests', 'orders', '--limit', '500']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /TIME +NODE +LISTENER +STATUS +DURATION +ROUTE +REQUEST +ID +ERROR/);
    assert.match(text.stdout, /orders-1 +inbound +401 .* GET \/secret +story-401/);
    const bad = await plane.weft(['requests', 'orders', '--limit', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^weft requests: limit: a whole number from 1 to 500 \(WEFT_ERR_USAGE\)\n$/);
  });

  await t.test('a request still in flight is told as far as it got, at both sidecars', async () => {
    const pending = call('/slow', { 'x-request-id': 'story-slow' }, 120_000);
    const e = await waitFor('the request at both sidecars', async () => {
      const body = await story('story-slow');
      return body?.hops.length === 2 ? body : undefined;
    }, 20_000);
    assert.deepEqual(e.hops.map((h) => [h.node, h.inFlight, h.status]), [['frontend-1', true, 0], ['orders-1', true, 0]]);
    assert.match(e.summary, /^still in flight at frontend's bind:orders after [\d.]+ ms, its last step endpoint \(route outbound:orders, cluster outbound:orders, endpoint http:\/\/127\.0\.0\.1:\d+\)$/);
    assert.match(e.hops[1].summary, /^still in flight at orders' inbound after [\d.]+ ms, its last step endpoint \(route inbound, cluster inbound, endpoint http:\/\/127\.0\.0\.1:\d+\)$/);
    release();
    assert.equal((await pending).status, 200);
    const after = await explain('story-slow');
    assert.deepEqual(after.hops.map((h) => [h.inFlight, h.status]), [[false, 200], [false, 200]]);
  });

  await t.test('a try that failed is retried on another endpoint, with its reason', async () => {
    // A second orders instance that refuses connections: the frontend's sidecar may pick it, fail, and retry.
    const dead = await closedPort();
    const register = async () => {
      const res = await fetch(`${plane.url}/v1/services/orders/instances`, {
        method: 'PUT', headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: `http://127.0.0.1:${dead}`, identity: id('orders') }),
      });
      assert.equal(res.status < 300, true, await res.text());
    };
    await register();
    const retried = await waitFor('a request that was retried', async () => {
      await register(); // as a heartbeat: the registration lives 10 s
      const requestId = `story-retry-${Math.random().toString(36).slice(2)}`;
      assert.equal((await call('/', { 'x-request-id': requestId })).status, 200);
      const front = (await story(requestId))!.hops[0];
      return front.events.some((ev) => ev.step === 'retry') ? front : undefined;
    }, 60_000);
    const steps = retried.events.filter((ev) => ev.step === 'endpoint' || ev.step === 'retry');
    assert.deepEqual(steps.map((ev) => [ev.step, ev.try ?? ev.reason, ev.endpoint ?? null]), [
      ['endpoint', 1, `http://127.0.0.1:${dead}`],
      ['retry', 'WEFT_ERR_UPSTREAM_CONNECT', null],
      ['endpoint', 2, `http://127.0.0.1:${ordersCar.port}`],
    ]);
    assert.equal(steps[0].endpoints, 2);
    assert.match(retried.summary, /^200 at frontend's bind:orders: answered \(.*, after 1 retry \(WEFT_ERR_UPSTREAM_CONNECT\)\) in [\d.]+ ms$/);
  });

  await t.test('an unknown id is one line with its code, exit 1', async () => {
    const r = await plane.weft(['explain', 'no-such-request']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^weft explain: no proxy remembers request no-such-request \(asked 2 proxies; each worker keeps its last 1024 stories: every failure, a sample of successes\) \(WEFT_ERR_REQUEST_NOT_FOUND\)\n$/);
    const res = await fetch(`${plane.url}/v1/requests/no-such-request`, { headers: { authorization: `Bearer ${plane.token}` } });
    assert.equal(res.status, 404);
    assert.equal((await res.json() as { error: string }).error, 'WEFT_ERR_REQUEST_NOT_FOUND');
  });
});
