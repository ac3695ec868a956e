// End to end through `weft proxy`: HTTP/1.1 proxying that is correct — methods, bodies, framing, headers, upgrades.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { request, Agent } from 'undici';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream, rawExchange } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { WAIT_MS } from './support/wait.ts';

let up: Upstream;
let proxy: RunningProxy;
/** A body larger than many socket reads, random so that any byte out of place changes its hash. */
const BIG = randomBytes(16 * 1024 * 1024);
const BIG_SHA = createHash('sha256').update(BIG).digest('hex');

before(async () => {
  up = await startUpstream((req, res) => {
    if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'keep-alive, x-hop', 'x-hop': 'secret', 'keep-alive': 'timeout=5' });
      res.write('part one;');
      setTimeout(() => res.end('part two'), 20);
      return;
    }
    if (req.url === '/trailers') {
      res.writeHead(200, { trailer: 'x-checksum' });
      res.write('body');
      res.addTrailers({ 'x-checksum': 'abc123' });
      res.end();
      return;
    }
    if (req.url === '/large') {
      res.writeHead(200, { 'content-length': BIG.length });
      res.end(BIG);
      return;
    }
    if (req.url === '/large-chunked') {
      res.writeHead(200);
      let at = 0;
      const more = (): void => {
        while (at < BIG.length) if (!res.write(BIG.subarray(at, (at += 100_000)))) return void res.once('drain', more);
        res.end();
      };
      more();
      return;
    }
    if (req.url === '/echo-headers') {
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ headers: req.headers, rawHeaders: req.rawHeaders }));
      return;
    }
    // Count the body as it streams, keeping none of it.
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => res.end(JSON.stringify({ method: req.method, url: req.url, bodyBytes: n, te: req.headers['transfer-encoding'] ?? null })));
  });
  up.server.on('upgrade', (req, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: fake\r\n\r\n');
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
  });
  proxy = await startProxy(['--upstream', up.url, '--workers', '2']);
});

after(async () => {
  // Both, whatever the first gives: a hook that throws skips the hooks after it.
  const [code] = await Promise.all([proxy?.stop(), up?.close()]);
  assert.equal(code, 0, 'the proxy exits 0 on SIGTERM');
});

test('every method reaches the upstream with its path and query', async () => {
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    const r = await request(`${proxy.url}/m/${method}?q=1&b=2`, { method: method as 'GET', body: method === 'GET' || method === 'OPTIONS' ? undefined : 'x' });
    assert.equal(r.statusCode, 200);
    const j = (await r.body.json()) as { method: string; url: string };
    assert.equal(j.method, method);
    assert.equal(j.url, `/m/${method}?q=1&b=2`);
  }
  const head = await request(`${proxy.url}/head`, { method: 'HEAD' });
  assert.equal(head.statusCode, 200);
  assert.equal((await head.body.text()), '');
});

test('a request body streams through without being buffered (chunked upload)', async () => {
  let sent = 0;
  const total = 8 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 97);
  const body = new Readable({
    read() {
      if (sent >= total) return this.push(null);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  const r = await request(`${proxy.url}/upload`, { method: 'POST', body });
  const j = (await r.body.json()) as { bodyBytes: number; te: string | null };
  assert.equal(j.bodyBytes, total);
  assert.equal(j.te, 'chunked', 'an upload of unknown length goes upstream chunked');
});

test('a 1 GiB upload passes through while the proxy stays far below that in memory', async () => {
  const total = 1024 * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 98);
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent >= total) return this.push(null);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  const r = await request(`${proxy.url}/big`, { method: 'PUT', body, headers: { 'content-length': String(total) } });
  const j = (await r.body.json()) as { bodyBytes: number };
  assert.equal(j.bodyBytes, total);
  const status = await import('node:fs').then((fs) => fs.readFileSync(`/proc/${proxy.proc.pid}/status`, 'utf8'));
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]);
  // Socket reads allocate as fast as loopback delivers and GC frees them late, so the peak wanders (300-450 MB here);
  // a proxy that held the upload would need over a gigabyte.
  assert.ok(peakKb < 640 * 1024, `proxy peak RSS ${peakKb} kB should stay well under the 1 GiB it carried`);
});

test('chunked responses stream through and hop-by-hop response headers are dropped', async () => {
  const r = await request(`${proxy.url}/chunked`);
  assert.equal(r.statusCode, 200);
  assert.equal(await r.body.text(), 'part one;part two');
  assert.equal(r.headers['x-hop'], undefined, 'a header named by Connection is hop-by-hop');
  assert.equal(r.headers['keep-alive'] === 'timeout=5', false, "the upstream's keep-alive header is not forwarded");
});

