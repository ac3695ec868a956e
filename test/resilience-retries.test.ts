// End to end: retries that help without making an outage worse — the retry budget under a storm, backoff with jitter, gRPC UNAVAILABLE, deadlines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { metric } from './support/resilience.ts';
import { WAIT_MS } from './support/wait.ts';

const upstreams: Upstream[] = [];
let p: RunningProxy;
/** When each request reached the failing upstream, by its x-try-group header. */
const arrivals = new Map<string, number[]>();
let failing: Upstream;
let grpcFlaky: Upstream;
let echo: Upstream;
let silent: Upstream;
let staller: Upstream;
const grpcTries = new Map<string, number>();

after(async () => {
  await p?.stop();
  await Promise.all(upstreams.map((u) => u.close()));
});

async function upstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const u = await startUpstream(handler);
  upstreams.push(u);
  return u;
}

before(async () => {
  failing = await upstream((req, res) => {
    req.resume();
    const group = String(req.headers['x-try-group'] ?? '');
    arrivals.set(group, [...(arrivals.get(group) ?? []), performance.now()]);
    res.writeHead(503).end('down');
  });
  grpcFlaky = await upstream((req, res) => {
    req.resume();
    const n = (grpcTries.get(req.url!) ?? 0) + 1;
    grpcTries.set(req.url!, n);
    // A trailers-only gRPC answer: HTTP 200 whose headers carry the status.
    if (n === 1) res.writeHead(200, { 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'unavailable' }).end();
    else res.end(`ok after ${n}`);
  });
  echo = await upstream((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ deadline: req.headers['x-weft-deadline'] ?? null, grpcTimeout: req.headers['grpc-timeout'] ?? null }));
  });
  // Never answers: only a deadline can end a request to it.
  silent = await upstream((req) => { req.resume(); });
  // Sends the headers and part of the body, then nothing: only the idle timeout can end the response.
  staller = await upstream((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-length': '100' });
    res.write('first part');
  });
  p = await startProxy(['--config', writeConfig(`
listen: 127.0.0.1:0
workers: 1
clusters:
  - { name: failing, endpoints: ["${failing.url}"] }
  - { name: jittery, endpoints: ["${failing.url}"], retryBudget: { minPerSecond: 1000 } }
  - { name: grpc, endpoints: ["${grpcFlaky.url}"] }
  - { name: echo, endpoints: ["${echo.url}"] }
  - { name: silent, endpoints: ["${silent.url}"] }
  - { name: staller, endpoints: ["${staller.url}"] }
routes:
  - match: { prefix: /storm }
    cluster: failing
    retries: { attempts: 3, on: [503], backoff: { base: 1ms, max: 2ms } }
  - match: { prefix: /backoff }
    cluster: jittery
    retries: { attempts: 2, on: [503], backoff: { base: 100ms, max: 100ms } }
  - match: { prefix: /grpc-no-retry }
    cluster: grpc
  - match: { prefix: /grpc }
    cluster: grpc
    retries: { attempts: 1, on: [grpc-unavailable] }
  - match: { prefix: /echo }
    cluster: echo
    timeout: 5s
  - match: { prefix: /silent }
    cluster: silent
    timeout: 1h
  - match: { prefix: /stall }
    cluster: staller
    timeout: 1h
    idleTimeout: 500ms
`)]);
});

test('a retry storm against a failing cluster stays within the budget: 20% of requests plus 10 a second', async () => {
  const N = 300;
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (next < N) {
      next++;
      const r = await request(`${p.url}/storm`, { headers: { 'x-try-group': 'storm' } });
      assert.equal(r.statusCode, 503, 'the failure reaches the client once the budget says no');
      await r.body.dump();
    }
  }));
  const seconds = Math.ceil((Date.now() - started) / 1000);
  const reached = arrivals.get('storm')!.length;
  const retries = reached - N;
  // The window is 10 s: 0.2 per request plus 10 per second of it; a run longer than the window only tightens this.
  assert.ok(retries <= 0.2 * N + 10 * 10, `${retries} retries for ${N} requests in ${seconds} s (without a budget: ${3 * N})`);
  assert.ok(retries >= 0.2 * N, `the budget allowed its share: ${retries} retries`);
  assert.ok(await metric(p.admin, 'weft_upstream_retry_budget_exhausted_total', { cluster: 'failing' }) > 0);
  assert.equal(await metric(p.admin, 'weft_upstream_retries_total', { cluster: 'failing' }), retries);
});

