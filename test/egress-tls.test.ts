// TLS to upstreams outside the mesh, through the real CLI against real HTTPS servers with a test CA: verification and its failures, SNI, client certificates, ALPN h2 and gRPC, retries, health checks, --upstream https, bad files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { request } from 'undici';
import { startProxy, runWeft } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { createTestCa } from './support/test-ca.ts';
import { startHttpsUpstream } from './support/https-upstream.ts';
import type { Seen } from './support/https-upstream.ts';
import { echoClient, grpc, say, startGrpcServer } from './support/grpc.ts';
import { waitFor } from '../plane/test/support.ts';
import { validateConfigDocument } from '../core/config/validate.ts';

const DAY = 24 * 3600_000;

async function get(proxy: RunningProxy, path: string, host = 'api.test'): Promise<{ status: number; body: string; error?: string }> {
  const res = await request(`${proxy.url}${path}`, { headers: { host }, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const error = res.headers['x-weft-error'];
  return { status: res.statusCode, body: await res.body.text(), ...(error ? { error: String(error) } : {}) };
}

/** The access log's lines so far (written asynchronously, a little after the response). */
function accessLog(path: string): Record<string, unknown>[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('TLS to upstreams: verified against the cluster\'s CA, each failure a 503 with its reason in the logs', async (t) => {
  const ca = await createTestCa('egress');
  const other = await createTestCa('other');
  const valid = await startHttpsUpstream(await ca.issue('valid', { names: ['localhost', 'api.test', '127.0.0.1'] }));
  const expired = await startHttpsUpstream(await ca.issue('expired', { names: ['localhost'], notBefore: new Date(Date.now() - 3 * DAY), notAfter: new Date(Date.now() - DAY) }));
  const wrongName = await startHttpsUpstream(await ca.issue('wrong-name', { names: ['other.test'] }));
  const unknown = await startHttpsUpstream(await other.issue('unknown', { names: ['localhost'] }));
  const mutual = await startHttpsUpstream(await ca.issue('mutual', { names: ['localhost'] }), ca.cert);
  const http1Only = await startHttpsUpstream(await ca.issue('http1-only', { names: ['localhost'] }), undefined, { http1Only: true });
  await ca.issue('client', { names: ['orders-client'], client: true }); // client.pem and client-key.pem, named by the config
  const grpcCert = await ca.issue('grpc', { names: ['localhost'] });
  const grpcServer = await startGrpcServer(grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(grpcCert.key), cert_chain: Buffer.from(grpcCert.cert) }]));
  t.after(() => Promise.all([valid, expired, wrongName, unknown, mutual, http1Only].map((s) => s.close()).concat(grpcServer.stop())));

  // The config sits beside the CA's files, so its relative paths are read from its own folder.
  const dir = dirname(ca.certFile);
  const configFile = join(dir, 'weft.yaml');
  const accessFile = join(dir, 'access.log');
  const https = (port: number) => `https://localhost:${port}`;
  const withCa = { caFile: 'ca.pem' };
  const clusters: Record<string, unknown>[] = [
    { name: 'grpc', endpoints: [https(grpcServer.port)], protocol: 'http2', tls: withCa },
    { name: 'valid', endpoints: [https(valid.port)], tls: withCa },
    { name: 'sni', endpoints: [`https://127.0.0.1:${valid.port}`], tls: { ...withCa, sni: 'api.test' } },
    { name: 'h2', endpoints: [https(valid.port)], protocol: 'http2', tls: withCa },
    { name: 'h1-fallback', endpoints: [https(http1Only.port)], protocol: 'http2', tls: withCa },
    { name: 'expired', endpoints: [https(expired.port)], tls: withCa },
    { name: 'wrong-name', endpoints: [https(wrongName.port)], tls: withCa },
    { name: 'unknown-ca', endpoints: [https(unknown.port)], tls: withCa },
    { name: 'system-trust', endpoints: [https(valid.port)] },
    { name: 'no-client-cert', endpoints: [https(mutual.port)], tls: withCa },
    {
      name: 'client-cert', endpoints: [https(mutual.port)], tls: { ...withCa, certFile: 'client.pem', keyFile: 'client-key.pem' },
      healthCheck: { path: '/healthz', interval: '1s' },
    },
    { name: 'insecure', endpoints: [https(unknown.port)], tls: { insecureSkipVerify: true } },
    // Round robin over a bad endpoint and a good one: the bad one's TLS failure is retried and ejects it.
    {
      name: 'mixed', endpoints: [https(expired.port), https(valid.port)], tls: withCa,
      outlierDetection: { consecutiveFailures: 2, baseEjectionTime: '5m', maxEjectionPercent: 50 },
    },
  ];
  const routes = [
    { match: { prefix: '/weft.test.Echo/' }, cluster: 'grpc' },
    { match: { prefix: '/mixed' }, cluster: 'mixed', retries: { attempts: 1, on: ['connect-failure'] } },
    ...clusters.filter((c) => c.name !== 'grpc' && c.name !== 'mixed').map((c) => ({ match: { prefix: `/${String(c.name)}` }, cluster: c.name })),
  ];
  // JSON is YAML too. `valid` (clusters[1]) may be given another caFile, for the reload below.
  const config = (validCa = 'ca.pem') => JSON.stringify({
    listen: '127.0.0.1:0', workers: 1, routes,
    clusters: clusters.map((c) => (c.name === 'valid' ? { ...c, tls: { caFile: validCa } } : c)),
  });
  writeFileSync(configFile, config());
  const proxy = await startProxy(['--config', configFile, '--access-log', accessFile]);
  t.after(() => proxy.stop());

  const ok = async (path: string): Promise<Seen> => {
    const r = await get(proxy, path);
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body) as Seen;
  };
  const refused = async (path: string, reason: RegExp): Promise<void> => {
    const r = await get(proxy, path);
    assert.equal(r.status, 503, r.body);
    assert.equal(r.error, 'WEFT_ERR_UPSTREAM_TLS');
    assert.match(r.body, reason);
    const line = await waitFor(`the access log line of ${path}`, async () => accessLog(accessFile).find((l) => l.path === path), 5000);
    assert.equal(line.error, 'WEFT_ERR_UPSTREAM_TLS');
    assert.match(String(line.detail), reason);
    await waitFor(`the event log line of ${path}`, async () => proxy.stderr().split('\n').some((l) => l.includes('"upstream TLS handshake failed"') && reason.test(JSON.parse(l).detail as string)) || undefined, 5000);
  };

  await t.test('a certificate the caFile vouches for, with the endpoint\'s host as SNI and the caller\'s Host kept', async () => {
    const seen = await ok('/valid/x');
    assert.deepEqual({ servername: seen.servername, httpVersion: seen.httpVersion, host: seen.host, path: seen.path }, { servername: 'localhost', httpVersion: '1.1', host: 'api.test', path: '/valid/x' });
    // Another Host neither changes the SNI nor costs a new connection.
    const r = await get(proxy, '/valid/y', 'other.test');
    const next = JSON.parse(r.body) as Seen;
    assert.deepEqual([next.host, next.servername, next.clientPort], ['other.test', 'localhost', seen.clientPort]);
  });

  await t.test('sni: names the server (and what is verified) when the endpoint is an IP address', async () => {
    assert.equal((await ok('/sni')).servername, 'api.test');
  });

  await t.test('protocol: http2 speaks HTTP/2 over TLS (ALPN h2); http1 offers only http/1.1 to the same server', async () => {
    assert.equal((await ok('/h2')).httpVersion, '2.0');
    assert.equal((await ok('/valid')).httpVersion, '1.1');
  });

  await t.test('protocol: http2 to a server that chooses no h2 in its TLS handshake goes on in HTTP/1.1, on one kept-alive connection', async () => {
    const first = await ok('/h1-fallback/a');
    const second = await ok('/h1-fallback/b');
    assert.deepEqual([first.httpVersion, second.httpVersion, second.path], ['1.1', '1.1', '/h1-fallback/b']);
    assert.equal(second.clientPort, first.clientPort);
  });

  await t.test('a gRPC call crosses to a TLS gRPC server over HTTP/2', async () => {
    const c = echoClient(`127.0.0.1:${proxy.port}`);
    t.after(() => c.close());
    const r = await say(c, 'over tls');
    assert.equal(r.err, undefined, r.err?.message);
    assert.equal(r.reply!.text, 'echo: over tls');
    assert.deepEqual(r.trailers.get('x-trailer'), ['unary']);
  });

  await t.test('an expired certificate', () => refused('/expired', /^.*expired: certificate has expired \(CERT_HAS_EXPIRED\)/));
  await t.test('a certificate for another name', () => refused('/wrong-name', /name mismatch: .*other\.test/));
  await t.test('a certificate from a CA the caFile does not hold', () => refused('/unknown-ca', /unknown authority: .*\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/));
  await t.test('without a caFile the system trust store decides, and it does not know the test CA', () => refused('/system-trust', /unknown authority/));

  await t.test('a server that wants a client certificate: refused without certFile, served with it', async () => {
    await refused('/no-client-cert', /client certificate required/);
    assert.equal(mutual.seen.filter((s) => s.path === '/no-client-cert').length, 0, 'a request reached the server without a client certificate');
    assert.equal((await ok('/client-cert')).client, 'orders-client');
  });

  await t.test('health checks of an https endpoint use the cluster\'s TLS, client certificate included', async () => {
    const probe = await waitFor('a health probe', async () => mutual.seen.find((s) => s.path === '/healthz'), 5000);
    assert.equal(probe.client, 'orders-client');
    const metrics = await (await request(`${proxy.admin}/metrics`)).body.text();
    assert.match(metrics, /weft_upstream_health_checks_total\{cluster="client-cert",result="pass"[^}]*\} [1-9]/);
  });

  await t.test('insecureSkipVerify: true verifies nothing, and says so at warn when the config starts serving', async () => {
    assert.equal((await ok('/insecure')).servername, 'localhost');
    const warning = proxy.stderr().split('\n').find((l) => l.includes('insecureSkipVerify'));
    assert.ok(warning, 'no warning about insecureSkipVerify');
    assert.equal(JSON.parse(warning).level, 40);
    assert.equal(JSON.parse(warning).cluster, 'insecure');
  });

  await t.test('a TLS failure is a connect failure of that endpoint: retried on another, and counted by outlier detection', async () => {
    for (let i = 0; i < 6; i++) assert.equal((await get(proxy, '/mixed')).status, 200);
    const metrics = await (await request(`${proxy.admin}/metrics`)).body.text();
    assert.match(metrics, /weft_upstream_errors_total\{cluster="mixed",error="WEFT_ERR_UPSTREAM_TLS"[^}]*\} [1-9]/);
    assert.match(metrics, /weft_upstream_retries_total\{cluster="mixed"[^}]*\} [1-9]/);
    assert.match(metrics, /weft_upstream_ejections_total\{cluster="mixed"\} 1/);
  });

  await t.test('a reload whose caFile cannot be read is refused with its path; the running config keeps serving', async () => {
    writeFileSync(configFile, config('/nonexistent/ca.pem'));
    proxy.proc.kill('SIGHUP');
    const line = await waitFor('the refusal', async () => proxy.stderr().split('\n').find((l) => l.includes('config reload refused')), 5000);
    assert.match(line, /clusters\[1\]\.tls\.caFile: cannot read \/nonexistent\/ca\.pem: no such file or folder \(ENOENT\)/);
    assert.equal((await ok('/valid')).servername, 'localhost');
  });
});

