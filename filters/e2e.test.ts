// End to end through `weft proxy` with 2 workers and the chain auth -> ratelimit -> router -> telemetry against real upstreams and a real OTLP/HTTP receiver.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import { startProxy } from '../test/support/proxy.ts';
import type { RunningProxy } from '../test/support/proxy.ts';
import { startUpstream } from '../test/support/upstream.ts';
import type { Upstream } from '../test/support/upstream.ts';
import { writeConfig } from '../test/support/config.ts';
import { waitFor } from '../test/support/wait.ts';
import { builtinFilters, loadBuiltinFilter } from './build.ts';
import { hmacKey, nowSeconds, rsaKey, signToken } from './auth/test-tokens.ts';

const hs = hmacKey('hs', 'an-end-to-end-secret-of-some-length');
const rs = rsaKey('rs');
const claims = (extra: Record<string, unknown> = {}) => ({ iss: 'https://idp.test', aud: 'shop', sub: 'ada', exp: nowSeconds() + 600, ...extra });
const token = signToken(hs, claims());
const traceId = '0af7651916cd43dd8448eb211c80319c';
const incomingParent = 'b7ad6b7169203331';

let primary: Upstream;
let canary: Upstream;
let shadow: Upstream;
let receiver: http.Server;
let receiverUrl: string;
const exported: { traceId: string; parentSpanId?: string; spanId: string }[] = [];
let proxy: RunningProxy;

function filterChain(): object[] {
  return [
    { name: 'auth', config: { jwt: { issuer: 'https://idp.test', audiences: ['shop'], jwks: { keys: [hs.jwk, rs.jwk] }, forwardClaims: [{ claim: 'sub' }] } } },
    { name: 'ratelimit', config: { limits: [{ name: 'limited', requests: 50, perSeconds: 60, key: { source: 'global' }, prefix: '/limited' }] } },
    {
      name: 'router',
      config: {
        routes: [
          {
            name: 'orders', match: { prefix: '/orders' },
            weightedClusters: [{ cluster: 'primary', weight: 90 }, { cluster: 'canary', weight: 10 }],
            overrides: [{ header: 'x-weft-canary', value: 'true', cluster: 'canary' }],
          },
          { name: 'mirrored', match: { prefix: '/mirrored' }, cluster: 'primary', mirror: { cluster: 'shadow' } },
        ],
      },
    },
    { name: 'telemetry', config: { tracing: { collectorCluster: 'otel', exportIntervalMs: 100 } } },
  ];
}

before(async () => {
  for (const name of builtinFilters) await loadBuiltinFilter(name);
  const answer = (name: string) => (req: IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ upstream: name, traceparent: req.headers.traceparent ?? null, sub: req.headers['x-weft-claim-sub'] ?? null }));
  };
  primary = await startUpstream(answer('primary'));
  canary = await startUpstream(answer('canary'));
  shadow = await startUpstream(answer('shadow'));
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces' && req.headers['content-type'] === 'application/json') {
        const request = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: typeof exported }[] }[] };
        for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) exported.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  const config = writeConfig(JSON.stringify({
    listen: '127.0.0.1:0',
    workers: 2,
    filters: filterChain(),
    clusters: [
      { name: 'primary', endpoints: [primary.url] },
      { name: 'canary', endpoints: [canary.url] },
      { name: 'shadow', endpoints: [shadow.url] },
      { name: 'otel', endpoints: [receiverUrl] },
    ],
    routes: [{ name: 'api', cluster: 'primary' }],
  }), 'weft.json');
  proxy = await startProxy(['--config', config]);
});

after(async () => {
  await proxy?.stop();
  await Promise.all([primary?.close(), canary?.close(), shadow?.close(), receiver && new Promise((resolve) => { receiver.closeAllConnections(); receiver.close(resolve); })]);
});

/** One request on a fresh connection (so the kernel spreads them over both workers). */
function send(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${proxy.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers }, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs `count` requests, `parallel` at a time. */
async function many<T>(count: number, parallel: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await one(i);
    }
  }));
  return results;
}

test('valid HS256 and RS256 tokens pass; expired, wrongly signed and wrong-audience ones get 401', async () => {
  for (const good of [token, signToken(rs, claims())]) {
    const r = await send('/anything', { authorization: `Bearer ${good}` });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).sub, 'ada');
  }
  const bad: [string, string][] = [
    [signToken(rs, claims({ exp: nowSeconds() - 3600 })), 'token expired'],
    [signToken(rsaKey('rs'), claims()), 'bad signature'],
    [signToken(hs, claims({ aud: 'elsewhere' })), 'wrong audience'],
  ];
  for (const [badToken, message] of bad) {
    const r = await send('/anything', { authorization: `Bearer ${badToken}` });
    assert.equal(r.status, 401);
    assert.deepEqual(JSON.parse(r.body), { error: 'invalid_token', message });
    assert.match(String(r.headers['www-authenticate']), /^Bearer realm="weft", error="invalid_token"/);
  }
});

test('a limit of 50 per minute: 80 requests over many connections give exactly 50 successes and 30 x 429', async () => {
  const results = await many(80, 16, () => send('/limited'));
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 200).length, 50);
  assert.equal(statuses.filter((s) => s === 429).length, 30);
  const limited = results.find((r) => r.status === 429)!;
  assert.equal(limited.headers['ratelimit-policy'], '"limited";q=50;w=60');
  assert.ok(Number(limited.headers['retry-after']) >= 1);
});

test('a 90/10 split over 2000 requests lands within 3 points; the override header always reaches the canary', async () => {
  const results = await many(2000, 16, () => send('/orders'));
  const toCanary = results.filter((r) => JSON.parse(r.body).upstream === 'canary').length;
  assert.equal(results.filter((r) => r.status === 200).length, 2000);
  assert.ok(Math.abs(toCanary / 2000 - 0.1) <= 0.03, `canary share ${toCanary / 2000}`);
  const forced = await many(50, 8, () => send('/orders', { 'x-weft-canary': 'true' }));
  assert.deepEqual(new Set(forced.map((r) => JSON.parse(r.body).upstream)), new Set(['canary']));
});

test('a mirrored request reaches the shadow upstream; the client gets the primary answer', async () => {
  const r = await send('/mirrored/item?x=1');
  assert.equal(JSON.parse(r.body).upstream, 'primary');
  await waitFor('the shadow to see the copy', () => shadow.seen.some((s) => s.url === '/mirrored/item?x=1'));
});

test('an incoming traceparent keeps its trace id upstream with a new parent id, and its span reaches the OTLP receiver', async () => {
  const r = await send('/traced', { traceparent: `00-${traceId}-${incomingParent}-01` });
  const [, upstreamTrace, upstreamParent, flags] = String(JSON.parse(r.body).traceparent).split('-');
  assert.deepEqual([upstreamTrace, flags], [traceId, '01']);
  assert.notEqual(upstreamParent, incomingParent);
  const span = await waitFor('the span exported', () => exported.find((s) => s.traceId === traceId));
  assert.deepEqual([span.parentSpanId, span.spanId], [incomingParent, upstreamParent]);
});

test('filter metrics show on /metrics with Prometheus names and labels', async () => {
  const text = await (await fetch(`${proxy.admin}/metrics`)).text();
  assert.match(text, /weft_filter_requests_total\{route="api",cluster="canary",code="200"[^}]*\} \d+/);
  assert.match(text, /weft_filter_auth_denied_total\{reason="invalid_token"[^}]*\} \d+/);
  assert.match(text, /weft_filter_ratelimit_rejected_total\{limit="limited"[^}]*\} 30/);
});
