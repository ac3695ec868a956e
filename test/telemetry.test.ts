// Telemetry that reaches the plane: three real sidecars report what they served over their control connection; GET /v1/stats, the plane's /metrics and `weft top` show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort, startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import type { RunningPlane } from '../plane/test/support.ts';
import { joinToken } from './support/identity.ts';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';

interface Golden { requests: number; rps: number; successRate: number | null; p50: number | null; p95: number | null; p99: number | null }
interface Stats {
  at: number;
  windowSeconds: number;
  services: (Golden & {
    service: string;
    instances: string[];
    errors: Record<string, number>;
    statuses: Record<string, number>;
    routes: (Golden & { listener: string; direction: string; route: string; filters: string[]; errors: Record<string, number> })[];
    upstreams: (Golden & { cluster: string; service: string; mtls: boolean })[];
    series: { at: number; rps: number }[];
    authz: { decision: string; rule: string; count: number }[];
  })[];
  edges: { from: string; to: string; protocol: string; mtls: boolean; requests: number; rps: number; successRate: number | null; p99: number | null }[];
}

async function get(port: number, path: string, host: string): Promise<number> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { headers: { host }, headersTimeout: 5000, bodyTimeout: 5000 });
  await res.body.dump();
  return res.statusCode;
}

/** An app that calls `next` (through its sidecar) and answers with what it said; the last one fails /fail with a 500. */
function app(next?: { port: () => number; host: string }): Promise<Upstream> {
  return startUpstream((req, res) => {
    if (!next) {
      res.statusCode = req.url === '/fail' ? 500 : 200;
      return void res.end('done');
    }
    get(next.port(), req.url!, next.host).then(
      (status) => { res.statusCode = status; res.end('passed on'); },
      (err: Error) => { res.statusCode = 502; res.end(err.message); },
    );
  });
}

async function sidecar(plane: RunningPlane, service: string, appUrl: string, extra: string[]): Promise<RunningProxy> {
  return startProxy(['--plane', plane.url, '--token', plane.token, '--node', `${service}-1`, '--data-dir', tempDir(`telemetry-${service}`),
    '--join-token', await joinToken(plane, service), '--service', service, '--inbound', '127.0.0.1:0', '--app', appUrl.replace('http://', ''),
    '--workers', '2', ...extra]);
}