test('--upstream https://… verifies against the trust store (here the test CA, through NODE_EXTRA_CA_CERTS)', async (t) => {
  const ca = await createTestCa('upstream-flag');
  const server = await startHttpsUpstream(await ca.issue('server', { names: ['localhost'] }));
  t.after(() => server.close());
  const proxy = await startProxy(['--upstream', `https://localhost:${server.port}`, '--workers', '1'], { NODE_EXTRA_CA_CERTS: ca.certFile });
  t.after(() => proxy.stop());
  const r = await get(proxy, '/through', 'localhost');
  assert.equal(r.status, 200, r.body);
  assert.equal((JSON.parse(r.body) as Seen).servername, 'localhost');
});

test('a caFile that cannot be read stops the proxy at load, naming its path', async () => {
  const dir = dirname((await createTestCa('bad-file')).certFile);
  const file = join(dir, 'weft.yaml');
  writeFileSync(file, 'listen: 127.0.0.1:0\nclusters:\n  - { name: ext, endpoints: ["https://localhost:1"], tls: { caFile: missing.pem } }\nroutes: [{ cluster: ext }]\n');
  const r = await runWeft(['proxy', '--config', file]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`clusters\\[0\\]\\.tls\\.caFile: cannot read ${join(dir, 'missing.pem')}: no such file or folder \\(ENOENT\\) \\(WEFT_ERR_CONFIG_INVALID\\)`));
});