test('retries back off with full jitter: each retry waits, and the waits vary (their bounds: core/routing/retry-policy.test.ts)', async (t) => {
  for (let i = 0; i < 20; i++) {
    const r = await request(`${p.url}/backoff`, { headers: { 'x-try-group': `backoff-${i}` } });
    assert.equal(r.statusCode, 503);
    await r.body.dump();
  }
  const gaps: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = arrivals.get(`backoff-${i}`)!;
    assert.equal(t.length, 3, 'one try and two retries');
    gaps.push(t[1] - t[0], t[2] - t[1]);
  }
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  t.diagnostic(`waits between tries average ${mean.toFixed(1)} ms (uniform in [0, 100) averages 50): ${gaps.map(Math.round).join(' ')}`);
  // Retries at once would all fall in the first 10 ms; only random waits spread over several tens of ms.
  assert.ok(new Set(gaps.map((g) => Math.round(g / 10))).size > 3, `the waits vary: ${gaps.map(Math.round).join(' ')}`);
});

test('gRPC UNAVAILABLE in a trailers-only answer is retried when the route says grpc-unavailable, and passed through when it does not', async () => {
  const r = await request(`${p.url}/grpc/a`);
  assert.equal(r.statusCode, 200);
  assert.equal(await r.body.text(), 'ok after 2');
  const plain = await request(`${p.url}/grpc-no-retry/b`);
  assert.equal(plain.headers['grpc-status'], '14');
  await plain.body.dump();
  assert.equal(grpcTries.get('/grpc-no-retry/b'), 1);
});

test('deadlines: the time left reaches the upstream as x-weft-deadline, and a shorter one from the caller bounds the request', async () => {
  // What is left of each budget when the proxy forwards: at most the budget (so it came from there), and above zero.
  const plain = (await (await request(`${p.url}/echo`)).body.json()) as { deadline: string };
  assert.ok(Number(plain.deadline) > 0 && Number(plain.deadline) <= 5000, `route timeout 5s, upstream told ${plain.deadline} ms`);
  const announced = (await (await request(`${p.url}/echo`, { headers: { 'x-weft-deadline': '1200' } })).body.json()) as { deadline: string };
  assert.ok(Number(announced.deadline) > 0 && Number(announced.deadline) <= 1200, `caller gave 1200 ms, upstream told ${announced.deadline}`);
  const grpc = (await (await request(`${p.url}/echo`, { headers: { 'grpc-timeout': '2S' } })).body.json()) as { deadline: string; grpcTimeout: string };
  assert.match(grpc.grpcTimeout, /^[0-9]+m$/);
  const grpcMs = Number(grpc.grpcTimeout.slice(0, -1));
  assert.ok(grpcMs > 0 && grpcMs <= 2000, `grpc-timeout 2S rewritten to ${grpc.grpcTimeout}`);

  // The upstream never answers and the route allows an hour: a 504 can only come from the caller's 300 ms.
  const r = await request(`${p.url}/silent`, { headers: { 'x-weft-deadline': '300' }, headersTimeout: WAIT_MS });
  assert.equal(r.statusCode, 504);
  assert.equal(r.headers['x-weft-error'], 'WEFT_ERR_UPSTREAM_TIMEOUT');
  await r.body.dump();
});

test('a response body that stalls past the route idleTimeout is cut', async () => {
  // The upstream never finishes the body and the route allows an hour: only the 500 ms idle timeout can cut it
  // (the client's own body timeout, far later, would show as UND_ERR_BODY_TIMEOUT instead).
  const r = await request(`${p.url}/stall`, { bodyTimeout: WAIT_MS });
  assert.equal(r.statusCode, 200);
  const outcome = await r.body.text().then(() => 'complete', (err: { code?: string }) => err.code);
  assert.equal(outcome, 'UND_ERR_SOCKET', 'the proxy closed the connection mid-body');
});