test('sidecars report their traffic to the plane: /v1/stats, the plane\'s /metrics and weft top', async (t) => {
  const plane = await startPlane({ args: ['--report-interval', '300ms'] });
  t.after(() => plane.stop());
  const ordersBind = await freePort();
  let paymentsOut = 0;
  const payments = await app();
  const orders = await app({ port: () => paymentsOut, host: 'payments' });
  const frontend = await app({ port: () => ordersBind, host: 'orders' });
  t.after(() => Promise.all([payments.close(), orders.close(), frontend.close()]));
  const paymentsCar = await sidecar(plane, 'payments', payments.url, []);
  const ordersCar = await sidecar(plane, 'orders', orders.url, ['--outbound', '127.0.0.1:0']);
  const frontendCar = await sidecar(plane, 'frontend', frontend.url, ['--bind', `orders=127.0.0.1:${ordersBind}`, '--permissive']);
  t.after(() => Promise.all([paymentsCar.stop(), ordersCar.stop(), frontendCar.stop()]));
  paymentsOut = Number(String(ordersCar.ready.outbound).split(':').pop());

  // Until every sidecar knows the others (registration, then a snapshot), calls fail: those are counted too, so wait first, then count afresh.
  await waitFor('a call through all three services', async () => (await get(frontendCar.port, '/ok', 'frontend').catch(() => 0)) === 200 || undefined, 30_000);
  const stats = (query = '') => plane.json<Stats>(`/v1/stats?window=10m${query}`);
  const settled = await waitFor('the warm-up call reported by all three', async () => {
    const s = await stats();
    return s.services.length === 3 && s.services.every((x) => x.requests >= 1) ? s : undefined;
  }, 30_000);
  const before = new Map(settled.services.map((s) => [s.service, s.requests]));
  for (let i = 0; i < 30; i++) assert.equal(await get(frontendCar.port, '/ok', 'frontend'), 200);
  for (let i = 0; i < 10; i++) assert.equal(await get(frontendCar.port, '/fail', 'frontend'), 500);
  // Late reports of failed warm-up calls may still come in: at least 40 more, and exactly the 10 answers of 500.
  let last: Stats | undefined;
  const s = await waitFor('40 more requests reported by every service', async () => {
    last = await stats();
    return last.services.every((x) => x.requests - before.get(x.service)! >= 40 && x.statuses['500'] === 10) ? last : undefined;
  }, 30_000).catch((err: Error) => { throw new Error(`${err.message}: ${JSON.stringify(last?.services.map((x) => [x.service, x.requests - before.get(x.service)!, x.statuses]))}`); });

  await t.test('each service\'s golden metrics count what its sidecar answered on its inbound side', () => {
    assert.deepEqual(s.services.map((x) => x.service), ['frontend', 'orders', 'payments']);
    for (const svc of s.services) {
      assert.deepEqual(svc.instances, [`${svc.service}-1`]);
      assert.equal(svc.statuses['500'], 10, `${svc.service}: ${JSON.stringify(svc.statuses)}`);
      assert.ok(svc.successRate! < 1 && svc.successRate! > 0.5, `${svc.service}: ${svc.successRate}`);
      assert.ok(svc.p50! > 0 && svc.p50! <= svc.p95! && svc.p95! <= svc.p99!, JSON.stringify(svc));
      assert.ok(svc.rps > 0);
      const inbound = svc.routes.find((r) => r.listener === 'inbound')!;
      assert.equal(inbound.direction, 'inbound');
      assert.ok(inbound.requests >= 40);
      assert.ok(svc.series.some((p) => p.rps > 0), 'the series has the traffic');
    }
    const ordersUp = s.services.find((x) => x.service === 'orders')!.upstreams.find((u) => u.service === 'payments')!;
    assert.equal(ordersUp.mtls, true);
    assert.ok(ordersUp.requests >= 40);
  });

  await t.test('edges caller → callee: frontend → orders → payments over mTLS, the plain-text edge caller as unknown', () => {
    const edge = (from: string, to: string) => s.edges.find((e) => e.from === from && e.to === to);
    for (const [from, to, mtls] of [['frontend', 'orders', true], ['orders', 'payments', true], ['unknown', 'frontend', false]] as const) {
      const e = edge(from, to);
      assert.ok(e, `${from} → ${to} in ${JSON.stringify(s.edges)}`);
      assert.equal(e.mtls, mtls, `${from} → ${to}`);
      assert.equal(e.protocol, 'http');
      assert.ok(e.requests >= 40 && e.successRate! < 1 && e.p99! > 0, JSON.stringify(e));
    }
    assert.equal(s.edges.length, 3, JSON.stringify(s.edges));
  });

  await t.test('?service= keeps that service and the edges that touch it', async () => {
    const one = await stats('&service=orders');
    assert.deepEqual(one.services.map((x) => x.service), ['orders']);
    assert.deepEqual(one.edges.map((e) => `${e.from}>${e.to}`).sort(), ['frontend>orders', 'orders>payments']);
    const bad = await fetch(`${plane.url}/v1/stats?window=banana`, { headers: { authorization: `Bearer ${plane.token}` } });
    assert.equal(bad.status, 400);
    assert.match((await bad.json() as { message: string }).message, /window: a duration of at least 10s/);
  });

  await t.test('the plane\'s /metrics has the mesh\'s series and what its window holds', async () => {
    const text = await (await fetch(`${plane.url}/metrics`)).text();
    const m = /weft_mesh_requests_total\{service="payments",direction="inbound",route="inbound",cluster="inbound",code="500"\} (\d+)/.exec(text);
    assert.ok(m, text.slice(0, 3000));
    assert.equal(Number(m[1]), 10);
    assert.match(text, /weft_mesh_request_duration_seconds_bucket\{le="\+Inf",service="orders",direction="inbound"/);
    assert.match(text, /weft_plane_stats_bytes [1-9]\d*/);
    assert.match(text, /weft_plane_stats_reports [1-9]\d*/);
  });

  await t.test('weft top --once prints a row per route with rps, success, p50/p99', async () => {
    const out = await plane.weft(['top', 'orders', '--once', '--window', '10m']);
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.trim().split('\n');
    assert.match(lines[0], /^weft top orders: the last 600s at \d\d:\d\d:\d\d UTC$/);
    assert.match(lines[1], /^SERVICE\s+LISTENER\s+ROUTE\s+RPS\s+SUCCESS\s+P50\s+P99\s+TOP ERRORS$/);
    assert.match(out.stdout, /\norders\s+inbound\s+inbound\s+[\d.]+\s+\d+\.\d\d%\s+[\d.]+(µs|ms|s)\s+[\d.]+(µs|ms|s)/);
    assert.match(out.stdout, /\norders\s+outbound\s+outbound:payments\s+[\d.]+\s+\d+\.\d\d%/);
    const twice = await plane.weft(['top', '--iterations', '2', '--interval', '100ms']);
    assert.equal(twice.code, 0, twice.stderr);
    assert.equal(twice.stdout.match(/^weft top \(every service\)/gm)?.length, 2);
    assert.match(twice.stdout, /\nfrontend\s+bind:orders\s+outbound:orders\s/);
    const usage = await plane.weft(['top', '--once', '--iterations', '2']);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.trim(), 'weft top: give --once or --iterations, not both (WEFT_ERR_USAGE)');
  });

  await t.test('a summary that is not one is refused with what was expected; one from a node the plane does not know, with 404', async () => {
    const post = (node: string, body: unknown) => fetch(`${plane.url}/v1/nodes/${node}/summary`, {
      method: 'POST', headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const bad = await post('orders-1', { traffic: [{ requests: -1 }], authz: [], clusters: [] });
    assert.equal(bad.status, 400);
    assert.match((await bad.json() as { message: string }).message, /^summary needs \{service\?, traffic/);
    const stranger = await post('nobody', { traffic: [], authz: [], clusters: [] });
    assert.equal(stranger.status, 404);
  });

  await t.test('authorization decisions reach the plane by rule, and the 403s by their code; weft top names it', async () => {
    const policy = join(tempDir('telemetry-policy'), 'payments.yaml');
    writeFileSync(policy, 'kind: AuthorizationPolicy\nservice: payments\ndefault: allow\nrules:\n  - name: no-admin\n    action: deny\n    to: { paths: [/admin] }\n');
    const applied = await plane.weft(['apply', '-f', policy]);
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor('the policy on the payments sidecar', async () => (await get(frontendCar.port, '/admin', 'frontend')) === 403 || undefined, 30_000);
    for (let i = 0; i < 4; i++) assert.equal(await get(frontendCar.port, '/admin', 'frontend'), 403);
    for (let i = 0; i < 3; i++) assert.equal(await get(frontendCar.port, '/ok', 'frontend'), 200);
    const paymentsStats = await waitFor('the denials reported', async () => {
      const p = (await stats('&service=payments')).services[0];
      const deny = p.authz.find((a) => a.decision === 'deny' && a.rule === 'no-admin');
      const allowed = p.authz.some((a) => a.decision === 'allow' && a.count >= 3);
      return deny && deny.count >= 5 && allowed && p.errors.WEFT_ERR_AUTHZ_DENIED === deny.count ? p : undefined;
    }, 30_000);
    assert.deepEqual(paymentsStats.authz.map((a) => a.decision).sort(), ['allow', 'deny'], JSON.stringify(paymentsStats.authz));
    const top = await plane.weft(['top', 'payments', '--once', '--window', '10m']);
    assert.match(top.stdout, /\npayments\s+inbound\s+inbound\s.*AUTHZ_DENIED×\d+/);
  });
});
