// The lean HTTP/1.1 path (core/http/lean-http1.ts) through a real proxy and raw sockets: bodiless GETs and HEADs answered on it, in order when pipelined; framing, keep-alive and close as node:http writes them; a request it does not take hands its connection to node:http mid-stream and loses nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startLimitedProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';

let up: Upstream;
let proxy: RunningProxy;

before(async () => {
  up = await startUpstream((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('latin1')));
    req.on('end', () => {
      if (req.url === '/chunked') {
        res.writeHead(200, { trailer: 'x-sum' });
        res.write('one,');
        res.addTrailers({ 'x-sum': '7' });
        setTimeout(() => res.end('two'), 10);
        return;
      }
      if (req.url === '/empty') return void res.writeHead(204).end();
      if (req.url === '/h') return void res.writeHead(200, { 'content-length': '8' }).end(req.method === 'HEAD' ? undefined : 'HEAD /h ');
      res.setHeader('content-type', 'text/plain');
      res.end(`${req.method} ${req.url} ${body.length}`);
    });
  });
  proxy = await startLimitedProxy(up.url, '{ keepAliveTimeout: 1s }');
});

after(async () => {
  await proxy?.stop();
  await up?.close();
});

/** A connection to the proxy that collects what it reads; `until` waits for a text (or the close) within the test's bound. */
async function connect(): Promise<{ sock: net.Socket; text: () => string; until: (what: string | RegExp) => Promise<string>; closed: Promise<unknown> }> {
  const sock = net.connect(proxy.port, '127.0.0.1');
  await once(sock, 'connect');
  let text = '';
  const waiters: (() => void)[] = [];
  sock.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  sock.on('error', () => undefined);
  const closed = once(sock, 'close');
  const until = (what: string | RegExp) => new Promise<string>((resolve, reject) => {
    const check = () => {
      const found = typeof what === 'string' ? text.includes(what) : what.test(text);
      if (found) resolve(text);
      else if (sock.destroyed) reject(new Error(`closed before ${String(what)}; got:\n${text}`));
      else waiters.push(check);
    };
    sock.once('close', () => waiters.length && check());
    check();
  });
  return { sock, text: () => text, until, closed };
}

/** The bodies of the responses in `text`, in order (Content-Length framed). */
function bodies(text: string): string[] {
  return [...text.matchAll(/content-length: (\d+)\r\n(?:.+\r\n)*\r\n/gi)].map((m) => text.substr(m.index + m[0].length, Number(m[1])));
}

test('pipelined GETs in one write are answered in order, each kept alive with a Date, on one connection', async (t) => {
  const c = await connect();
  t.after(() => c.sock.destroy());
  c.sock.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n');
  const text = await c.until(/GET \/c 0/);
  assert.deepEqual(bodies(text), ['GET /a 0', 'GET /b 0', 'GET /c 0']);
  assert.equal(text.match(/HTTP\/1\.1 200 OK\r\n/g)?.length, 3);
  assert.equal(text.match(/\r\nConnection: keep-alive\r\nKeep-Alive: timeout=1\r\n/g)?.length, 3);
  assert.equal(text.match(/\r\ndate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/gi)?.length, 3);
});

test('a POST with a body between two GETs goes to node:http from there, and nothing is lost', async (t) => {
  const c = await connect();
  t.after(() => c.sock.destroy());
  c.sock.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\n');
  await c.until('GET /first 0');
  c.sock.write('POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /third HTTP/1.1\r\nHost: x\r\n\r\n');
  const text = await c.until('GET /third 0');
  assert.deepEqual(bodies(text), ['GET /first 0', 'POST /second 5', 'GET /third 0']);
});

test('HEAD gets the head alone, whatever its length says, and the connection goes on', async (t) => {
  const c = await connect();
  t.after(() => c.sock.destroy());
  c.sock.write('HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n');
  const text = await c.until('GET /after 0');
  const [head, rest] = [text.slice(0, text.indexOf('\r\n\r\n') + 4), text.slice(text.indexOf('\r\n\r\n') + 4)];
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(head, /content-length: 8\r\n/i);
  assert.match(rest, /^HTTP\/1\.1 200 OK\r\n/, 'the next response follows the HEAD response at once');
});

test('a body without a length is chunked with its trailers; a 204 has no body', async (t) => {
  const c = await connect();
  t.after(() => c.sock.destroy());
  c.sock.write('GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n');
  const text = await c.until('\r\n0\r\nx-sum: 7\r\n\r\n');
  assert.match(text, /\r\nTransfer-Encoding: chunked\r\n/);
  assert.ok(text.endsWith('\r\n\r\n4\r\none,\r\n3\r\ntwo\r\n0\r\nx-sum: 7\r\n\r\n'), text);
  c.sock.write('GET /empty HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n');
  const after204 = (await c.until('GET /next 0')).slice(text.length);
  assert.match(after204, /^HTTP\/1\.1 204 No Content\r\n(?:.+\r\n)*\r\nHTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(after204.slice(0, after204.indexOf('HTTP/1.1 200')), /transfer-encoding|content-length/i);
});

test('Connection: close is answered with close and the connection ends; a half-closed client still gets its answer', async (t) => {
  const c = await connect();
  t.after(() => c.sock.destroy());
  c.sock.write('GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await c.closed;
  assert.match(c.text(), /\r\nConnection: close\r\n/);
  assert.deepEqual(bodies(c.text()), ['GET /bye 0']);

  const h = await connect();
  t.after(() => h.sock.destroy());
  h.sock.end('GET /half HTTP/1.1\r\nHost: x\r\n\r\n');
  await h.closed;
  assert.deepEqual(bodies(h.text()), ['GET /half 0']);
});

test('an idle connection is closed after the keep-alive timeout', async (t) => {
  const c = await connect();
  t.after(() => c.sock.destroy());
  c.sock.write('GET /idle HTTP/1.1\r\nHost: x\r\n\r\n');
  await c.until('GET /idle 0');
  await c.closed;
  assert.equal(c.sock.destroyed, true);
});

test('what the lean parser does not take, node:http still refuses: a bare LF, obs-fold, a missing Host', async () => {
  for (const bad of ['GET /lf HTTP/1.1\nHost: x\r\n\r\n', 'GET /fold HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  2\r\n\r\n', 'GET /nohost HTTP/1.1\r\n\r\n']) {
    const c = await connect();
    c.sock.write(bad);
    await c.closed;
    assert.match(c.text(), /^HTTP\/1\.1 400 Bad Request\r\n/, JSON.stringify(bad));
    assert.match(c.text(), /x-weft-error: WEFT_ERR_BAD_REQUEST/i);
  }
});
