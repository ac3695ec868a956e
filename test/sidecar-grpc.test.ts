// gRPC and HTTP/2 between sidecars: grpc-js client → its sidecar (h2c) → mTLS HTTP/2 → the server's sidecar → grpc-js server, and HTTP/1.1 and WebSocket over the same hop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort, startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import type { RunningPlane } from '../plane/test/support.ts';
import { joinToken } from './support/identity.ts';
import { runWeft, startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import { echoClient, grpc, say, startGrpcServer } from './support/grpc.ts';
import type { Note } from './support/grpc.ts';
import { IdentityManager } from '../core/identity/manager.ts';
import { clientOptions } from '../core/identity/tls.ts';

const DOMAIN = 'mesh.test';
const id = (service: string) => `spiffe://${DOMAIN}/ns/default/sa/${service}`;

async function sidecar(plane: RunningPlane, service: string, app: string, extra: string[]): Promise<RunningProxy> {
  return startProxy(['--plane', plane.url, '--token', plane.token, '--node', `${service}-1`, '--data-dir', tempDir(`grpc-${service}`),
    '--join-token', await joinToken(plane, service), '--service', service, '--inbound', '127.0.0.1:0', '--app', app,
    '--workers', '1', '--access-log', 'stdout', ...extra]);
}

/** The access-log lines a sidecar wrote for its inbound route. */
function inboundLog(car: RunningProxy): { protocol: string; path: string; status: number }[] {
  return car.stdout().split('\n').filter((l) => l.includes('"route":"inbound"')).map((l) => JSON.parse(l) as { protocol: string; path: string; status: number });
}

/** A metric's value summed over its series whose labels include every one of `labels`. */
async function metric(car: RunningProxy, name: string, labels: string[]): Promise<number> {
  const text = await (await request(`${car.admin}/metrics`)).body.text();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x))).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

