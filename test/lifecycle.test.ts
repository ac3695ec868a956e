// The proxy's lifecycle: workers restarted when they die, admin endpoints, and graceful drain on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, Agent } from 'undici';
import { Supervisor } from '../core/proxy/supervisor.ts';
import { resolveProxySettings } from '../core/config/resolve.ts';
import { createLogger } from '../core/observe/log.ts';
import { startAdmin } from '../core/admin/server.ts';
import { startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';

test('a worker that dies is restarted and counted while the other workers keep serving', async () => {
  const up = await startUpstream();
  const settings = resolveProxySettings({ listen: '127.0.0.1:0', upstream: [up.url], workers: '2', logLevel: 'silent' });
  const sup = new Supervisor(settings, createLogger('silent'));
  await sup.start();
  const admin = await startAdmin({ host: '127.0.0.1', port: 0 }, sup);
  const url = `http://127.0.0.1:${sup.listenPort}`;
  const agent = new Agent({ connections: 8, pipelining: 0 });
  try {
    const victim = sup.threads[1];
    const died = once(victim, 'exit');
    await victim.terminate();
    await died;
    // While worker 1 is gone, every new connection lands on worker 0 and is answered.
    for (let i = 0; i < 20; i++) {
      const r = await request(`${url}/during/${i}`, { dispatcher: agent, reset: true });
      assert.equal(r.statusCode, 200);
      await r.body.text();
    }
    const deadline = Date.now() + 5000;
    while (!sup.ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(sup.ready, true, 'the dead worker is replaced');
    assert.notEqual(sup.threads[1], victim);
    const metrics = await (await request(`http://127.0.0.1:${admin.address.port}/metrics`)).body.text();
    assert.match(metrics, /weft_worker_restarts_total 1/);
  } finally {
    await agent.close();
    admin.close();
    await sup.drain();
    await up.close();
  }
});

test('admin: /ready, /metrics by route, cluster, code and worker, /config as JSON', async () => {
  const up = await startUpstream();
  const proxy = await startProxy(['--upstream', up.url, '--workers', '2']);
  try {
    const ready = await request(`${proxy.admin}/ready`);
    assert.equal(ready.statusCode, 200);
    await ready.body.text();
    for (let i = 0; i < 10; i++) await (await request(`${proxy.url}/x`, { reset: true })).body.text();
    const text = await (await request(`${proxy.admin}/metrics`)).body.text();
    const counts = [...text.matchAll(/weft_requests_total\{route="default",cluster="upstream",code="200",worker="(\d)"\} (\d+)/g)];
    assert.equal(counts.reduce((n, m) => n + Number(m[2]), 0), 10);
    assert.match(text, /weft_request_duration_seconds_count\{route="default",cluster="upstream"\} 10/);
    assert.match(text, /weft_upstream_connections\{cluster="upstream",endpoint="http:\/\/127\.0\.0\.1:\d+",state="open"\} [1-9]/);
    assert.match(text, /# TYPE weft_worker_restarts_total counter/);
    const cfg = (await (await request(`${proxy.admin}/config`)).body.json()) as { listen: { port: number }; clusters: { endpoints: string[] }[] };
    assert.equal(cfg.listen.port, proxy.port);
    assert.deepEqual(cfg.clusters[0].endpoints, [up.url]);
    const missing = await request(`${proxy.admin}/nope`);
    assert.equal(missing.statusCode, 404);
    await missing.body.text();
  } finally {
    await proxy.stop();
    await up.close();
  }
});

test('access log: one JSON line per request with method, path, status, duration, upstream, bytes and request id', async () => {
  const up = await startUpstream();
  const proxy = await startProxy(['--upstream', up.url, '--workers', '1', '--access-log', 'stdout']);
  try {
    const r = await request(`${proxy.url}/logged?x=1`, { method: 'POST', body: 'hello', headers: { 'x-request-id': 'rid-7' } });
    const body = await r.body.text();
    let line: Record<string, unknown> | undefined;
    const deadline = Date.now() + 3000;
    while (!line && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
      line = proxy.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === 'rid-7');
    }
    assert.ok(line, 'the access log line was written');
    assert.equal(line.method, 'POST');
    assert.equal(line.path, '/logged?x=1');
    assert.equal(line.status, 200);
    assert.equal(line.upstream, up.url);
    assert.equal(line.bytesIn, 5);
    assert.equal(line.bytesOut, Buffer.byteLength(body));
    assert.equal(typeof line.durationMs, 'number');
    assert.equal(typeof line.time, 'string');
  } finally {
    await proxy.stop();
    await up.close();
  }
});

test('SIGTERM: in-flight requests finish, new connections are refused, exit code 0', async () => {
  const up = await startUpstream((req, res) => setTimeout(() => res.end('finished'), 600));
  const proxy = await startProxy(['--upstream', up.url, '--workers', '2', '--drain-timeout', '5s']);
  const inflight = request(`${proxy.url}/slow`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
  await new Promise((r) => setTimeout(r, 150));
  const exited = once(proxy.proc, 'exit');
  proxy.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 150));
  const refused = await request(`${proxy.url}/new`, { reset: true }).then(() => false, () => true);
  const result = await inflight;
  const [code] = await exited;
  assert.deepEqual(result, { status: 200, body: 'finished' });
  assert.equal(refused, true, 'a new connection during drain is refused');
  assert.equal(code, 0);
  await up.close();
});

test('drain timeout: a request still running when it expires is cut and the proxy exits 0', async () => {
  const up = await startUpstream(() => { /* never answers */ });
  const proxy = await startProxy(['--upstream', up.url, '--workers', '1', '--drain-timeout', '300ms']);
  const hung = request(`${proxy.url}/hang`).then(() => 'answered', () => 'cut');
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  const code = await proxy.stop();
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 3000);
  assert.equal(await hung, 'cut');
  await up.close();
});
