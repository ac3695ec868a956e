// A stream the HTTP/2 upstream refused unprocessed (REFUSED_STREAM, or above its GOAWAY's last stream id) is sent again by the proxy, whatever the route's retries, and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { request } from 'undici';
import { startH2UpstreamProxy } from './support/upstream.ts';
import { metric } from './support/resilience.ts';

const { NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants;

test('HTTP/2 upstream: refused streams are sent again on a new stream, not answered 502', async (t) => {
  // What the upstream does with the first stream of its next session: refuse it with RST_STREAM, or send GOAWAY
  // saying it processed nothing and close (a peer closing an idle connection, restarting or draining as the stream
  // crossed); every other stream is answered.
  let next: 'refuse' | 'goaway' | undefined;
  let answered = 0;
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const first = next;
    next = undefined;
    if (first === 'refuse') return stream.close(NGHTTP2_REFUSED_STREAM);
    if (first === 'goaway') {
      // The last stream it processed is the one before (node:http2 reads 0 as "the last received": this one).
      const session = stream.session!;
      session.goaway(NGHTTP2_NO_ERROR, stream.id! - 2);
      session.destroy();
      return;
    }
    answered++;
    stream.respond({ ':status': 200 });
    stream.end(`${headers[':method']} ${headers[':path']}`);
  });
  // No retries on the route: what the client gets is what the one try gave.
  const { proxy, sessions } = await startH2UpstreamProxy(t, server);
  const call = async (method: string, path: string) => {
    const r = await request(`${proxy.url}${path}`, { method, headersTimeout: 30_000, bodyTimeout: 30_000 });
    return `${r.statusCode} ${await r.body.text()}`;
  };
  // A first request opens the session the cases below use.
  assert.equal(await call('GET', '/warm'), '200 GET /warm');

  await t.test('RST_STREAM REFUSED_STREAM: a GET and a POST (not idempotent, no retries on the route) are answered', async () => {
    next = 'refuse';
    assert.equal(await call('GET', '/refused'), '200 GET /refused');
    next = 'refuse';
    assert.equal(await call('POST', '/refused'), '200 POST /refused');
    assert.equal(sessions.size, 1, 'a refused stream does not cost the connection');
  });

  await t.test('GOAWAY before the stream was processed: it goes again on a new connection', async () => {
    next = 'goaway';
    assert.equal(await call('POST', '/goaway'), '200 POST /goaway');
    assert.equal(sessions.size, 2);
  });

  await t.test('each is counted in weft_upstream_resent_total', async () => {
    assert.equal(await metric(proxy.admin, 'weft_upstream_resent_total', { cluster: 'h2' }), 3);
    assert.equal(answered, 4);
  });
});
