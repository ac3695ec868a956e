// The proxy's lifecycle: workers restarted when they die, the one-isolate proxy (--workers 1) that a fault ends, admin endpoints, and graceful drain on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request, Agent } from 'undici';
import { Supervisor } from '../core/proxy/supervisor.ts';
import { resolveProxySettings } from '../core/config/resolve.ts';
import { createLogger } from '../core/observe/log.ts';
import { startAdmin } from '../core/admin/server.ts';
import { startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import { waitFor } from './support/wait.ts';

test('a worker that dies is restarted and counted while the other workers keep serving', async (t) => {
  const up = await startUpstream();
  t.after(up.close);
  const settings = resolveProxySettings({ listen: '127.0.0.1:0', upstream: [up.url], workers: '2', logLevel: 'silent' });
  const sup = new Supervisor(settings, createLogger('silent'));
  t.after(() => sup.drain());
  await sup.start();
  const admin = await startAdmin({ host: '127.0.0.1', port: 0 }, sup);
  t.after(() => admin.close());
  const url = `http://127.0.0.1:${sup.listenPort}`;
  const agent = new Agent({ connections: 8, pipelining: 0 });
  t.after(() => agent.close());
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
  await waitFor('the dead worker replaced', () => sup.ready);
  assert.notEqual(sup.threads[1], victim);
  const metrics = await (await request(`http://127.0.0.1:${admin.address.port}/metrics`)).body.text();
  assert.match(metrics, /weft_worker_restarts_total 1/);
});

/** The proxy's worker threads, by the names its supervisor gives them (Linux names every thread in /proc/PID/task/TID/comm). */
function workerThreads(pid: number): string[] {
  const names = readdirSync(`/proc/${pid}/task`).map((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
  return names.filter((n) => n.startsWith('weft-worker-')).sort();
}

test('--workers 1 serves on the main thread: no worker thread, its requests counted as worker 0; --workers 2 has two', async (t) => {
  const up = await startUpstream();
  t.after(up.close);
  const one = await startProxy(['--upstream', up.url, '--workers', '1']);
  t.after(one.stop);
  const two = await startProxy(['--upstream', up.url, '--workers', '2']);
  t.after(two.stop);
  for (const proxy of [one, two]) {
    for (let i = 0; i < 5; i++) assert.equal((await (await fetch(`${proxy.url}/n/${i}`)).json() as { url: string }).url, `/n/${i}`);
  }
  assert.deepEqual(workerThreads(one.proc.pid!), []);
  // The same look finds the threads of a proxy that has them.
  assert.deepEqual(workerThreads(two.proc.pid!), ['weft-worker-0', 'weft-worker-1']);
  const metrics = await (await fetch(`${one.admin}/metrics`)).text();
  assert.match(metrics, /weft_requests_total\{route="default",cluster="upstream",code="200",worker="0"\} 5\n/);
});

test('--workers 1: a fault in the serving code ends the process with one line and exit 1, for its service manager to restart it', async (t) => {
  const up = await startUpstream();
  t.after(up.close);
  const fault = fileURLToPath(new URL('./fixtures/serving-fault.ts', import.meta.url));
  const proxy = await startProxy(['--upstream', up.url, '--workers', '1'], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${fault}` });
  t.after(proxy.stop);
  const closed = once(proxy.proc, 'close');
  const before = await fetch(`${proxy.url}/before`);
  assert.equal(before.status, 200);
  await before.text();
  // The fault is thrown while /fault is being served; the process ends under it. A POST, so that node:http reads it
  // (the fixture hooks its diagnostics channel; bodiless GETs take the lean path, core/http/lean-http1.ts).
  await fetch(`${proxy.url}/fault`, { method: 'POST', body: 'x' }).then((r) => r.text()).catch(() => undefined);
  const [code] = await closed;
  assert.equal(code, 1);
  const plain = proxy.stderr().split('\n').filter((l) => l !== '' && !l.startsWith('{'));
  assert.deepEqual(plain, ['weft proxy: a fault planted in the serving code (WEFT_ERR_INTERNAL)']);
});

test('admin: /ready, /metrics by route, cluster, code and worker, /config as JSON', async (t) => {
  const up = await startUpstream();
  t.after(up.close);
  const proxy = await startProxy(['--upstream', up.url, '--workers', '2']);
  t.after(proxy.stop);
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
});

test('access log: one JSON line per request with method, path, status, duration, upstream, bytes and request id', async (t) => {
  const up = await startUpstream();
  t.after(up.close);
  const proxy = await startProxy(['--upstream', up.url, '--workers', '1', '--access-log', 'stdout']);
  t.after(proxy.stop);
  const r = await request(`${proxy.url}/logged?x=1`, { method: 'POST', body: 'hello', headers: { 'x-request-id': 'rid-7' } });
  const body = await r.body.text();
  const line = await waitFor('the access log line', () =>
    proxy.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === 'rid-7'));
  assert.equal(line.method, 'POST');
  assert.equal(line.path, '/logged?x=1');
  assert.equal(line.status, 200);
  assert.equal(line.upstream, up.url);
  assert.equal(line.bytesIn, 5);
  assert.equal(line.bytesOut, Buffer.byteLength(body));
  assert.equal(typeof line.durationMs, 'number');
  assert.equal(typeof line.time, 'string');
});

for (const workers of ['1', '2']) {
  test(`SIGTERM, --workers ${workers}: in-flight requests finish, new connections are refused, exit code 0`, async (t) => {
    // /slow is answered when the test says, so it stays in flight for as long as the test needs.
    const held: (() => void)[] = [];
    const up = await startUpstream((req, res) => {
      if (req.url === '/slow') held.push(() => res.end('finished'));
      else res.end('new');
    });
    t.after(up.close);
    t.after(() => { for (const answer of held) answer(); });
    const proxy = await startProxy(['--upstream', up.url, '--workers', workers, '--drain-timeout', '60s']);
    t.after(proxy.stop);
    const inflight = request(`${proxy.url}/slow`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
    await waitFor('the request at the upstream', () => held.length === 1);
    const exited = once(proxy.proc, 'exit');
    proxy.proc.kill('SIGTERM');
    // The listeners stop accepting as the drain begins: a new connection is refused from then on, while /slow waits.
    await waitFor('a new connection refused', () => request(`${proxy.url}/new`, { reset: true }).then(async (r) => { await r.body.dump(); return false; }, () => true));
    held[0]();
    const result = await inflight;
    const [code] = await exited;
    assert.deepEqual(result, { status: 200, body: 'finished' });
    assert.equal(code, 0);
  });
}

test('drain timeout: a request still running when it expires is cut and the proxy exits 0', async (t) => {
  const up = await startUpstream(() => { /* never answers */ });
  t.after(up.close);
  const proxy = await startProxy(['--upstream', up.url, '--workers', '1', '--drain-timeout', '300ms']);
  t.after(proxy.stop);
  const hung = request(`${proxy.url}/hang`).then(() => 'answered', () => 'cut');
  await waitFor('the request at the upstream', () => up.seen.length === 1);
  // Cut at the drain timeout, not left to the route's 15 s: stop() would SIGKILL (and not give 0) only after 30 s.
  const started = Date.now();
  const code = await proxy.stop();
  t.diagnostic(`stopped after ${Date.now() - started} ms`);
  assert.equal(code, 0);
  assert.equal(await hung, 'cut');
});