test('a large response reaches a slow client byte for byte, with a content-length and chunked', async () => {
  for (const path of ['/large', '/large-chunked']) {
    const r = await request(`${proxy.url}${path}`);
    assert.equal(r.statusCode, 200);
    const hash = createHash('sha256');
    let chunks = 0;
    for await (const chunk of r.body) {
      hash.update(chunk as Buffer);
      // The client lags: the proxy's writes back up and it pauses its upstream reads, while its read buffer is reused.
      if (++chunks % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(hash.digest('hex'), BIG_SHA, `${path}: the body arrived altered`);
  }
});

test('response trailers reach the client', async () => {
  const r = await request(`${proxy.url}/trailers`);
  assert.equal(await r.body.text(), 'body');
  assert.equal(r.trailers['x-checksum'], 'abc123');
});

test('hop-by-hop request headers are removed and forwarding headers added', async () => {
  // Connection: close, so the exchange ends when the proxy has answered (no window to guess).
  const { response } = await rawExchange(proxy.port,
    'GET /echo-headers HTTP/1.1\r\nHost: example.test\r\nConnection: close, X-Private\r\nX-Private: no\r\n' +
    'Keep-Alive: timeout=3\r\nTE: trailers, deflate\r\nProxy-Authorization: Basic abc\r\nX-Forwarded-For: 10.0.0.7\r\nX-Custom: yes\r\n\r\n', WAIT_MS);
  const body = response.slice(response.indexOf('\r\n\r\n') + 4);
  const { headers } = JSON.parse(body) as { headers: Record<string, string> };
  for (const h of ['x-private', 'keep-alive', 'proxy-authorization']) assert.equal(headers[h], undefined, `${h} must not reach the upstream`);
  // TE is hop-by-hop, but the proxy too accepts trailers, and says so (gRPC servers require it).
  assert.equal(headers.te, 'trailers');
  assert.equal(headers['x-custom'], 'yes');
  assert.equal(headers.host, 'example.test', 'the Host header is preserved');
  assert.equal(headers['x-forwarded-for'], '10.0.0.7, 127.0.0.1');
  assert.equal(headers['x-forwarded-proto'], 'http');
  assert.equal(headers['x-forwarded-host'], 'example.test');
  assert.match(headers['x-request-id'], /^[0-9a-f-]{36}$/);
});

test('x-request-id is kept when the client sends one', async () => {
  const r = await request(`${proxy.url}/echo-headers`, { headers: { 'x-request-id': 'my-id-42' } });
  const { headers } = (await r.body.json()) as { headers: Record<string, string> };
  assert.equal(headers['x-request-id'], 'my-id-42');
});

test('downstream keep-alive: many requests share one client connection', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve, reject) => {
      http.get(`${proxy.url}/ka/${i}`, { agent }, (res) => {
        sockets.add(res.socket);
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
  }
  agent.destroy();
  assert.equal(sockets.size, 1);
});

test('Expect: 100-continue gets a 100 before the body is sent', async () => {
  const result = await new Promise<{ gotContinue: boolean; body: string }>((resolve, reject) => {
    const req = http.request(`${proxy.url}/expect`, { method: 'POST', headers: { expect: '100-continue', 'content-length': '5' } });
    let gotContinue = false;
    req.on('continue', () => {
      gotContinue = true;
      req.end('hello');
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ gotContinue, body }));
    });
    req.on('error', reject);
  });
  assert.equal(result.gotContinue, true);
  assert.equal((JSON.parse(result.body) as { bodyBytes: number }).bodyBytes, 5);
});

test('a WebSocket upgrade is tunnelled both ways', async (t) => {
  const sock = net.connect(proxy.port, '127.0.0.1');
  t.after(() => sock.destroy());
  sock.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  let got = '';
  await new Promise<void>((resolve) => {
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n\r\n') && !got.includes('echo:')) sock.write('ping');
      if (got.includes('echo:ping')) resolve();
    });
  });
  sock.destroy();
  assert.match(got, /^HTTP\/1\.1 101 /);
  assert.match(got, /echo:ping/);
});

test('undici keep-alive client gets consistent answers across both workers', async () => {
  const agent = new Agent({ connections: 16 });
  const codes = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    const r = await request(`${proxy.url}/n/${i}`, { dispatcher: agent });
    const j = (await r.body.json()) as { url: string };
    assert.equal(j.url, `/n/${i}`);
    return r.statusCode;
  }));
  await agent.close();
  assert.ok(codes.every((c) => c === 200));
});
