// A real sidecar's certificate over its life, with short certificates from a real plane: renewed before it expires, retried while the plane is away, and an alarm (a warn log, weft_identity_expiry_seconds) before it lapses.
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { request } from 'undici';
import { freePort, startPlane, tempDir } from '../plane/test/support.ts';
import type { RunningPlane } from '../plane/test/support.ts';
import { joinToken } from './support/identity.ts';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { metric } from './support/resilience.ts';
import { startUpstream } from './support/upstream.ts';
import { waitFor } from './support/wait.ts';

interface Sidecar { plane: RunningPlane; proxy: RunningProxy; bundle: string[]; restartPlane(): Promise<void> }

/** A plane issuing `ttl` certificates and a proxy that joined it with --join-token (its listener speaks mTLS); both stopped after `t`. */
async function sidecar(t: TestContext, ttl: string): Promise<Sidecar> {
  const listen = `127.0.0.1:${await freePort()}`;
  const dataDir = tempDir('renewal-plane');
  const planeOptions = { listen, dataDir, args: ['--trust-domain', 'mesh.test', '--cert-ttl', ttl] };
  const s = { plane: await startPlane(planeOptions) } as Sidecar;
  t.after(() => s.plane.stop());
  const app = await startUpstream((_req, res) => res.end('ok'));
  t.after(app.close);
  const mesh = join(tempDir('renewal-mesh'), 'mesh.yaml');
  writeFileSync(mesh, `clusters:\n  - name: app\n    endpoints: [${app.url}]\nroutes:\n  - cluster: app\n`);
  assert.equal((await s.plane.weft(['apply', '-f', mesh])).code, 0);
  s.proxy = await startProxy(['--plane', s.plane.url, '--node', 'orders-1', '--data-dir', tempDir('renewal-node'), '--token', s.plane.token,
    '--workers', '1', '--join-token', await joinToken(s.plane, 'orders')]);
  t.after(s.proxy.stop);
  s.bundle = (await s.plane.json<{ bundle: string[] }>('/v1/trust-bundle')).bundle;
  // The same address and data dir: the same CA, so the proxy's certificate still renews there.
  s.restartPlane = async () => { s.plane = await startPlane(planeOptions); };
  return s;
}

/** The certificate the proxy's listener presents: serial and expiry. A handshake that fails (CERT_HAS_EXPIRED above all) rejects. */
function served(s: Sidecar): Promise<{ serial: string; validTo: number }> {
  return new Promise((resolve, reject) => {
    // Verified against the plane's roots (its name is a SPIFFE ID, not a host name); no client certificate is needed to see it.
    const socket = connect({ host: '127.0.0.1', port: s.proxy.port, ca: s.bundle, checkServerIdentity: () => undefined, minVersion: 'TLSv1.3' });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate()!;
      resolve({ serial: cert.serialNumber, validTo: Date.parse(cert.validTo) });
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

/** The proxy's log lines with message `msg`, parsed. */
function logged(s: Sidecar, msg: string): Record<string, unknown>[] {
  return s.proxy.stderr().split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const expiry = (s: Sidecar) => metric(s.proxy.admin, 'weft_identity_expiry_seconds', {}, NaN);

describe('a sidecar\'s certificate over its life', { concurrency: true }, () => {
  test('renewed before it expires, again and again; weft_identity_expiry_seconds is the served certificate\'s time left', async (t) => {
    const s = await sidecar(t, '10s');
    const serials = new Set<string>();
    // Every handshake verifies the served certificate: one that had expired would fail it with CERT_HAS_EXPIRED.
    await waitFor(() => `three certificates in turn (saw ${[...serials].join(', ')})`, async () => {
      serials.add((await served(s)).serial);
      return serials.size >= 3 || undefined;
    });
    // The gauge reads the served certificate's expiry at the scrape: between the time left before and after it.
    const { gauge, notAfter, before, after } = await waitFor('a scrape between two reads of the same certificate', async () => {
      const id = async () => ((await (await request(`${s.proxy.admin}/identity`)).body.json()) as { notAfter: string }).notAfter;
      const first = await id();
      const before = Date.now();
      const gauge = await expiry(s);
      const after = Date.now();
      return first === await id() ? { gauge, notAfter: Date.parse(first), before, after } : undefined;
    });
    assert.ok(gauge * 1000 <= notAfter - before + 1 && gauge * 1000 >= notAfter - after - 1, `gauge ${gauge} s for a certificate expiring at ${new Date(notAfter).toISOString()}, read between ${new Date(before).toISOString()} and ${new Date(after).toISOString()}`);
    assert.deepEqual(logged(s, 'certificate renewal failed'), []);
  });

  test('with the plane away, the renewal is retried with backoff; the plane back, a retry renews it before it expires', async (t) => {
    // 30 s: the last half of the life (15 s) holds the failures, the plane's restart and a retry on a slow machine.
    const s = await sidecar(t, '30s');
    const first = await served(s);
    await s.plane.stop();
    const failures = await waitFor('two failed renewals', () => {
      const lines = logged(s, 'certificate renewal failed');
      return lines.length >= 2 ? lines : undefined;
    });
    assert.deepEqual(failures.slice(0, 2).map((l) => l.retryInMs), [500, 1000], 'retried with a doubling backoff');
    assert.match(String(failures[0].err), /no plane issued a certificate/);
    await s.restartPlane();
    const renewed = await waitFor('the renewed certificate served', async () => {
      const now = await served(s);
      return now.serial !== first.serial ? now : undefined;
    });
    assert.ok(renewed.validTo > first.validTo);
    assert.ok(logged(s, 'identity renewed').length > 0);
    assert.deepEqual(logged(s, 'certificate expired before a renewal succeeded: the proxy needs a new join token'), []);
  });

  test('not renewed in time: a warn log in the last sixth of its life, before the error at expiry; the gauge goes below zero', async (t) => {
    const s = await sidecar(t, '12s');
    await s.plane.stop();
    const expired = await waitFor('the certificate to expire unrenewed', () => {
      const lines = logged(s, 'certificate expired before a renewal succeeded: the proxy needs a new join token');
      return lines[0];
    });
    const alarms = logged(s, 'certificate in the last sixth of its life and not renewed: it expires soon unless a renewal succeeds');
    assert.equal(alarms.length, 1, 'one alarm');
    const [alarm] = alarms;
    assert.equal(alarm.level, 40, 'a warning');
    assert.equal(alarm.spiffeId, 'spiffe://mesh.test/ns/default/sa/orders');
    assert.match(String(alarm.lastError), /no plane issued a certificate/, 'it says why the renewals failed');
    // 12 s (+1.2 s of clock-skew allowance) of life: the last sixth is 2.2 s.
    assert.ok(Number(alarm.expiresInSeconds) >= 0 && Number(alarm.expiresInSeconds) <= 3, `alarm with ${alarm.expiresInSeconds} s left`);
    const log = s.proxy.stderr();
    assert.ok(log.indexOf('"certificate in the last sixth') < log.indexOf('"certificate expired before'), 'the alarm came before the expiry');
    assert.equal(expired.level, 50);
    assert.ok(await expiry(s) <= 0, 'the gauge says the served certificate has expired');
  });
});
