// End to end through `weft proxy`: HTTP/2 downstream (h2c by preface and by Upgrade, h2 over TLS by ALPN) beside HTTP/1.1 on one port, HTTP/2 upstream, trailers both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { h2Exchange } from './support/h2-client.ts';

const tlsDir = fileURLToPath(new URL('fixtures/tls/', import.meta.url));
const ca = readFileSync(`${tlsDir}cert.pem`);

let up: Upstream;
let h2up: http2.Http2Server;
let h2upUrl: string;
let plain: RunningProxy;
let secure: RunningProxy;

/** What the upstream saw, sent back as JSON; /trailers answers with a trailer instead. */
function echo(req: { method?: string; url?: string; headers: object; httpVersion: string; on(e: string, f: (c?: Buffer) => void): void; trailers: object }, res: {
  setHeader(n: string, v: string): void; addTrailers(t: object): void; writeHead(s: number, h?: object): void; write(b: string): void; end(b?: string): void;
}): void {
  let body = '';
  req.on('data', (c) => (body += c!.toString()));
  req.on('end', () => {
    if (req.url!.endsWith('/trailers')) {
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
      res.write('body');
      res.addTrailers({ 'x-checksum': 'abc123' });
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body, version: req.httpVersion, trailers: req.trailers }));
  });
}

before(async () => {
  up = await startUpstream(echo as never);
  h2up = http2.createServer(echo as never);
  await new Promise<void>((r) => h2up.listen(0, '127.0.0.1', r));
  h2upUrl = `http://127.0.0.1:${(h2up.address() as net.AddressInfo).port}`;
  const clusters = `
clusters:
  - { name: h1, endpoints: ["${up.url}"] }
  - { name: h2, endpoints: ["${h2upUrl}"], protocol: http2 }
routes:
  - { match: { prefix: /h2 }, cluster: h2 }
  - { cluster: h1 }
`;
  plain = await startProxy(['--config', writeConfig(`listen: 127.0.0.1:0\nworkers: 1\n${clusters}`)]);
  secure = await startProxy(['--config', writeConfig(`listen: 127.0.0.1:0\nworkers: 1\ntls: { cert: ${tlsDir}cert.pem, key: ${tlsDir}key.pem }\n${clusters}`)]);
});

after(async () => {
  // Everything is stopped before the exit codes are checked: a hook that throws skips the hooks after it.
  h2up?.close();
  const codes = await Promise.all([plain?.stop(), secure?.stop(), up?.close()]);
  assert.deepEqual(codes.slice(0, 2), [0, 0], 'both proxies exit 0 on SIGTERM');
});

/** One request over an HTTP/2 session: status, headers, body and trailers. */
/** A request that must end whole: its body as text, or the stream's reset as a rejection. */
async function h2Request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: string): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string; trailers: http2.IncomingHttpHeaders }> {
  const a = await h2Exchange(session, headers, body);
  if (!a.ended) throw new Error(`the stream was reset (code ${a.rstCode})`);
  return { status: a.status, headers: a.headers, body: a.body.toString(), trailers: a.trailers };
}

test('HTTP/2 with prior knowledge and HTTP/1.1 share the port; an h2 request reaches an HTTP/1.1 upstream whole', async () => {
  const session = http2.connect(plain.url);
  try {
    const r = await h2Request(session, { ':method': 'POST', ':path': '/echo?q=1', 'content-type': 'text/plain', cookie: 'a=1', 'x-custom': 'v' }, 'hello');
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body) as { method: string; url: string; body: string; version: string; headers: Record<string, string> };
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/echo?q=1');
    assert.equal(seen.body, 'hello', 'a body without content-length is still sent');
    assert.equal(seen.version, '1.1');
    assert.equal(seen.headers.host, `127.0.0.1:${plain.port}`, ':authority goes up as Host');
    assert.equal(seen.headers['x-custom'], 'v');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  } finally {
    session.close();
  }
  const h1 = await request(`${plain.url}/echo`);
  assert.equal(h1.statusCode, 200);
  assert.equal(((await h1.body.json()) as { version: string }).version, '1.1');
});

