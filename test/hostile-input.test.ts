// End to end over raw sockets: hostile HTTP/1.1 and HTTP/2 input is refused (or served) exactly, and never counted against the upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http2 from 'node:http2';
import { request } from 'undici';
import { startLimitedProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { rawExchange } from './support/upstream.ts';
import { frame } from '../core/http/h2c-upgrade.ts';

/** What the upstream received: request line, Host and body of each request. */
interface Seen { line: string; host: string; body: string }

/**
 * An HTTP/1.1 upstream over a raw socket, since Node's own server refuses the methods under test (FOO, PLAY): it
 * answers each request (Content-Length bodies only) with 200 and its request line.
 */
async function startRawUpstream(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const line = head.slice(0, head.indexOf('\r\n'));
        seen.push({ line, host: /\r\nhost: *([^\r]*)/i.exec(head)?.[1] ?? '', body: buf.toString('latin1', end + 4, end + 4 + length) });
        buf = buf.subarray(end + 4 + length);
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${line.length}\r\n\r\n${line}`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    seen,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

let up: Awaited<ReturnType<typeof startRawUpstream>>;
let proxy: RunningProxy;

before(async () => {
  up = await startRawUpstream();
  // A header timeout short enough that a refusal "at once" cannot be confused with a 408 after it, and a
  // keep-alive timeout long enough that no idle close is taken for a refusal.
  proxy = await startLimitedProxy(up.url, '{ headersTimeout: 4s, keepAliveTimeout: 120s, maxHeaderCount: 20 }');
});

after(async () => {
  await proxy?.stop();
  await up?.close();
});

/** Sends each chunk on one connection, a little apart, optionally half-closing with the last; collects until close. */
function converse(chunks: string[], opts: { halfClose?: boolean; timeoutMs?: number } = {}): Promise<{ response: string; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = net.connect(proxy.port, '127.0.0.1');
    let response = '';
    const timer = setTimeout(() => { sock.destroy(); resolve({ response, closed: false }); }, opts.timeoutMs ?? 20_000);
    sock.on('data', (d: Buffer) => (response += d.toString('latin1')));
    sock.on('error', () => {});
    sock.on('close', () => { clearTimeout(timer); resolve({ response, closed: true }); });
    let i = 0;
    const next = () => {
      const last = i === chunks.length - 1;
      if (last && opts.halfClose) sock.end(chunks[i]);
      else sock.write(chunks[i]);
      if (!last) setTimeout(next, 100);
      i++;
    };
    next();
  });
}

/** The statuses of the responses in `raw`, in order. */
function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await request(`${proxy.admin}/metrics`)).body.text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(' ').pop());
  return sum;
}

/**
 * Runs `send` and checks that it was refused as the client's failure: one more `reason` in
 * weft_downstream_rejected_total, not one more weft_upstream_errors_total, and nothing forwarded.
 */
async function refusedAsClientFailure<T>(reason: string, send: () => Promise<T>): Promise<T> {
  const rejected = await metric('weft_downstream_rejected_total', `reason="${reason}"`);
  const upstreamErrors = await metric('weft_upstream_errors_total', '');
  const forwarded = up.seen.length;
  const result = await send();
  assert.equal(await metric('weft_downstream_rejected_total', `reason="${reason}"`), rejected + 1, `one more ${reason} refusal`);
  assert.equal(await metric('weft_upstream_errors_total', ''), upstreamErrors, 'no upstream error counted');
  assert.deepEqual(up.seen.slice(forwarded), [], 'nothing reached the upstream');
  return result;
}

async function stillServes(): Promise<void> {
  const r = await request(`${proxy.url}/alive`);
  assert.equal(r.statusCode, 200);
  await r.body.text();
}

// ── item 13: Host and request targets ───────────────────────────────────────────────────────────

for (const [what, bytes, detail] of [
  ['two Host headers', 'GET /two-hosts HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', /more than one Host header/],
  ['a Host with a space in it', 'GET /host-space HTTP/1.1\r\nHost: a b\r\n\r\n', /invalid Host header/],
  ['a Host with userinfo', 'GET /host-user HTTP/1.1\r\nHost: user@a\r\n\r\n', /invalid Host header/],
  ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n', /request target is not a path/],
] as const) {
  test(`${what} gets 400 WEFT_ERR_BAD_REQUEST, the connection closed, nothing forwarded or counted upstream`, async () => {
    const { response, closed } = await refusedAsClientFailure('WEFT_ERR_BAD_REQUEST', () => rawExchange(proxy.port, bytes, 20_000));
    assert.deepEqual(statuses(response), [400], response);
    assert.match(response, /x-weft-error: WEFT_ERR_BAD_REQUEST/);
    assert.match(response, detail);
    assert.equal(closed, true);
    await stillServes();
  });
}

test('an absolute-form target is forwarded as its path, with its authority as the Host', async () => {
  const from = up.seen.length;
  const { response } = await rawExchange(proxy.port, 'GET http://app.example:8080/abs?q=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n', 20_000);
  assert.deepEqual(statuses(response), [200], response);
  assert.deepEqual(up.seen.slice(from), [{ line: 'GET /abs?q=1 HTTP/1.1', host: 'app.example:8080', body: '' }]);
});

// ── item 14: request lines that are not HTTP/1.x ────────────────────────────────────────────────

for (const [what, bytes] of [
  ['a request line claiming HTTP/2.0 over HTTP/1.1', 'GET /x HTTP/2.0\r\nHost: a\r\n\r\n'],
  ['an HTTP/0.9 request', 'GET /\r\n'],
  ['an empty first line', '\r\n'],
  ['an HTTP/0.9 request line followed by headers', 'GET /nine\r\nHost: a\r\n\r\n'],
] as const) {
  test(`${what} gets 400 at once (not a 408 at the header timeout) and the worker stays up`, async () => {
    const { response, closed } = await refusedAsClientFailure('WEFT_ERR_BAD_REQUEST', () => rawExchange(proxy.port, bytes, 20_000));
    assert.deepEqual(statuses(response), [400], response);
    assert.match(response, /x-weft-error: WEFT_ERR_BAD_REQUEST/);
    assert.equal(closed, true);
    await stillServes();
    assert.doesNotMatch(proxy.stderr(), /uncaught exception/);
  });
}

// ── item 15: what the upstream served, the client gets ──────────────────────────────────────────

test('garbage pipelined after a valid GET: the GET is answered, then the 400, then the close', async () => {
  const from = up.seen.length;
  const { response, closed } = await rawExchange(proxy.port, 'GET /first HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n', 20_000);
  assert.deepEqual(statuses(response), [200, 400], response);
  assert.match(response, /\r\n\r\nGET \/first HTTP\/1\.1HTTP\/1\.1 400 /, 'the GET\'s own answer comes first');
  assert.equal(closed, true);
  assert.deepEqual(up.seen.slice(from).map((s) => s.line), ['GET /first HTTP/1.1']);
});

test('a POST over HTTP/1.0 with Transfer-Encoding: chunked is refused before anything is forwarded', async () => {
  const { response, closed } = await refusedAsClientFailure('WEFT_ERR_BAD_REQUEST', () => rawExchange(
    proxy.port, 'POST /te10 HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', 20_000));
  assert.deepEqual(statuses(response), [400], response);
  assert.match(response, /Transfer-Encoding in an HTTP\/1\.0 request/);
  assert.equal(closed, true);
});

test('a client that half-closes after a complete request gets its answer', async () => {
  const { response, closed } = await converse(['GET /half HTTP/1.1\r\nHost: a\r\n\r\n'], { halfClose: true });
  assert.deepEqual(statuses(response), [200], response);
  assert.match(response, /GET \/half HTTP\/1\.1$/);
  assert.equal(closed, true);
});

// ── item 16: methods ───────────────────────────────────────────────────────────────────────────

test('extension methods, any RFC 9110 token, are forwarded as they came', async () => {
  const from = up.seen.length;
  const methods = ['FOO', 'GETX', 'M-SEARCH!', 'get', 'PLAY', "x~y.z_1'*"];
  const { response } = await converse(methods.map((m, i) => `${m} /m${i} HTTP/1.1\r\nHost: a\r\n${i === methods.length - 1 ? 'Connection: close\r\n' : ''}\r\n`));
  assert.deepEqual(statuses(response), methods.map(() => 200), response);
  assert.deepEqual(up.seen.slice(from).map((s) => s.line), methods.map((m, i) => `${m} /m${i} HTTP/1.1`));
});

test('on one kept-alive, pipelined connection, extension and standard methods and bodies stay in order', async () => {
  const from = up.seen.length;
  const { response } = await converse([
    'GET /k1 HTTP/1.1\r\nHost: a\r\n\r\nFOO /k2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcPOST /k3 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiBAZ /k4 HTTP/1.1\r\nHost: a\r\n\r\n',
    'PURGE /k5 HTTP/1.1\r\nHost: a\r\n\r\n',
    'BAR /k6 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
  ]);
  assert.deepEqual(statuses(response), [200, 200, 200, 200, 200, 200], response);
  assert.deepEqual(up.seen.slice(from).map((s) => [s.line, s.body]), [
    ['GET /k1 HTTP/1.1', ''], ['FOO /k2 HTTP/1.1', 'abc'], ['POST /k3 HTTP/1.1', 'hi'], ['BAZ /k4 HTTP/1.1', ''],
    ['PURGE /k5 HTTP/1.1', ''], ['BAR /k6 HTTP/1.1', ''],
  ]);
});

test('a request with an extension method, then half-closed, gets its answer', async () => {
  const { response, closed } = await converse(['FOO /half-foo HTTP/1.1\r\nHost: a\r\n\r\n'], { halfClose: true });
  assert.deepEqual(statuses(response), [200], response);
  assert.equal(closed, true);
});

test('an extension method is still held to the request checks: a bad Host is refused', async () => {
  const { response, closed } = await refusedAsClientFailure('WEFT_ERR_BAD_REQUEST', () => rawExchange(proxy.port, 'FOO /x HTTP/1.1\r\nHost: a b\r\n\r\n', 20_000));
  assert.deepEqual(statuses(response), [400], response);
  assert.equal(closed, true);
});

test('CONNECT gets 405 WEFT_ERR_METHOD_NOT_ALLOWED and the connection closed, not a silent close', async () => {
  const { response, closed } = await refusedAsClientFailure('WEFT_ERR_METHOD_NOT_ALLOWED', () => rawExchange(proxy.port, 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', 20_000));
  assert.deepEqual(statuses(response), [405], response);
  assert.match(response, /x-weft-error: WEFT_ERR_METHOD_NOT_ALLOWED/);
  assert.equal(closed, true);
  await stillServes();
});

// ── item 17: HTTP/2 ────────────────────────────────────────────────────────────────────────────

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const HEADERS = 1;
const RST_STREAM = 3;
const SETTINGS = 4;
const GOAWAY = 7;

/** A header block of HPACK literals without indexing (RFC 7541 §6.2.2), names and values under 127 bytes. */
function headerBlock(fields: [string, string][]): Buffer {
  const out: number[] = [];
  for (const [name, value] of fields) {
    out.push(0, name.length, ...Buffer.from(name, 'latin1'), value.length, ...Buffer.from(value, 'latin1'));
  }
  return Buffer.from(out);
}

interface Frame { type: number; stream: number; code: number }

/**
 * Opens an HTTP/2 connection that never acknowledges the proxy's SETTINGS, sends `frames`, and collects the
 * proxy's frames until `until` is seen or the connection closes (or `timeoutMs`).
 */
function h2Raw(frames: Buffer[], until: (f: Frame) => boolean, timeoutMs = 20_000): Promise<Frame[]> {
  return new Promise((resolve) => {
    const sock = net.connect(proxy.port, '127.0.0.1');
    const got: Frame[] = [];
    let buf = Buffer.alloc(0);
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, timeoutMs);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
        const length = buf.readUIntBE(0, 3);
        const type = buf[3];
        const payload = buf.subarray(9, 9 + length);
        const f = { type, stream: buf.readUInt32BE(5) & 0x7fffffff, code: type === RST_STREAM ? payload.readUInt32BE(0) : type === GOAWAY ? payload.readUInt32BE(4) : 0 };
        got.push(f);
        buf = buf.subarray(9 + length);
        if (until(f)) return done();
      }
    });
    sock.on('error', () => {});
    sock.on('close', done);
    sock.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0, Buffer.alloc(0)), ...frames]));
  });
}

const request1: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/h2'], [':authority', 'a']];

test('an HTTP/2 header block with more fields than allowed is reset as it arrives, before it ends and before SETTINGS are acknowledged', async () => {
  // HEADERS without END_HEADERS: the block never ends, so only a refusal as the limit passes can answer it.
  const fields = [...request1, ...Array.from({ length: 300 }, (_, i) => [`x-f${i}`, 'v'] as [string, string])];
  const got = await h2Raw([frame(HEADERS, 0x1, 1, headerBlock(fields))], (f) => f.type === RST_STREAM || f.type === GOAWAY);
  const reset = got.find((f) => f.type === RST_STREAM);
  assert.ok(reset, `no RST_STREAM in ${JSON.stringify(got)}`);
  assert.equal(reset.stream, 1);
  assert.equal(reset.code, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
});

test('an HTTP/2 client that never acknowledges the SETTINGS (so the header size limit never binds) gets GOAWAY SETTINGS_TIMEOUT', async () => {
  const got = await h2Raw([], (f) => f.type === GOAWAY, 60_000);
  const goaway = got.find((f) => f.type === GOAWAY);
  assert.ok(goaway, `no GOAWAY in ${JSON.stringify(got)}`);
  assert.equal(goaway.code, http2.constants.NGHTTP2_SETTINGS_TIMEOUT);
});

test('an HTTP/2 request the upstream client cannot send (OPTIONS *) is the client\'s 400, not an upstream error', async () => {
  const session = http2.connect(proxy.url);
  try {
    const status = await refusedAsClientFailure('WEFT_ERR_BAD_REQUEST', () => new Promise<number>((resolve, reject) => {
      const req = session.request({ ':method': 'OPTIONS', ':path': '*' });
      req.on('response', (h) => resolve(h[':status'] as number));
      req.on('error', reject);
      req.end();
      req.resume();
    }));
    assert.equal(status, 400);
  } finally {
    session.close();
  }
});
