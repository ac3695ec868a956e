// The proxy's side of identity against a real plane: join, resume from disk, renewal (with backoff when it fails), TLS 1.3 between identities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import { closedPort } from './support/upstream.ts';
import { ErrorCodes } from '../core/errors.ts';
import { IdentityManager } from '../core/identity/manager.ts';
import type { Identity } from '../core/identity/identity.ts';
import { dial, echo, echoServer, joinToken } from './support/identity.ts';
import { clientOptions, followIdentity, serverOptions } from '../core/identity/tls.ts';

test('workload identities from a real plane', async (t) => {
  // 30 s: no certificate a subtest holds expires under it on a slow machine; the renewal subtest chooses when it renews.
  const plane = await startPlane({ args: ['--trust-domain', 'mesh.test', '--cert-ttl', '30s'] });
  t.after(plane.stop);
  const managers: IdentityManager[] = [];
  t.after(() => { for (const m of managers) m.close(); });
  const manager = (dataDir: string, joinToken?: string, renewAt?: number) => {
    const m = new IdentityManager({ planes: [plane.url], dataDir, joinToken, renewAt });
    managers.push(m);
    return m;
  };

  const apiDir = tempDir('id-api');
  const api = manager(apiDir, await joinToken(plane, 'api', ['--namespace', 'prod']));
  const webDir = tempDir('id-web');
  const web = manager(webDir, await joinToken(plane, 'web'));
  const [apiId, webId] = await Promise.all([api.start(), web.start()]);

  await t.test('a proxy joins with its one-time token: the SPIFFE ID is the SAN, the key stays on disk with mode 0600', () => {
    const cert = new X509Certificate(apiId.cert);
    assert.equal(cert.subjectAltName, 'URI:spiffe://mesh.test/ns/prod/sa/api');
    assert.equal(apiId.spiffeId, 'spiffe://mesh.test/ns/prod/sa/api');
    assert.equal(webId.spiffeId, 'spiffe://mesh.test/ns/default/sa/web');
    assert.equal(cert.ca, false);
    assert.deepEqual(cert.keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'server and client auth');
    const life = apiId.notAfter - apiId.notBefore;
    assert.ok(life >= 30_000 && life <= 34_000, `a 30 s certificate (${life} ms: whole seconds, with the clock-skew allowance)`);
    assert.ok(cert.verify(new X509Certificate(apiId.bundle[0]).publicKey), 'signed by the root in the bundle');
    assert.equal(statSync(api.files.keyFile).mode & 0o777, 0o600);
    assert.equal(statSync(api.files.dir).mode & 0o777, 0o700);
  });

  await t.test('a used token or a wrong one is refused; a restarted proxy resumes from disk without one', async () => {
    const used = manager(tempDir('id-used'), 'weft-join-not-a-token');
    await assert.rejects(used.start(), { code: ErrorCodes.IDENTITY_REFUSED });
    const token = await joinToken(plane, 'once');
    await manager(tempDir('id-once'), token).start();
    await assert.rejects(manager(tempDir('id-twice'), token).start(), { code: ErrorCodes.IDENTITY_REFUSED, message: /already used/ });
    await assert.rejects(manager(tempDir('id-none')).start(), { code: ErrorCodes.IDENTITY_UNAVAILABLE });
    const again = manager(apiDir);
    assert.equal((await again.start()).cert, api.current().cert);
    // Two managers on one data dir would both renew into it.
    again.close();
  });

  await t.test('a renewal that fails is retried with backoff, and the identity in use does not change', async () => {
    const dir = tempDir('id-offline');
    cpSync(join(webDir, 'identity'), join(dir, 'identity'), { recursive: true });
    const offline = new IdentityManager({ planes: [`http://127.0.0.1:${await closedPort()}`], dataDir: dir, renewAt: 0 });
    managers.push(offline);
    const retries: (number | null)[] = [];
    offline.on('renewal-failed', (err, retryInMs) => { if ((err as { code?: string }).code === ErrorCodes.PLANE_UNREACHABLE) retries.push(retryInMs); });
    const before = await offline.start();
    await waitFor('three failed attempts', () => retries.length >= 3);
    offline.close();
    assert.deepEqual(retries.slice(0, 3), [500, 1000, 2000], 'a first attempt at once, then retries with a doubling backoff');
    assert.equal(offline.current().cert, before.cert);
  });

  await t.test('TLS 1.3 between two identities: each side verifies the other against the bundle and reads its SPIFFE ID', async (t) => {
    const { server, port } = await echoServer(serverOptions(api.current()));
    t.after(() => server.close());
    const { socket, line } = await dial(port, clientOptions(web.current(), 'spiffe://mesh.test/ns/prod/sa/api'));
    t.after(() => socket.destroy());
    assert.equal(line, 'spiffe://mesh.test/ns/default/sa/web', 'the server saw the client identity');
    assert.equal(socket.getProtocol(), 'TLSv1.3');
    assert.equal(socket.getPeerX509Certificate()?.subjectAltName, 'URI:spiffe://mesh.test/ns/prod/sa/api');
    await assert.rejects(dial(port, clientOptions(web.current(), 'spiffe://mesh.test/ns/prod/sa/billing')), /is spiffe:\/\/mesh\.test\/ns\/prod\/sa\/api, not/);
    // Without a certificate the TLS 1.3 handshake ends in the server's "certificate required" alert.
    await assert.rejects(dial(port, { ca: web.current().bundle, checkServerIdentity: () => undefined, minVersion: 'TLSv1.3' }), /certificate required/i);
    // TLS 1.2 is not negotiated.
    await assert.rejects(dial(port, { ...clientOptions(web.current(), () => true), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }), /version/i);
  });

  await t.test('renewal: a new key and certificate, open connections continue, new ones get the new certificate', async (t) => {
    // Renews a fifth into its life (about 3 s after the join), not at the default share: the test chooses its moment.
    const db = manager(tempDir('id-db'), await joinToken(plane, 'db', ['--namespace', 'prod']), 1 / 5);
    const before: Identity = await db.start();
    const renewed = once(db, 'change') as Promise<[Identity]>;
    const { server, port } = await echoServer(serverOptions(before));
    const unfollow = followIdentity(server, db);
    t.after(() => { unfollow(); server.close(); });
    const open = (await dial(port, clientOptions(web.current(), () => true))).socket;
    t.after(() => open.destroy());
    const [after] = await renewed;
    assert.ok(Date.now() < before.notAfter, 'before the old certificate expired');
    assert.equal(after.spiffeId, before.spiffeId);
    assert.notEqual(after.key, before.key, 'a fresh key');
    assert.ok(after.notAfter > before.notAfter);
    assert.equal(await echo(open, 'still here'), 'still here', 'the connection opened on the old certificate goes on');
    const fresh = (await dial(port, clientOptions(web.current(), () => true))).socket;
    t.after(() => fresh.destroy());
    assert.equal(fresh.getPeerX509Certificate()?.serialNumber, new X509Certificate(after.cert).serialNumber, 'a new connection gets the new certificate');
    assert.equal(db.files.read()?.cert, after.cert, 'and it is on disk');
  });
});
