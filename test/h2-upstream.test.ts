// The proxy's HTTP/2 client (core/upstream/h2-sessions.ts) against a real node:http2 server: one multiplexed connection, GOAWAY, large bodies both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { request } from 'undici';
import { startH2UpstreamProxy } from './support/upstream.ts';

test('HTTP/2 upstream: one connection for concurrent requests, GOAWAY lets streams finish and moves new ones, bodies flow both ways', async (t) => {
  let held: (() => void) | undefined;
  const server = http2.createServer((req, res) => {
    if (req.url === '/hold') {
      // Answers only when released: a stream in flight across the GOAWAY below.
      held = () => res.end('held and finished');
      return;
    }
    if (req.url === '/goaway') {
      res.end('going away');
      // Graceful: the streams already open (the held one) finish, no new ones are taken here.
      req.stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, req.stream.id!);
      return;
    }
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => res.end(req.url === '/big' ? Buffer.alloc(8 << 20, 7) : `${n}`));
  });
  const { proxy, sessions } = await startH2UpstreamProxy(t, server);
  const get = async (path: string, body?: Buffer) => {
    const r = await request(`${proxy.url}${path}`, { method: body ? 'POST' : 'GET', body, headersTimeout: 30_000, bodyTimeout: 30_000 });
    return { status: r.statusCode, body: Buffer.from(await r.body.arrayBuffer()) };
  };

  await t.test('twenty requests at once share one connection', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, () => get('/n', Buffer.alloc(1000))));
    assert.deepEqual(all.map((r) => r.body.toString()), Array(20).fill('1000'));
    assert.equal(sessions.size, 1);
  });

  await t.test('bodies larger than every flow-control window cross whole', async () => {
    assert.equal((await get('/n', Buffer.alloc(6 << 20, 1))).body.toString(), String(6 << 20));
    const big = await get('/big');
    assert.equal(big.body.length, 8 << 20);
    assert.ok(big.body.every((b) => b === 7));
  });

  await t.test('after GOAWAY the stream in flight finishes and new requests open a new connection', async () => {
    const holding = get('/hold');
    await new Promise<void>((resolve) => { const wait = () => (held ? resolve() : setTimeout(wait, 10)); wait(); });
    assert.equal((await get('/goaway')).body.toString(), 'going away');
    assert.equal((await get('/n', Buffer.alloc(10))).body.toString(), '10');
    assert.equal(sessions.size, 2, 'the new request went to a new connection');
    held!();
    assert.equal((await holding).body.toString(), 'held and finished');
  });
});
