// End to end through `weft proxy`: what an HTTP/2 client gets of responses without bodies, heads sent before their body, Expect, a cut upstream body, a head HTTP/2 cannot carry, CONNECT and big bodies both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { h2Exchange as h2 } from './support/h2-client.ts';

let up: Upstream;
let proxy: RunningProxy;
/** Ends the response /later holds open, once the client has its head. */
let release: (() => void) | undefined;
const BIG = 3 * 1024 * 1024;

function upstream(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url!;
  if (path === '/no-content') {
    res.writeHead(204);
    res.end();
  } else if (path === '/length') {
    // HEAD's answer: the length of the body a GET would get, and no body.
    res.writeHead(200, { 'content-length': '5', 'content-type': 'text/plain' });
    res.end(req.method === 'HEAD' ? undefined : 'hello');
  } else if (path === '/later') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    release = () => res.end('done');
  } else if (path === '/cut') {
    res.writeHead(200, { 'content-length': '100000' });
    res.write(Buffer.alloc(1000, 'a'));
    setTimeout(() => res.socket!.destroy(), 50);
  } else if (path === '/twice') {
    // Two content-types: HTTP/1.1 carries them, HTTP/2 forbids a repeated single-value field.
    res.setHeader('content-type', ['text/plain', 'text/html']);
    res.end('two');
  } else if (path === '/big') {
    res.writeHead(200, { 'content-length': String(BIG) });
    res.end(Buffer.alloc(BIG, 'b'));
  } else {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => res.end(JSON.stringify({ method: req.method, bytes: n, expect: req.headers.expect ?? null })));
  }
}

before(async () => {
  up = await startUpstream(upstream);
  proxy = await startProxy(['--listen', '127.0.0.1:0', '--upstream', up.url, '--workers', '1']);
});

after(async () => {
  const code = await proxy?.stop();
  await up?.close();
  assert.equal(code, 0, 'the proxy exits 0 on SIGTERM');
});

test('HEAD and 204 answers end with their head: no body, the stream closed cleanly', async () => {
  const session = http2.connect(proxy.url);
  try {
    const head = await h2(session, { ':method': 'HEAD', ':path': '/length' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '5');
    assert.equal(head.body.length, 0);
    assert.equal(head.rstCode, http2.constants.NGHTTP2_NO_ERROR);
    const none = await h2(session, { ':path': '/no-content' });
    assert.equal(none.status, 204);
    assert.equal(none.body.length, 0);
    assert.ok(none.ended);
    const get = await h2(session, { ':path': '/length' });
    assert.equal(get.body.toString(), 'hello');
  } finally {
    session.close();
  }
});

test('a head the upstream sends before its body reaches the client before the body does', async () => {
  const session = http2.connect(proxy.url);
  try {
    let gotHead = false;
    const answer = h2(session, { ':path': '/later' }, undefined, () => {
      gotHead = true;
      release!();
    });
    const a = await answer;
    assert.ok(gotHead);
    assert.equal(a.status, 200);
    assert.equal(a.body.toString(), 'done');
  } finally {
    session.close();
  }
});

test('Expect: 100-continue gets 100 then the answer; another expectation gets 417', async () => {
  const session = http2.connect(proxy.url);
  try {
    const a = await h2(session, { ':method': 'POST', ':path': '/echo', expect: '100-continue' }, Buffer.from('body'));
    assert.deepEqual(a.informational, [100]);
    assert.equal(a.status, 200);
    assert.deepEqual(JSON.parse(a.body.toString()), { method: 'POST', bytes: 4, expect: null });
    const refused = await h2(session, { ':method': 'POST', ':path': '/echo', expect: 'something-else' }, Buffer.from('body'));
    assert.equal(refused.status, 417);
  } finally {
    session.close();
  }
});

test('an upstream that fails mid-body resets the client stream, never a body taken as complete', async () => {
  const session = http2.connect(proxy.url);
  try {
    const a = await h2(session, { ':path': '/cut' });
    assert.equal(a.status, 200);
    assert.ok(a.body.length < 100_000);
    assert.ok(!a.ended, 'the stream did not end as if complete');
    assert.notEqual(a.rstCode, http2.constants.NGHTTP2_NO_ERROR);
    // The session serves on.
    assert.equal((await h2(session, { ':path': '/length' })).status, 200);
  } finally {
    session.close();
  }
});

test('a head HTTP/2 cannot carry (content-type twice) is the upstream\'s 502, and the proxy serves on', async () => {
  const session = http2.connect(proxy.url);
  try {
    const a = await h2(session, { ':path': '/twice' });
    assert.equal(a.status, 502);
    assert.equal(a.headers['x-weft-error'], 'WEFT_ERR_UPSTREAM_PROTOCOL');
    assert.equal((await h2(session, { ':path': '/length' })).status, 200);
  } finally {
    session.close();
  }
});

test('bodies of megabytes go both ways whole, past the flow-control windows', async () => {
  const session = http2.connect(proxy.url);
  try {
    const up = await h2(session, { ':method': 'PUT', ':path': '/echo' }, Buffer.alloc(BIG, 'u'));
    assert.deepEqual(JSON.parse(up.body.toString()), { method: 'PUT', bytes: BIG, expect: null });
    const down = await h2(session, { ':path': '/big' });
    assert.equal(down.body.length, BIG);
    assert.ok(down.ended);
  } finally {
    session.close();
  }
});

test('CONNECT on a proxy that opens no tunnels gets 405', async () => {
  const session = http2.connect(proxy.url);
  try {
    const a = await h2(session, { ':method': 'CONNECT', ':authority': 'example.com:443' });
    assert.equal(a.status, 405);
  } finally {
    session.close();
  }
});
