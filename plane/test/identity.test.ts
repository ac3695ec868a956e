// The plane's CA through the real CLI and API: join tokens (one-time, hashed, expiring), renewal proofs, root rotation with overlap, a supplied CA with an intermediate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startControlClient } from '../../core/control/client.ts';
import type { Snapshot } from '../../core/control/snapshot.ts';
import { ErrorCodes } from '../../core/errors.ts';
import { IdentityManager } from '../../core/identity/manager.ts';
import { JOIN_PATH, RENEW_PATH } from '../../core/identity/protocol.ts';
import { joinRequest, renewRequest } from '../../core/identity/request.ts';
import { dial, echoServer, joinToken } from '../../test/support/identity.ts';
import { clientOptions, serverOptions } from '../../core/identity/tls.ts';
import { EC_P256, certPem, generateKeyPair, privateKeyPem, x509 } from '../../core/identity/x509.ts';
import { startPlane, tempDir, waitFor } from './support.ts';
import type { RunningPlane } from './support.ts';

async function post(plane: RunningPlane, path: string, body: unknown): Promise<{ status: number; body: { error?: string; message?: string; cert?: string } }> {
  const res = await fetch(`${plane.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as { error?: string } };
}

test('join tokens and renewal proofs', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());

  await t.test('a token is stored only as its sha256, and a bad CSR does not use it up', async () => {
    const token = await joinToken(plane, 'api');
    const db = new DatabaseSync(join(plane.dataDir, 'plane.db'), { readOnly: true });
    const rows = db.prepare("SELECT key, value FROM kv WHERE key LIKE 'identity/tokens/%'").all() as { key: string; value: string }[];
    db.close();
    assert.deepEqual(rows.map((r) => r.key), [`identity/tokens/${createHash('sha256').update(token).digest('hex')}`]);
    assert.ok(!rows[0].value.includes(token));
    const bad = await post(plane, JOIN_PATH, { token, csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, ErrorCodes.IDENTITY_REQUEST_INVALID);
    const good = await post(plane, JOIN_PATH, joinRequest(token).body);
    assert.equal(good.status, 200);
    assert.equal(new X509Certificate(good.body.cert!).subjectAltName, 'URI:spiffe://weft.local/ns/default/sa/api');
    const again = await post(plane, JOIN_PATH, joinRequest(token).body);
    assert.equal(again.status, 403);
    assert.equal(again.body.error, ErrorCodes.IDENTITY_REFUSED);
  });

  await t.test('an expired token is refused; making tokens needs the plane token', async () => {
    const token = await joinToken(plane, 'late', ['--ttl', '200ms']);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await post(plane, JOIN_PATH, joinRequest(token).body)).status, 403);
    assert.equal((await post(plane, '/v1/identity/tokens', { service: 'x', ttlMs: 1000 })).status, 401);
  });

  await t.test("a renewal must be signed with the current certificate's key", async () => {
    const m = new IdentityManager({ planes: [plane.url], dataDir: tempDir('renew'), joinToken: await joinToken(plane, 'api') });
    const id = await m.start();
    m.close();
    const stranger = await privateKeyPem((await generateKeyPair()).privateKey);
    const forged = await post(plane, RENEW_PATH, renewRequest({ key: stranger, cert: id.cert }).body);
    assert.equal(forged.status, 403);
    assert.match(forged.body.message!, /proof was not made with the current certificate's key/);
    const real = await post(plane, RENEW_PATH, renewRequest(id).body);
    assert.equal(real.status, 200);
    assert.equal(new X509Certificate(real.body.cert!).subjectAltName, new X509Certificate(id.cert).subjectAltName);
  });
});

test('root rotation: both roots trusted during the overlap, then the old one retired', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  assert.equal(statSync(join(plane.dataDir, 'ca', 'root-1.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(plane.dataDir, 'ca')).mode & 0o777, 0o700);
  const bundle = async () => (await plane.json<{ bundle: string[] }>('/v1/trust-bundle')).bundle;
  const [root1] = await bundle();

  const a = new IdentityManager({ planes: [plane.url], dataDir: tempDir('rot-a'), joinToken: await joinToken(plane, 'a') });
  const oldA = await a.start();
  t.after(() => a.close());
  // The trust bundle reaches a proxy with its config: the control client hands each snapshot's bundle to the identity.
  const control = await startControlClient({
    planes: [plane.url], node: 'a', dataDir: tempDir('rot-ctl'), token: plane.token, apply: async () => undefined,
    trustBundle: (pems) => a.updateTrustBundle(pems),
  });
  t.after(() => control.close());
  await control.ready;

  const rotated = await plane.weft(['ca', 'rotate']);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.match(rotated.stdout, /weft\.local root 2\s+yes/);
  const both = await bundle();
  assert.equal(both.length, 2);
  assert.equal(both[0], root1, 'the old root is still trusted');
  assert.deepEqual((await plane.json<Snapshot>('/v1/snapshot')).trustBundle, both);
  await waitFor('the proxy gets both roots with its config', () => a.trustBundle().length === 2);

  const b = new IdentityManager({ planes: [plane.url], dataDir: tempDir('rot-b'), joinToken: await joinToken(plane, 'b') });
  const newB = await b.start();
  t.after(() => b.close());
  const root2 = new X509Certificate(both[1]);
  assert.ok(new X509Certificate(newB.cert).verify(root2.publicKey), 'new certificates come from the new root');

  await t.test('an old-root and a new-root certificate verify each other during the overlap', async () => {
    const { server, port } = await echoServer(serverOptions(a.current()));
    t.after(() => server.close());
    const { socket, line } = await dial(port, clientOptions(b.current(), 'spiffe://weft.local/ns/default/sa/a'));
    assert.equal(line, 'spiffe://weft.local/ns/default/sa/b');
    socket.destroy();
  });

  await t.test('an old-root certificate renews during the overlap, into the new root', async () => {
    const renewed = await a.renew();
    assert.ok(new X509Certificate(renewed.cert).verify(root2.publicKey));
  });

  await t.test('retire waits for the old root\'s last certificate to expire; forced, the old root is no longer trusted', async () => {
    const early = await plane.weft(['ca', 'retire']);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /may be valid until .*WEFT_ERR_CA_CONFLICT/);
    assert.equal((await bundle()).length, 2, 'nothing changed');
    assert.equal((await plane.weft(['ca', 'retire', '--force'])).code, 0);
    assert.deepEqual(await bundle(), [both[1]]);
    await waitFor('the proxy drops the old root', () => a.trustBundle().length === 1);
    const refused = await post(plane, RENEW_PATH, renewRequest(oldA).body);
    assert.equal(refused.status, 403);
    assert.match(refused.body.message!, /not issued by a root this plane trusts/);
    const { server, port } = await echoServer(serverOptions({ ...oldA, bundle: [both[1]] }));
    t.after(() => server.close());
    b.updateTrustBundle(await bundle());
    await assert.rejects(dial(port, clientOptions(b.current(), () => true)), /unable to verify the first certificate/);
  });
});

/** A root (path length 1) and an intermediate under it, as an organisation's own PKI would supply them. */
async function organisationCa(dir: string): Promise<{ chainFile: string; keyFile: string; root: string }> {
  const ext = (pathLength: number) => [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
  const rootKeys = await generateKeyPair();
  const root = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=Org Root', keys: rootKeys, signingAlgorithm: EC_P256, extensions: ext(1) });
  const intKeys = await generateKeyPair();
  const intermediate = await x509.X509CertificateGenerator.create({
    subject: 'CN=Org Mesh Intermediate', issuer: root.subjectName, publicKey: intKeys.publicKey, signingKey: rootKeys.privateKey,
    signingAlgorithm: EC_P256, extensions: [...ext(0), await x509.SubjectKeyIdentifierExtension.create(intKeys.publicKey)],
  });
  const chainFile = join(dir, 'chain.pem');
  const keyFile = join(dir, 'intermediate.key');
  writeFileSync(chainFile, certPem(intermediate) + certPem(root));
  writeFileSync(keyFile, await privateKeyPem(intKeys.privateKey), { mode: 0o600 });
  return { chainFile, keyFile, root: certPem(root) };
}

test('a supplied CA: certificates from its intermediate, served with the chain, trusted through the root', async (t) => {
  const dir = tempDir('org-ca');
  const ca = await organisationCa(dir);
  const wrongKey = join(dir, 'other.key');
  writeFileSync(wrongKey, await privateKeyPem((await generateKeyPair()).privateKey));
  await assert.rejects(startPlane({ args: ['--ca-cert', ca.chainFile, '--ca-key', wrongKey] }), /does not match the certificate.*WEFT_ERR_CA_INVALID/);

  const plane = await startPlane({ args: ['--ca-cert', ca.chainFile, '--ca-key', ca.keyFile, '--trust-domain', 'org.example'] });
  t.after(() => plane.stop());
  assert.deepEqual((await plane.json<{ bundle: string[] }>('/v1/trust-bundle')).bundle, [ca.root]);
  const ids = await Promise.all(['api', 'web'].map(async (service) => {
    const m = new IdentityManager({ planes: [plane.url], dataDir: tempDir(`org-${service}`), joinToken: await joinToken(plane, service) });
    t.after(() => m.close());
    return m.start();
  }));
  assert.equal(ids[0].chain.length, 1, 'the intermediate is served after the leaf');
  const { server, port } = await echoServer(serverOptions(ids[0]));
  t.after(() => server.close());
  const { socket, line } = await dial(port, clientOptions(ids[1], 'spiffe://org.example/ns/default/sa/api'));
  assert.equal(line, 'spiffe://org.example/ns/default/sa/web');
  socket.destroy();
  const rotate = await plane.weft(['ca', 'rotate']);
  assert.match(rotate.stderr, /supplied with --ca-cert.*WEFT_ERR_CA_CONFLICT/);
});
