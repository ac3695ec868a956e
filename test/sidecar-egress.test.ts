// A sidecar calls HTTPS services outside the mesh that the mesh config declares (Istio's ServiceEntry): the caller names the service in Host, the outbound chain and the route's retries apply, and TLS failures are 503s with their reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import { joinToken } from './support/identity.ts';
import { startProxy } from './support/proxy.ts';
import { closedPort, startUpstream } from './support/upstream.ts';
import { createTestCa } from './support/test-ca.ts';
import { startHttpsUpstream } from './support/https-upstream.ts';
import type { Seen } from './support/https-upstream.ts';

const DAY = 24 * 3600_000;

test('a sidecar reaches an external HTTPS service declared in mesh config, through its outbound chain and retries', async (t) => {
  const plane = await startPlane({ args: ['--trust-domain', 'egress.test'] });
  t.after(() => plane.stop());
  const ca = await createTestCa('sidecar-egress');
  const api = await startHttpsUpstream(await ca.issue('api', { names: ['api.example.test'] }));
  const stale = await startHttpsUpstream(await ca.issue('stale', { names: ['stale.example.test'], notBefore: new Date(Date.now() - 3 * DAY), notAfter: new Date(Date.now() - DAY) }));
  const app = await startUpstream();
  t.after(() => Promise.all([api.close(), stale.close(), app.close()]));

  const module = fileURLToPath(new URL('../filters/ratelimit/build/ratelimit.wasm', import.meta.url));
  assert.equal((await plane.weft(['filter', 'push', 'ratelimit', module, '--version', '1.0.0'])).code, 0);
  const dir = tempDir('sidecar-egress');
  const dead = await closedPort();
  // The service entry: a name callers put in Host, https:// endpoints (a dead one first, so the route's retries show), the CA.
  const mesh = (caFile: string) => JSON.stringify({
    clusters: [
      { name: 'ext-api', endpoints: [`https://127.0.0.1:${dead}`, `https://127.0.0.1:${api.port}`], tls: { sni: 'api.example.test', caFile } },
      { name: 'stale-api', endpoints: [`https://127.0.0.1:${stale.port}`], tls: { sni: 'stale.example.test', caFile } },
    ],
    routes: [
      { name: 'ext-api', match: { host: 'api.example.test' }, cluster: 'ext-api', retries: { attempts: 2, on: ['connect-failure'] } },
      { name: 'stale-api', match: { host: 'stale.example.test' }, cluster: 'stale-api' },
    ],
    filters: [{ name: 'ratelimit', config: { limits: [{ name: 'per-tenant', requests: 2, perSeconds: 3600, key: { source: 'header', name: 'x-tenant' }, routes: ['ext-api'] } ] } }],
  });
  const apply = async (doc: string) => {
    const file = join(dir, 'mesh.yaml');
    writeFileSync(file, doc);
    return plane.weft(['apply', '-f', file]);
  };
  const applied = await apply(mesh(ca.certFile));
  assert.equal(applied.code, 0, applied.stderr);

  const accessFile = join(dir, 'access.log');
  const car = await startProxy(['--plane', plane.url, '--token', plane.token, '--node', 'orders-1', '--data-dir', join(dir, 'data'),
    '--join-token', await joinToken(plane, 'orders'), '--service', 'orders', '--inbound', '127.0.0.1:0', '--app', `127.0.0.1:${app.port}`,
    '--outbound', '127.0.0.1:0', '--chain', 'outbound', '--workers', '1', '--access-log', accessFile]);
  t.after(() => car.stop());
  const outbound = `http://${String(car.ready.outbound)}`;
  const call = async (host: string, headers: Record<string, string> = {}) => {
    const res = await request(`${outbound}/v1/things`, { headers: { host, ...headers }, headersTimeout: 10_000, bodyTimeout: 10_000 });
    return { status: res.statusCode, error: res.headers['x-weft-error'], body: await res.body.text() };
  };
  await waitFor('the external route on the outbound side', async () => ((await call('api.example.test')).status === 200 || undefined), 10_000);

  await t.test('the call leaves over TLS with the service\'s name as SNI and Host, retried past the dead endpoint', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await call('api.example.test');
      assert.equal(r.status, 200, r.body);
      const seen = JSON.parse(r.body) as Seen;
      assert.deepEqual([seen.servername, seen.host, seen.path], ['api.example.test', 'api.example.test', '/v1/things']);
    }
    const metrics = await (await request(`${car.admin}/metrics`)).body.text();
    assert.match(metrics, /weft_upstream_retries_total\{cluster="ext-api"[^}]*\} [1-9]/);
  });

  await t.test('the outbound filter chain runs on it: the third call of a tenant is rate limited', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('api.example.test', { 'x-tenant': 'blue' })).status);
    assert.deepEqual(statuses, [200, 200, 429]);
  });

  await t.test('an expired certificate is a 503 WEFT_ERR_UPSTREAM_TLS, its reason in the access and event logs', async () => {
    const r = await call('stale.example.test');
    assert.equal(r.status, 503, r.body);
    assert.equal(r.error, 'WEFT_ERR_UPSTREAM_TLS');
    assert.match(r.body, /expired: certificate has expired/);
    assert.equal(stale.seen.length, 0);
    const line = await waitFor('the access log line', async () => readFileSync(accessFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.error === 'WEFT_ERR_UPSTREAM_TLS'), 5000);
    assert.equal(line.route, 'stale-api');
    assert.match(String(line.detail), /^expired: certificate has expired \(CERT_HAS_EXPIRED\)$/);
    assert.match(car.stderr(), /"msg":"upstream TLS handshake failed"/);
  });

  await t.test('the plane refuses a relative caFile: it would be read on every proxy\'s own host', async () => {
    const r = await apply(mesh('ca.pem'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /clusters\[0\]\.tls\.caFile: must be an absolute path: each proxy reads it on its own host \(got "ca\.pem"\)/);
  });

  await t.test('a caFile the sidecar cannot read: it NACKs with the path and keeps serving the config it has', async () => {
    const r = await apply(mesh('/nonexistent/ca.pem'));
    assert.equal(r.code, 0, r.stderr);
    const nack = await waitFor('the NACK', async () => {
      const report = JSON.parse((await plane.weft(['status', '--json'])).stdout) as { nodes: { node: string; last: { ok: boolean; error?: string } }[] };
      const node = report.nodes.find((n) => n.node === 'orders-1');
      return node?.last.ok === false ? node.last.error : undefined;
    }, 10_000);
    assert.match(nack!, /clusters\[0\]\.tls\.caFile: cannot read \/nonexistent\/ca\.pem: no such file or folder \(ENOENT\)/);
    assert.equal((await call('api.example.test')).status, 200);
  });
});
