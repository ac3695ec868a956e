// The sidecar side of `weft proxy --join-token`: mTLS listener (the app learns the caller's SPIFFE ID) and registration in the plane's registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Agent, request } from 'undici';
import { startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import { WAIT_MS } from './support/wait.ts';
import { IdentityManager } from '../core/identity/manager.ts';
import { joinToken } from './support/identity.ts';
import { clientOptions } from '../core/identity/tls.ts';
import { runWeft, startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { ServiceInstance } from '../plane/model.ts';

test('weft proxy --join-token: an mTLS sidecar in the plane\'s registry', async (t) => {
  // 15 s: renewed about 7 s in, with as long again before the old certificate expires, for the proxy and for web.
  const plane = await startPlane({ args: ['--trust-domain', 'mesh.test', '--cert-ttl', '15s'] });
  t.after(plane.stop);
  const app = await startUpstream((req, res) => res.end(String(req.headers['x-forwarded-client-cert'] ?? 'none')));
  t.after(app.close);
  const dir = tempDir('sidecar');
  writeFileSync(join(dir, 'mesh.yaml'), `clusters:\n  - name: app\n    endpoints: [${app.url}]\nroutes:\n  - cluster: app\n`);
  assert.equal((await plane.weft(['apply', '-f', join(dir, 'mesh.yaml')])).code, 0);

  const proxy = await startProxy(['--plane', plane.url, '--node', 'orders-1', '--data-dir', tempDir('sidecar-node'), '--token', plane.token,
    '--workers', '2', '--join-token', await joinToken(plane, 'orders')]);
  t.after(proxy.stop);
  const web = new IdentityManager({ planes: [plane.url], dataDir: tempDir('sidecar-web'), joinToken: await joinToken(plane, 'web') });
  await web.start();
  t.after(() => web.close());
  const orders = 'spiffe://mesh.test/ns/default/sa/orders';
  const url = `https://127.0.0.1:${proxy.port}/`;

  /** One request on a new connection, as web: the body the app answered and the serial the proxy's certificate had. */
  const call = async (headers: Record<string, string> = {}) => {
    let serial = '';
    const options = clientOptions(web.current(), orders);
    const check = options.checkServerIdentity!;
    const agent = new Agent({ connect: { ...options, checkServerIdentity: (host, cert) => { serial = cert.serialNumber; return check(host, cert); } } });
    try {
      const res = await request(url, { dispatcher: agent, headers, headersTimeout: WAIT_MS, bodyTimeout: WAIT_MS });
      return { status: res.statusCode, body: await res.body.text(), serial };
    } finally {
      await agent.close();
    }
  };
  const first = await waitFor('the first snapshot served over mTLS', async () => {
    const r = await call().catch(() => undefined);
    return r?.status === 200 ? r : undefined;
  });

  await t.test('a caller with a workload certificate gets through and the app sees its SPIFFE ID', () => {
    assert.equal(first.body, `By=${orders};URI=spiffe://mesh.test/ns/default/sa/web`);
  });

  await t.test('an x-forwarded-client-cert sent by the caller is replaced, not passed on', async () => {
    const r = await call({ 'x-forwarded-client-cert': 'URI=spiffe://mesh.test/ns/default/sa/admin' });
    assert.equal(r.body, `By=${orders};URI=spiffe://mesh.test/ns/default/sa/web`);
  });

  await t.test('a client without a certificate is refused at the handshake and reaches no app', async (t) => {
    const before = app.seen.length;
    const socket = connect({ host: '127.0.0.1', port: proxy.port, ca: web.current().bundle, checkServerIdentity: () => undefined, minVersion: 'TLSv1.3' });
    t.after(() => socket.destroy());
    const err = await new Promise<Error>((resolve) => {
      socket.on('secureConnect', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
      socket.on('data', () => resolve(new Error('the proxy answered a client without a certificate')));
      socket.on('error', resolve);
    });
    assert.match(err.message, /certificate required|alert number 116/i);
    assert.equal(app.seen.length, before);
  });

  await t.test('every worker follows the renewal: new connections get the new certificate', async () => {
    await waitFor('a renewed certificate', async () => ((await call()).serial !== first.serial ? true : undefined));
    const serials = await Promise.all(Array.from({ length: 8 }, async () => (await call()).serial));
    assert.ok(serials.every((s) => s !== first.serial), `still the first certificate on some connection: ${serials.join(' ')}`);
  });

  await t.test('--join-token without --plane is a usage error', async () => {
    const r = await runWeft(['proxy', '--listen', '127.0.0.1:0', '--upstream', app.url, '--admin', 'off', '--join-token', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--join-token needs --plane/);
  });

  await t.test('the sidecar registers its listener under its service, heartbeats, and deregisters when it stops', async () => {
    const endpoint = `http://127.0.0.1:${proxy.port}`;
    const instances = async () => (await plane.json<ServiceInstance[]>('/v1/services')).filter((i) => i.service === 'orders');
    const registered = await waitFor('the registration', async () => (await instances()).find((i) => i.endpoint === endpoint));
    assert.ok(registered.ttlMs > 0, 'registered with a TTL, so a dead sidecar drops out');
    await waitFor('a heartbeat', async () => ((await instances())[0]?.lastHeartbeat ?? 0) > registered.lastHeartbeat || undefined);
    assert.equal(await proxy.stop(), 0);
    assert.deepEqual(await instances(), []);
  });
});
