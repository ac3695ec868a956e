// End to end: upstream failures become clear answers with stable codes; retries follow the route and never repeat a started response.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { request } from 'undici';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream, closedPort } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';

let flaky: Upstream;
let slow: Upstream;
let resetter: Upstream;
let healthy: Upstream;
let proxy: RunningProxy;
/** Requests the flaky upstream answered, by path: the first try of each path gets a 503. */
const flakyCount = new Map<string, number>();

before(async () => {
  flaky = await startUpstream((req, res) => {
    const n = (flakyCount.get(req.url!) ?? 0) + 1;
    flakyCount.set(req.url!, n);
    req.resume();
    if (n === 1) {
      res.writeHead(503).end('try again');
    } else {
      res.end(`ok after ${n}`);
    }
  });
  // Never answers: a 504 can only come from the route's timeout.
  slow = await startUpstream(() => {});
  resetter = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('only part of it');
    setTimeout(() => res.socket?.destroy(), 30);
  });
  healthy = await startUpstream();
  const dead = await closedPort();
  const config = writeConfig(`
listen: 127.0.0.1:0
workers: 1
clusters:
  - { name: flaky, endpoints: ["${flaky.url}"] }
  - { name: slow, endpoints: ["${slow.url}"] }
  - { name: resetter, endpoints: ["${resetter.url}"] }
  - { name: dead, endpoints: ["http://127.0.0.1:${dead}"], connectTimeout: 500ms }
  - { name: halfdead, endpoints: ["http://127.0.0.1:${dead}", "${healthy.url}"], lb: round_robin }
routes:
  - match: { prefix: /retry }
    cluster: flaky
    retries: { attempts: 2, on: [503] }
  - match: { prefix: /noretry }
    cluster: flaky
  - match: { prefix: /slow }
    cluster: slow
    timeout: 300ms
  - match: { prefix: /reset }
    cluster: resetter
  - match: { prefix: /dead }
    cluster: dead
  - match: { prefix: /halfdead }
    cluster: halfdead
    retries: { attempts: 1, on: [connect-failure] }
  - match: { prefix: /only-get, method: GET }
    cluster: flaky
`);
  proxy = await startProxy(['--config', config]);
});

after(async () => {
  await proxy?.stop();
  await Promise.all([flaky?.close(), slow?.close(), resetter?.close(), healthy?.close()]);
});

test('no route → 404 with x-weft-error', async () => {
  const r = await request(`${proxy.url}/only-get/x`, { method: 'DELETE' });
  assert.equal(r.statusCode, 404);
  assert.equal(r.headers['x-weft-error'], 'WEFT_ERR_NO_ROUTE');
  await r.body.text();
});

test('connect failure → 503 with x-weft-error', async () => {
  const r = await request(`${proxy.url}/dead`);
  assert.equal(r.statusCode, 503);
  assert.equal(r.headers['x-weft-error'], 'WEFT_ERR_UPSTREAM_CONNECT');
  await r.body.text();
});

test('upstream timeout → 504 with x-weft-error', async () => {
  const r = await request(`${proxy.url}/slow`);
  assert.equal(r.statusCode, 504);
  assert.equal(r.headers['x-weft-error'], 'WEFT_ERR_UPSTREAM_TIMEOUT');
  await r.body.text();
});

test('a reset mid-response closes the client connection instead of presenting a truncated body as complete', async () => {
  const outcome = await new Promise<{ error?: string; complete: boolean; bytes: number }>((resolve) => {
    http.get(`${proxy.url}/reset`, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ complete: res.complete, bytes }));
      res.on('error', (e) => resolve({ error: e.message, complete: res.complete, bytes }));
      res.on('aborted', () => resolve({ error: 'aborted', complete: res.complete, bytes }));
    }).on('error', (e) => resolve({ error: e.message, complete: false, bytes: 0 }));
  });
  assert.equal(outcome.complete, false);
  assert.ok(outcome.bytes < 1000);
});

test('an idempotent request is retried on 503 and succeeds', async () => {
  const r = await request(`${proxy.url}/retry/a`);
  assert.equal(r.statusCode, 200);
  assert.equal(await r.body.text(), 'ok after 2');
  assert.equal(flakyCount.get('/retry/a'), 2);
});

test('a POST is not retried unless the route allows it', async () => {
  const r = await request(`${proxy.url}/retry/post`, { method: 'POST', body: '' });
  assert.equal(r.statusCode, 503);
  await r.body.text();
  assert.equal(flakyCount.get('/retry/post'), 1);
});

test('a route without retries passes the 503 through as the upstream sent it', async () => {
  const r = await request(`${proxy.url}/noretry/x`);
  assert.equal(r.statusCode, 503);
  assert.equal(r.headers['x-weft-error'], undefined, 'the upstream answered: not a proxy error');
  assert.equal(await r.body.text(), 'try again');
});

test('a connect failure is retried on another endpoint', async () => {
  for (let i = 0; i < 4; i++) {
    const r = await request(`${proxy.url}/halfdead/${i}`);
    assert.equal(r.statusCode, 200, `request ${i}`);
    await r.body.text();
  }
});

test('failures and retries are counted on /metrics', async () => {
  const text = await (await request(`${proxy.admin}/metrics`)).body.text();
  assert.match(text, /weft_upstream_errors_total\{cluster="dead",error="WEFT_ERR_UPSTREAM_CONNECT"\} [1-9]/);
  assert.match(text, /weft_upstream_retries_total\{cluster="flaky"\} [1-9]/);
  assert.match(text, /weft_requests_total\{route="route2",cluster="slow",code="504",worker="0"\} 1/);
});
