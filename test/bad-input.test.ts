// End to end: malformed or hostile downstream input gets a clear refusal and never harms the worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { request } from 'undici';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream, rawExchange } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';

let up: Upstream;
let proxy: RunningProxy;

before(async () => {
  up = await startUpstream();
  const config = `${process.env.TMPDIR ?? '/tmp'}/weft-bad-input-${process.pid}.yaml`;
  await import('node:fs').then((fs) => fs.writeFileSync(config, [
    'limits:',
    '  maxHeaderSize: 4096',
    '  maxHeaderCount: 20',
    '  maxRequestsPerConnection: 3',
    '  headersTimeout: 1s',
    '  requestTimeout: 2s',
    'clusters:',
    `  - { name: app, endpoints: ["${up.url}"] }`,
    'routes:',
    '  - { cluster: app }',
  ].join('\n')));
  proxy = await startProxy(['--config', config, '--listen', '127.0.0.1:0', '--workers', '1']);
});

after(async () => {
  await proxy?.stop();
  await up?.close();
});

async function stillServes(): Promise<void> {
  const r = await request(`${proxy.url}/alive`);
  assert.equal(r.statusCode, 200);
  await r.body.text();
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

const cases: [string, string, number][] = [
  ['a malformed request line', 'GARBAGE\r\n\r\n', 400],
  ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n', 400],
  ['Content-Length together with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
  ['two different Content-Lengths', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde', 400],
  ['an obs-folded header', 'GET / HTTP/1.1\r\nHost: x\r\nX-Folded: one\r\n two\r\n\r\n', 400],
  ['a bad chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', 400],
  ['an HTTP/1.1 request without Host', 'GET / HTTP/1.1\r\n\r\n', 400],
];

for (const [what, bytes, status] of cases) {
  test(`${what} gets ${status} and the connection closed`, async () => {
    const { response, closed } = await rawExchange(proxy.port, bytes);
    assert.equal(statusOf(response), status, response);
    assert.match(response, /x-weft-error: WEFT_ERR_BAD_REQUEST/);
    assert.equal(closed, true, 'the proxy closes the connection');
    await stillServes();
  });
}

test('headers over the limit get 431', async () => {
  const { response, closed } = await rawExchange(proxy.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
  assert.equal(statusOf(response), 431);
  assert.match(response, /WEFT_ERR_HEADERS_TOO_LARGE/);
  assert.equal(closed, true);
  await stillServes();
});

test('a client too slow to send its headers is cut off', async (t) => {
  const started = Date.now();
  const sock = net.connect(proxy.port, '127.0.0.1');
  let response = '';
  sock.on('data', (d) => (response += d));
  sock.write('GET / HTTP/1.1\r\nHost: x\r\n');
  const drip = setInterval(() => sock.write('X-Drip: 1\r\n'), 200);
  // The client drips a header line every 200 ms for ever: only the proxy's headersTimeout (1 s) can end it.
  await new Promise((r) => sock.on('close', r));
  clearInterval(drip);
  t.diagnostic(`cut after ${Date.now() - started} ms`);
  assert.ok(response === '' || statusOf(response) === 408, response);
  await stillServes();
});

test('the worker counts what it refused on /metrics', async () => {
  const text = await (await request(`${proxy.admin}/metrics`)).body.text();
  const m = /weft_downstream_rejected_total\{reason="WEFT_ERR_BAD_REQUEST",worker="0"\} (\d+)/.exec(text);
  assert.ok(m && Number(m[1]) >= cases.length, text);
});

test('more header fields than limits.maxHeaderCount get a 431 and the connection closed; the limit itself passes', async () => {
  const fields = (n: number) => Array.from({ length: n }, (_, i) => `x-f${i}: v\r\n`).join('');
  const over = await rawExchange(proxy.port, `GET / HTTP/1.1\r\nHost: x\r\n${fields(20)}\r\n`);
  assert.equal(statusOf(over.response), 431, over.response);
  assert.match(over.response, /x-weft-error: WEFT_ERR_HEADERS_TOO_LARGE/);
  assert.equal(over.closed, true);
  const at = await rawExchange(proxy.port, `GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${fields(18)}\r\n`);
  assert.equal(statusOf(at.response), 200, at.response);
});

test('a connection carries at most limits.maxRequestsPerConnection requests, then closes', async () => {
  const one = 'GET /n HTTP/1.1\r\nHost: x\r\n\r\n';
  const { response, closed } = await rawExchange(proxy.port, one.repeat(3));
  assert.equal(response.match(/HTTP\/1\.1 200/g)?.length, 3, response);
  assert.match(response, /connection: close/i, 'the last response announces the close');
  assert.equal(closed, true);
});

test('a request with an extension method counts toward limits.maxRequestsPerConnection like any other', async () => {
  const { response, closed } = await rawExchange(proxy.port, 'GET /n1 HTTP/1.1\r\nHost: x\r\n\r\nFOO /n2 HTTP/1.1\r\nHost: x\r\n\r\nGET /n3 HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(response.match(/HTTP\/1\.1 \d{3} /g)?.length, 3, response);
  assert.match(response.slice(response.lastIndexOf('HTTP/1.1 ')), /connection: close/i, 'the third response announces the close');
  assert.equal(closed, true);
});
