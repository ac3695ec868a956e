// planeRequest against a real node:http server on loopback: bodies read every way, kept-alive connections, and the timeouts, aborts and closings the control client, the identity and the registration rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { ErrorCodes } from '../errors.ts';
import { PlaneAgent, planeRequest } from './plane-request.ts';

/** A server on port 0 that counts its connections; stopped after the test. */
async function serve(t: { after: (fn: () => unknown) => void }, handler: http.RequestListener): Promise<{ url: string; sockets: Set<Socket>; connections: () => number }> {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets, connections: () => connections };
}

test('a POST carries its body and headers; the answer reads as JSON, text or bytes, over one kept-alive connection', async (t) => {
  const plane = await serve(t, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => res.writeHead(201, { 'x-seen': String(req.headers['x-token']) }).end(JSON.stringify({ method: req.method, path: req.url, body })));
  });
  const agent = new PlaneAgent({ connections: 4 });
  t.after(() => agent.close());
  const res = await planeRequest(`${plane.url}/v1/nodes/a/ack?x=1`, { method: 'POST', headers: { 'x-token': 't' }, body: '{"ok":true}', agent });
  assert.equal(res.statusCode, 201);
  assert.equal(res.headers['x-seen'], 't');
  assert.deepEqual(await res.body.json(), { method: 'POST', path: '/v1/nodes/a/ack?x=1', body: '{"ok":true}' });
  const text = await (await planeRequest(`${plane.url}/t`, { agent })).body.text();
  assert.match(text, /"path":"\/t"/);
  const bytes = new Uint8Array(await (await planeRequest(`${plane.url}/b`, { agent, body: Buffer.from('xyz'), method: 'PUT' })).body.arrayBuffer());
  assert.match(Buffer.from(bytes).toString(), /"body":"xyz"/);
  await (await planeRequest(`${plane.url}/d`, { agent })).body.dump();
  assert.equal(plane.connections(), 1, 'each request after the first reused the kept-alive connection');
});

test('no response head within headersTimeout rejects, saying so', async (t) => {
  const plane = await serve(t, () => undefined);
  await assert.rejects(planeRequest(`${plane.url}/v1/watch`, { headersTimeout: 100 }), { code: ErrorCodes.PLANE_UNREACHABLE, message: 'the plane sent no response within 0.1 s' });
});

test('a stream idle for bodyTimeout fails its reader, while one that keeps sending lives on', async (t) => {
  const plane = await serve(t, (req, res) => {
    res.writeHead(200).write('first\n');
    // Pings 50 ms apart for longer than the timeout, then silence. Server and client share this event loop, so the
    // margin (1.45 s between pings before the client gives up) is what a stall on a busy machine may take.
    let pings = 0;
    const timer = setInterval(() => {
      if (++pings > 40) clearInterval(timer);
      else res.write('ping\n');
    }, 50);
    req.on('close', () => clearInterval(timer));
  });
  const res = await planeRequest(`${plane.url}/v1/watch`, { bodyTimeout: 1500 });
  const lines: string[] = [];
  await assert.rejects(async () => {
    for await (const chunk of res.body) lines.push(chunk.toString());
  }, { code: ErrorCodes.PLANE_UNREACHABLE, message: 'the plane\'s response stalled for 1.5 s' });
  assert.equal(lines.join(''), `first\n${'ping\n'.repeat(40)}`);
});

test('an abort fails the call before the head and the stream after it', async (t) => {
  const plane = await serve(t, (req, res) => {
    if (req.url === '/stream') res.writeHead(200).write('first\n');
  });
  const before = new AbortController();
  const pending = planeRequest(`${plane.url}/never`, { signal: before.signal });
  setImmediate(() => before.abort());
  await assert.rejects(pending, { name: 'AbortError' });
  const after = new AbortController();
  const res = await planeRequest(`${plane.url}/stream`, { signal: after.signal });
  await assert.rejects(async () => {
    for await (const _ of res.body) after.abort();
  }, { name: 'AbortError' });
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(planeRequest(`${plane.url}/never`, { signal: aborted.signal }), { name: 'AbortError' });
});

test('a plane that closes the connection mid-body or before answering is named in a sentence', async (t) => {
  const plane = await serve(t, (req, res) => {
    if (req.url === '/mid') {
      res.writeHead(200, { 'content-length': '100' }).write('part');
      setImmediate(() => res.destroy());
    } else req.socket.destroy();
  });
  const res = await planeRequest(`${plane.url}/mid`);
  await assert.rejects(res.body.text(), { code: ErrorCodes.PLANE_UNREACHABLE, message: 'the plane closed the connection before the response ended' });
  await assert.rejects(planeRequest(`${plane.url}/none`), { code: ErrorCodes.PLANE_UNREACHABLE, message: 'the plane closed the connection before answering' });
});

test('closing the agent closes its connections, idle or carrying a stream', async (t) => {
  const plane = await serve(t, (req, res) => {
    if (req.url === '/stream') res.writeHead(200).write('first\n');
    else res.end('ok');
  });
  const agent = new PlaneAgent({ connections: 4 });
  const stream = await planeRequest(`${plane.url}/stream`, { agent });
  await (await planeRequest(`${plane.url}/idle`, { agent })).body.dump();
  assert.equal(plane.sockets.size, 2);
  const closed = Promise.all([...plane.sockets].map((s) => once(s, 'close')));
  const reading = (async () => {
    for await (const _ of stream.body);
  })();
  agent.close();
  await assert.rejects(reading);
  await closed;
});