test('gRPC and HTTP/2 across two sidecars over mTLS', async (t) => {
  const plane = await startPlane({ args: ['--trust-domain', DOMAIN] });
  t.after(() => plane.stop());
  const dir = tempDir('grpc-mesh');
  // Gather is refused to every caller, so the deny reaches a gRPC client as PERMISSION_DENIED.
  writeFileSync(join(dir, 'policy.yaml'), `kind: AuthorizationPolicy
service: echo
default: allow
rules:
  - name: no-gather
    action: deny
    to: { paths: [/weft.test.Echo/Gather] }
`);
  assert.equal((await plane.weft(['apply', '-f', join(dir, 'policy.yaml')])).code, 0);

  const server = await startGrpcServer();
  const web = await startUpstream((req, res) => res.end(JSON.stringify({ version: req.httpVersion, xfcc: req.headers['x-forwarded-client-cert'] })));
  // The WebSocket side: answers the upgrade, then echoes whatever arrives.
  web.server.on('upgrade', (_req, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
    socket.pipe(socket);
  });

  const echoCar = await sidecar(plane, 'echo', `127.0.0.1:${server.port}`, []);
  const webCar = await sidecar(plane, 'web', `127.0.0.1:${web.port}`, ['--app-protocol', 'http1']);
  const bindPort = await freePort();
  const callerCar = await sidecar(plane, 'caller', `127.0.0.1:${await freePort()}`, ['--outbound', '127.0.0.1:0', '--bind', `echo=127.0.0.1:${bindPort}`]);
  // Sidecars first: a gRPC server shuts down once the connections to it have closed.
  t.after(async () => {
    await Promise.all([echoCar.stop(), webCar.stop(), callerCar.stop()]);
    await Promise.all([server.stop(), web.close()]);
  });
  const outbound = Number(String(callerCar.ready.outbound).split(':').pop());

  const client = echoClient(`127.0.0.1:${bindPort}`);
  t.after(() => client.close());
  await waitFor('the echo service through the mesh', async () => ((await say(client, 'hello')).reply ? true : undefined), 15_000);

  await t.test('unary: reply, trailers and -bin metadata cross both sidecars; the hop is HTTP/2', async () => {
    const md = new grpc.Metadata();
    md.set('x-tag-bin', Buffer.from([0, 1, 2, 255]));
    const r = await say(client, 'hi', md);
    assert.equal(r.reply?.text, 'echo: hi');
    assert.deepEqual(r.trailers.get('x-trailer'), ['unary']);
    assert.deepEqual(r.trailers.get('x-tag-bin'), [Buffer.from([0, 1, 2, 255])]);
    // The access log is written asynchronously: its line may follow the answer by a moment.
    const line = await waitFor('the inbound access-log line', () => inboundLog(echoCar).find((l) => l.path === '/weft.test.Echo/Say'));
    assert.equal(line.protocol, 'HTTP/2');
  });

  await t.test('an application error keeps its status and message', async () => {
    const r = await say(client, 'missing');
    assert.equal(r.err?.code, grpc.status.NOT_FOUND);
    assert.equal(r.err?.details, 'no such note');
  });

  await t.test('server streaming', async () => {
    const got: string[] = [];
    const call = client.Count({ text: '50' });
    call.on('data', (n: Note) => got.push(n.text));
    await new Promise<void>((resolve, reject) => { call.on('end', resolve); call.on('error', reject); });
    assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => String(i + 1)));
  });

  await t.test('client streaming is refused by the policy as PERMISSION_DENIED, and counted', async () => {
    const err = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.Gather((e) => resolve(e));
      call.write({ text: 'a' });
      call.end();
    });
    assert.equal(err?.code, grpc.status.PERMISSION_DENIED);
    assert.match(err?.details ?? '', /no-gather/);
    assert.equal(server.calls.Gather, 0);
    assert.ok(await metric(echoCar, 'weft_grpc_requests_total', ['route="inbound"', 'grpc_status="7"']) >= 1);
  });

  await t.test('bidirectional streaming, with a large message and the trailers', async () => {
    const big = 'x'.repeat(1 << 20);
    const call = client.Chat();
    const got: string[] = [];
    call.on('data', (n: Note) => got.push(n.text));
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    for (const text of ['one', big, 'three']) call.write({ text });
    call.end();
    const s = await status;
    assert.equal(s.code, grpc.status.OK);
    assert.deepEqual(got.map((x) => x.length), [9, big.length + 6, 11]);
    assert.deepEqual(s.metadata.get('x-count'), ['3']);
  });

  await t.test('the deadline reaches the server, and an expired one ends the call DEADLINE_EXCEEDED', async () => {
    const r = await say(client, 'deadline', new grpc.Metadata(), { deadline: Date.now() + 20_000 });
    const left = Number(/deadline: (\d+)/.exec(r.reply?.text ?? '')?.[1]);
    assert.ok(left > 0 && left <= 20_000, `the server saw ${r.reply?.text}`);
    const expired = await say(client, 'wait', new grpc.Metadata(), { deadline: Date.now() + 500 });
    assert.equal(expired.err?.code, grpc.status.DEADLINE_EXCEEDED);
  });

  await t.test('UNAVAILABLE is retried by the calling sidecar', async () => {
    const before = server.calls.Say;
    const r = await say(client, 'flaky:1');
    assert.equal(r.reply?.text, 'echo: flaky:1');
    assert.equal(server.calls.Say - before, 2);
  });

  await t.test('an HTTP/1.1 caller crosses the same HTTP/2 hop; the app gets HTTP/1.1 and the caller\'s identity', async () => {
    const res = await request(`http://127.0.0.1:${outbound}/hello`, { headers: { host: 'web' } });
    const body = await res.body.json() as { version: string; xfcc: string };
    assert.equal(res.statusCode, 200);
    assert.deepEqual(body, { version: '1.1', xfcc: `By=${id('web')};URI=${id('caller')}` });
    const line = await waitFor('the inbound access-log line', () => inboundLog(webCar).find((l) => l.path === '/hello'));
    assert.equal(line.protocol, 'HTTP/2');
  });

  await t.test('a WebSocket upgrade crosses the mTLS hop', async () => {
    const socket = tcpConnect(outbound, '127.0.0.1');
    t.after(() => socket.destroy());
    socket.write('GET /ws HTTP/1.1\r\nHost: web\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d));
    await waitFor('the 101', () => (text.includes('\r\n\r\n') ? true : undefined));
    assert.match(text, /^HTTP\/1\.1 101 /);
    text = '';
    socket.write('ping over the mesh');
    await waitFor('the echo', () => (text === 'ping over the mesh' ? true : undefined));
  });

  const caller = new IdentityManager({ planes: [plane.url], dataDir: tempDir('grpc-peer'), joinToken: await joinToken(plane, 'peer') });
  await caller.start();
  t.after(() => caller.close());

  await t.test('the mTLS port chooses h2 by ALPN and stamps the verified caller on HTTP/2 requests', async () => {
    const session = http2.connect(`https://127.0.0.1:${webCar.port}`, { ...clientOptions(caller.current(), id('web')), ALPNProtocols: ['h2'] });
    t.after(() => session.close());
    const stream = session.request({ ':path': '/who', 'x-forwarded-client-cert': `URI=${id('admin')}` });
    let body = '';
    stream.on('data', (d: Buffer) => (body += d));
    await new Promise((resolve) => stream.on('end', resolve));
    assert.equal((JSON.parse(body) as { xfcc: string }).xfcc, `By=${id('web')};URI=${id('peer')}`);
  });

  await t.test('an HTTP/2 peer sending garbage after the preface is cut off and counted; the port keeps serving', async () => {
    const before = await metric(echoCar, 'weft_downstream_rejected_total', ['reason="WEFT_ERR_BAD_REQUEST"']);
    const socket = tlsConnect({ host: '127.0.0.1', port: echoCar.port, ...clientOptions(caller.current(), id('echo')), ALPNProtocols: ['h2'] });
    t.after(() => socket.destroy());
    await new Promise((resolve, reject) => { socket.once('secureConnect', resolve); socket.once('error', reject); });
    assert.equal(socket.alpnProtocol, 'h2');
    socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    socket.write(Buffer.alloc(64, 0xee));
    socket.resume();
    await new Promise((resolve) => socket.once('close', resolve));
    await waitFor('the refusal counted', async () => (await metric(echoCar, 'weft_downstream_rejected_total', ['reason="WEFT_ERR_BAD_REQUEST"']) > before ? true : undefined));
    assert.equal((await say(client, 'still here')).reply?.text, 'echo: still here');
  });

  await t.test('the registry holds what each app speaks when its sidecar was told; an unknown protocol is refused', async () => {
    const instances = await plane.json<{ service: string; protocol?: string }[]>('/v1/services');
    assert.equal(instances.find((i) => i.service === 'web')?.protocol, 'http1');
    assert.equal(instances.find((i) => i.service === 'echo')?.protocol, undefined, 'auto declares nothing');
    const r = await plane.weft(['service', 'register', 'legacy', '--endpoint', 'http://127.0.0.1:1', '--protocol', 'grpc']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /protocol must be one of http1, http2, tcp, got "grpc"/);
  });

  await t.test('--app-protocol with an unknown value is a usage error', async () => {
    const r = await runWeft(['proxy', '--plane', plane.url, '--join-token', 'x', '--service', 'echo', '--inbound', '127.0.0.1:0', '--app', '127.0.0.1:1', '--app-protocol', 'grpc']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), 'weft proxy: --app-protocol: expected one of http1, http2, auto, tcp, got "grpc" (WEFT_ERR_USAGE)');
  });
});
