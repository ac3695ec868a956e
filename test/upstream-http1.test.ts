// The proxy's own HTTP/1.1 client (core/upstream/h1-pool.ts) against a scripted raw-TCP upstream: reads split anywhere, bodies ended by the close, unsolicited bytes, stale keep-alive connections, 1xx, HEAD, responses that are not HTTP, and its one timer's body and keep-alive limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { writeConfig } from './support/config.ts';

/** What the upstream answers, by request path (a number is a pause in ms); `close` ends the connection after the answer. */
const SCRIPTS: Record<string, { parts: (string | number)[]; close?: boolean }> = {
  '/split': { parts: [...'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Split: yes\r\n\r\nhello'] },
  '/eof': { parts: ['HTTP/1.1 200 OK\r\n\r\n', 'until ', 'the close'], close: true },
  '/extra': { parts: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsneaky'] },
  '/continue': { parts: ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone'] },
  '/head': { parts: ['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'] },
  '/no-content': { parts: ['HTTP/1.1 204 No Content\r\n\r\n'] },
  '/garbage': { parts: ['HTTP/1.1 abc nonsense\r\n\r\n'] },
  '/huge': { parts: [`HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(70_000)}\r\nContent-Length: 0\r\n\r\n`] },
  '/truncated': { parts: ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort'], close: true },
  '/set-cookie': { parts: ['HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n'] },
  // Answers, then closes its side at once although it said nothing of closing: the stale connection case.
  '/then-close': { parts: ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'], close: true },
  // Keep-Alive timeout=2: the proxy keeps the connection 1 s idle, less than this body's 2.5 s stall or the route's idle limit.
  '/stall-past-keepalive': { parts: ['HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: 10\r\n\r\nfirst', 2500, 'later'] },
  // Stalls past the /cut route's 2 s idleTimeout: the body is cut there.
  '/cut/stall': { parts: ['HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: 10\r\n\r\nfirst', 30_000, 'never'] },
};

/** A body of `size` bytes, letters from `seed` on, so a byte of another answer shows. */
function pattern(size: number, seed: number): string {
  let body = '';
  for (let i = 0; i < size; i++) body += String.fromCharCode(97 + ((seed + i) % 26));
  return body;
}

/** `/sized/SIZE/SEED` answers `pattern(SIZE, SEED)` in one write. */
function sized(path: string): { parts: string[] } | undefined {
  const m = /^\/sized\/(\d+)\/(\d+)$/.exec(path);
  if (!m) return undefined;
  const body = pattern(Number(m[1]), Number(m[2]));
  return { parts: [`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`] };
}

let upstream: net.Server;
let connections = 0;
/** The upstream's sockets as they came, so a test can tell when the proxy closed one. */
const sockets: net.Socket[] = [];
let proxy: RunningProxy;

/** Writes each part in its own write, a tick apart, so the proxy reads them apart. */
async function answer(socket: net.Socket, parts: (string | number)[]): Promise<void> {
  for (const part of parts) {
    if (socket.destroyed) return;
    if (typeof part === 'number') {
      await new Promise<void>((r) => {
        const t = setTimeout(r, part);
        socket.once('close', () => { clearTimeout(t); r(); });
      });
      continue;
    }
    socket.write(part, 'latin1');
    await new Promise((r) => setImmediate(r));
  }
}

before(async () => {
  upstream = net.createServer((socket) => {
    connections++;
    sockets.push(socket);
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const path = head.split(' ')[1];
        const script = SCRIPTS[path] ?? sized(path) ?? { parts: ['HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'] };
        void answer(socket, script.parts).then(() => script.close && socket.end());
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as AddressInfo).port;
  const config = writeConfig(`
listen: 127.0.0.1:0
workers: 1
clusters:
  - { name: scripted, endpoints: ["http://127.0.0.1:${port}"] }
routes:
  - match: { prefix: /cut/ }
    cluster: scripted
    idleTimeout: 2s
  - match: { prefix: / }
    cluster: scripted
`);
  proxy = await startProxy(['--config', config]);
});

after(async () => {
  await proxy?.stop();
  await new Promise((r) => upstream?.close(r));
});

async function get(path: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const r = await request(`${proxy.url}${path}`, { method: method as 'GET' });
  return { status: r.statusCode, body: await r.body.text(), headers: r.headers };
}

test('a response that arrives a byte at a time is read whole', async () => {
  const r = await get('/split');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'hello');
  assert.equal(r.headers['x-split'], 'yes');
});

test('a body without a length ends with the connection, and is passed on whole', async () => {
  const r = await get('/eof');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'until the close');
});

test('bytes after a response nobody asked for are dropped with their connection, never read as the next answer', async () => {
  assert.equal((await get('/extra')).body, 'ok');
  const before = connections;
  const next = await get('/split');
  assert.equal(next.body, 'hello', 'the next request does not get the unsolicited "sneaky" response');
  assert.equal(connections, before + 1, 'the out-of-step connection was not reused');
});

test('an interim 100 Continue is not forwarded as the answer', async () => {
  const r = await get('/continue');
  assert.equal(r.status, 201);
  assert.equal(r.body, 'done');
});

test('a HEAD response has no body whatever its content-length, and the connection stays usable', async () => {
  const r = await get('/head', 'HEAD');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-length'], '1000');
  assert.equal((await get('/split')).body, 'hello');
  const n = await get('/no-content');
  assert.equal(n.status, 204);
  assert.equal((await get('/split')).body, 'hello');
});

test('repeated response headers reach the client as they came', async () => {
  const r = await get('/set-cookie');
  assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
});

test('a response that is not HTTP, or whose headers exceed the limit, is a 502 naming the upstream protocol error', async () => {
  for (const path of ['/garbage', '/huge']) {
    const r = await get(path);
    assert.equal(r.status, 502, path);
    assert.equal(r.headers['x-weft-error'], 'WEFT_ERR_UPSTREAM_PROTOCOL', path);
  }
});

test('a body cut short by the close is not passed on as complete', async () => {
  await assert.rejects(async () => {
    const r = await request(`${proxy.url}/truncated`);
    await r.body.text();
  });
});

test('bodies of every size, copied out of the shared read buffer 20 at a time, reach the client byte for byte', async () => {
  // Pieces of up to 4 KiB share slabs (several slabs over the 400 answers), larger ones get buffers of their own.
  const sizes = [1, 63, 700, 4097, 6000];
  for (let round = 0; round < 20; round++) {
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const n = round * 20 + i;
      const size = sizes[n % sizes.length];
      const r = await get(`/sized/${size}/${n}`);
      assert.equal(r.status, 200);
      assert.equal(r.body, pattern(size, n), `answer ${n} of ${size} bytes`);
    }));
  }
});

test('a kept-alive connection the upstream closed is not used again: every request of a sequence is answered', async () => {
  for (let i = 0; i < 30; i++) {
    const r = await get('/then-close');
    assert.equal(r.status, 200, `request ${i}`);
    assert.equal(r.body, 'ok');
  }
});

test('a body that stalls longer than the keep-alive time but within the idle limit is passed on whole; the idle connection is then let go', async () => {
  const before = connections;
  const r = await get('/stall-past-keepalive');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'firstlater');
  assert.equal(connections, before + 1, 'the test has the one new connection it watches');
  const socket = sockets.at(-1)!;
  // The proxy closes it after the 1 s the upstream's Keep-Alive allows; a generous window for a slow machine.
  const closed = await new Promise<boolean>((resolve) => {
    if (socket.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), 20_000);
    socket.once('close', () => { clearTimeout(t); resolve(true); });
  });
  assert.equal(closed, true, 'the idle upstream connection was closed by the proxy');
});

test('a body that stalls past the route idleTimeout is cut', async () => {
  const r = await request(`${proxy.url}/cut/stall`);
  assert.equal(r.statusCode, 200);
  await assert.rejects(r.body.text(), 'the client never gets the body as complete');
});