test('an HTTP/2 upstream (protocol: http2) gets h2c with the body and authority; its trailers reach an HTTP/2 client', async () => {
  const session = http2.connect(plain.url);
  try {
    const r = await h2Request(session, { ':method': 'POST', ':path': '/h2/who' }, 'over h2c');
    const seen = JSON.parse(r.body) as { version: string; body: string; headers: Record<string, string> };
    assert.equal(seen.version, '2.0');
    assert.equal(seen.body, 'over h2c');
    assert.equal(seen.headers[':authority'], `127.0.0.1:${plain.port}`, 'the client authority, not the endpoint');
    const t = await h2Request(session, { ':path': '/h2/trailers' });
    assert.equal(t.body, 'body');
    assert.equal(t.trailers['x-checksum'], 'abc123');
  } finally {
    session.close();
  }
});

test('trailers from an HTTP/1.1 upstream reach HTTP/2 and HTTP/1.1 clients', async () => {
  const session = http2.connect(plain.url);
  try {
    const fromH1 = await h2Request(session, { ':path': '/trailers' });
    assert.equal(fromH1.body, 'body');
    assert.equal(fromH1.trailers['x-checksum'], 'abc123');
  } finally {
    session.close();
  }
  const viaH1 = await request(`${plain.url}/trailers`);
  await viaH1.body.text();
  assert.equal(viaH1.trailers['x-checksum'], 'abc123');
});

test('Upgrade: h2c switches an HTTP/1.1 connection to HTTP/2 and answers the request on stream 1', async () => {
  // nghttp (Debian's nghttp2-client) speaks the upgrade; Node's client does not.
  const { stdout } = await promisify(execFile)('nghttp', ['-u', '-v', `${plain.url}/upgraded?x=1`], { timeout: 10_000 });
  assert.match(stdout, /HTTP\/1\.1 101 Switching Protocols/);
  assert.match(stdout, /recv \(stream_id=1\) :status: 200/);
  const seen = JSON.parse(stdout.slice(stdout.indexOf('{"method"'), stdout.lastIndexOf('}') + 1)) as { url: string; headers: Record<string, string> };
  assert.equal(seen.url, '/upgraded?x=1');
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1', 'the upgraded connection keeps the client address');
  assert.equal(seen.headers['http2-settings'], undefined);
  assert.equal(seen.headers.upgrade, undefined);
});

test('with a certificate, ALPN chooses h2 or http/1.1 on the same port, and x-forwarded-proto says https', async () => {
  const session = http2.connect(`https://localhost:${secure.port}`, { ca });
  try {
    const r = await h2Request(session, { ':path': '/tls' });
    assert.equal(r.status, 200);
    assert.equal((session.socket as unknown as { alpnProtocol: string }).alpnProtocol, 'h2');
    assert.equal((JSON.parse(r.body) as { headers: Record<string, string> }).headers['x-forwarded-proto'], 'https');
  } finally {
    session.close();
  }
  const h1 = await new Promise<{ version: string; body: string }>((resolve, reject) => {
    https.get(`https://localhost:${secure.port}/tls1`, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ version: res.httpVersion, body }));
    }).on('error', reject);
  });
  assert.equal(h1.version, '1.1');
  assert.equal((JSON.parse(h1.body) as { url: string }).url, '/tls1');
});

test('garbage after the HTTP/2 preface ends that connection with GOAWAY; the proxy keeps serving', async () => {
  const sock = net.connect(plain.port, '127.0.0.1');
  let received = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  const closed = new Promise((r) => sock.on('close', r));
  sock.on('error', () => {});
  sock.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from('\x00\x00\x04\x01\x05\x00\x00\x00\x01\xff\xff\xff\xff')]));
  await closed;
  // A GOAWAY frame (type 7) is among what the proxy sent before closing.
  let at = 0;
  let goaway = false;
  while (at + 9 <= received.length) {
    if (received[at + 3] === 7) goaway = true;
    at += 9 + received.readUIntBE(at, 3);
  }
  assert.ok(goaway, `no GOAWAY in ${received.toString('hex')}`);
  const session = http2.connect(plain.url);
  try {
    assert.equal((await h2Request(session, { ':path': '/alive' })).status, 200);
  } finally {
    session.close();
  }
});

test('request headers over limits.maxHeaderSize get a 431 on HTTP/2 too, the connection kept', async () => {
  // Sent before the proxy's SETTINGS arrive, so the client does not refuse it itself.
  const session = http2.connect(plain.url);
  try {
    const big = await h2Request(session, { ':path': '/big', 'x-big': 'a'.repeat(20_000) });
    assert.equal(big.status, 431);
    assert.equal(big.headers['x-weft-error'], 'WEFT_ERR_HEADERS_TOO_LARGE');
    assert.equal((await h2Request(session, { ':path': '/small' })).status, 200);
  } finally {
    session.close();
  }
});