test('TLS settings that cannot work are refused with their paths, all at once', () => {
  const doc = {
    clusters: [
      { name: 'a', endpoints: ['http://127.0.0.1:1'], tls: { sni: 'a.test' } },
      { name: 'b', endpoints: ['https://127.0.0.1:1', 'http://127.0.0.1:2'] },
      { name: 'c', endpoints: ['https://127.0.0.1:1'], tls: { sni: '10.0.0.1', certFile: '/x.pem' } },
      { name: 'd', endpoints: ['https://127.0.0.1:1'], tls: { insecureSkipVerify: true, caFile: '/ca.pem' } },
    ],
    routes: [{ cluster: 'a' }],
  };
  assert.throws(() => validateConfigDocument(doc, 'test.yaml'), (err: Error) => {
    for (const problem of [
      'clusters[0].tls: the endpoints are http://; TLS settings are for https:// endpoints',
      'clusters[1].endpoints[1]: http:// and https:// endpoints cannot share a cluster',
      'clusters[2].tls.sni: must be a host name, not an IP address',
      'clusters[2].tls.certFile: needs "keyFile" beside it',
      'clusters[3].tls.insecureSkipVerify: verifies nothing, so caFile would go unused',
    ]) assert.ok(err.message.includes(problem), `missing "${problem}" in: ${err.message}`);
    return true;
  });
});

test('weft schema describes a cluster\'s tls block', async () => {
  const r = await runWeft(['schema']);
  assert.equal(r.code, 0, r.stderr);
  const tls = (JSON.parse(r.stdout) as { properties: { clusters: { items: { properties: { tls: { properties: Record<string, unknown> } } } } } }).properties.clusters.items.properties.tls;
  assert.deepEqual(Object.keys(tls.properties), ['sni', 'caFile', 'certFile', 'keyFile', 'insecureSkipVerify']);
});
