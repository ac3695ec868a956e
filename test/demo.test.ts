// `weft demo` (what `npm run demo` runs): a real mesh with traffic through three sidecars, a live table, and a clean stop on its own or on Ctrl-C.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validatePolicy } from '../core/authz/policy.ts';
import { writeDenyExample } from '../cli/demo/mesh.ts';
import { parseSample, quantile, renderTable, rowOf } from '../cli/demo/stats.ts';
import { stopChild, WEFT_BIN } from '../core/proxy/spawn.ts';
import { runWeft } from './support/proxy.ts';
import { WAIT_MS } from './support/wait.ts';

const SERVICES = ['frontend', 'orders', 'payments'];

/** Processes whose command line mentions `text` (the demo's temp dir is in every child's --data-dir). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) pids.push(Number(pid));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return pids;
}

interface DemoRun { code: number | null; stdout: string; dir: string }

/**
 * Runs `weft demo ARGS`. With `onTable`, called at each table printed (with the output so far), the run
 * ends when the demo does: on its own (--duration) or on the SIGINT that `onTable` sends. Should the test end
 * first (a failure, its timeout), a SIGTERM stops the demo, which stops its children in their process group.
 */
async function runDemo(t: TestContext, args: string[], onTable?: (stdout: string, proc: ChildProcess) => void): Promise<DemoRun> {
  const proc = spawn(process.execPath, [WEFT_BIN, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => stopChild(proc, 60_000));
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => {
    const before = (stdout.match(/^traffic: /gm) ?? []).length;
    stdout += d;
    if ((stdout.match(/^traffic: /gm) ?? []).length > before) onTable?.(stdout, proc);
  });
  proc.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(proc, 'close') as [number | null];
  const dir = /SQLite store in (\S+)\/plane/.exec(stdout)?.[1] ?? '';
  assert.ok(dir, `the demo said where its state lives:\n${stdout}\n${stderr}`);
  assert.equal(code, 0, `exit code ${code}:\n${stdout}\n${stderr}`);
  return { code, stdout, dir };
}

/** The rows of the last table printed, by service. */
function lastTable(stdout: string): Map<string, string[]> {
  const block = stdout.slice(stdout.lastIndexOf('SERVICE ')).split('\n').slice(1, 1 + SERVICES.length);
  return new Map(block.map((line) => {
    const cells = line.trim().split(/\s{2,}/);
    return [cells[0], cells];
  }));
}

test('the live table: inbound counts, success, p99 from the histogram', () => {
  const metrics = (n: number, slow: number) => [
    '# TYPE weft_requests_total counter',
    `weft_requests_total{route="inbound",cluster="app",code="200",worker="0"} ${n}`,
    `weft_requests_total{route="inbound",cluster="app",code="503",worker="0"} ${slow}`,
    `weft_requests_total{route="outbound:orders",cluster="orders",code="200",worker="0"} 999`,
    `weft_request_duration_seconds_bucket{le="0.005",route="inbound",cluster="app"} ${n}`,
    `weft_request_duration_seconds_bucket{le="0.01",route="inbound",cluster="app"} ${n + slow}`,
    `weft_request_duration_seconds_bucket{le="+Inf",route="inbound",cluster="app"} ${n + slow}`,
  ].join('\n');
  const older = parseSample(metrics(100, 0), 0);
  const newer = parseSample(metrics(295, 5), 2000);
  assert.deepEqual([newer.total, newer.good], [300, 295], 'only the inbound route, 5xx not good');
  const row = rowOf('orders', 'spiffe://weft.local/ns/default/sa/orders', older, newer);
  assert.equal(row.rps, 100);
  assert.equal(row.success, 0.975);
  assert.equal(row.p99Ms, 8, 'rank 198 of 200: 3 of the 5 requests into the 5-10 ms bucket');
  assert.equal(quantile(0.5, [[0.001, 0], [0.002, 10], [Infinity, 10]]), 0.0015, 'interpolated inside the bucket');
  assert.equal(quantile(0.99, []), undefined);
  const lines = renderTable([row, { service: 'payments', rps: 0, success: undefined, p99Ms: undefined, protocol: '-', identity: '' }]);
  assert.match(lines[1], /^orders\s+100\.0\s+97\.5%\s+8\.0 ms\s+HTTP\s+spiffe:\/\/weft\.local\/ns\/default\/sa\/orders$/);
  assert.match(lines[2], /^payments\s+0\.0\s+-\s+-\s+-\s+\(none yet\)$/);
});

test('the live table: a gRPC service is marked so, and its failed calls (HTTP 200) are not successes', () => {
  const metrics = [
    'weft_requests_total{route="inbound",cluster="inbound",code="200",worker="0"} 100',
    'weft_grpc_requests_total{route="inbound",cluster="inbound",grpc_status="0",worker="0"} 96',
    'weft_grpc_requests_total{route="inbound",cluster="inbound",grpc_status="13",worker="0"} 4',
  ].join('\n');
  const sample = parseSample(metrics, 1000);
  assert.deepEqual([sample.total, sample.good, sample.grpc, sample.grpcFailed], [100, 96, 100, 4]);
  const row = rowOf('payments', '', undefined, sample);
  assert.equal(row.protocol, 'gRPC');
  assert.equal(row.success, 0.96);
});

test('the deny example the demo prints is a valid AuthorizationPolicy', () => {
  const file = writeDenyExample(mkdtempSync(join(tmpdir(), 'weft-demo-test-')));
  const policy = validatePolicy(parseYaml(readFileSync(file, 'utf8')), file, { trustDomain: 'weft.local' });
  assert.equal(policy.service, 'payments');
  assert.deepEqual(policy.rules.map((r) => [r.action, r.to?.paths]), [['deny', ['/weft.demo.Payments/Pay']]]);
});

test('weft demo --duration: traffic flows through all three sidecars over mTLS, then everything stops', async (t) => {
  let checkout: Promise<unknown> | undefined;
  let dashboard: Promise<{ login: number; cookie: string; page: number }> | undefined;
  const { stdout, dir } = await runDemo(t, ['--duration', '8s', '--rate', '20'], (out) => {
    // The printed link logs a browser in once: a session cookie, then the dashboard's page with it.
    dashboard ??= (async () => {
      const link = /Dashboard: \S+ {2}\(this link logs one browser in, once, within 10 minutes: (\S+\/ui\/login\/\S+);/.exec(out)![1];
      const login = await fetch(link, { redirect: 'manual' });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
      const page = await fetch(new URL('/ui/', link), { headers: { cookie } });
      return { login: login.status, cookie, page: page.status };
    })();
    // A few tries: payments answers 503 now and then on purpose.
    checkout ??= (async () => {
      for (let tries = 1; ; tries++) {
        const r = await fetch(/curl -i (\S+\/checkout)/.exec(out)![1], { signal: AbortSignal.timeout(WAIT_MS) });
        if (r.ok || tries === 5) return r.json();
      }
    })();
  });
  assert.deepEqual(await checkout, {
    service: 'frontend', caller: 'outside the mesh (plain HTTP)', path: '/checkout',
    orders: { status: 200, body: {
      service: 'orders', caller: 'spiffe://weft.local/ns/default/sa/frontend', path: '/orders',
      payments: { status: 'OK', body: { service: 'payments', caller: 'spiffe://weft.local/ns/default/sa/orders', path: '/weft.demo.Payments/Pay' } },
    } },
  }, 'each hop names its caller as the sidecar verified it over mTLS');
  const session = await dashboard;
  assert.equal(session?.login, 303);
  assert.match(session?.cookie ?? '', /^weft_session=\d+\.[\w-]+$/);
  assert.equal(session?.page, 200, 'the dashboard, not the login page');
  const rows = lastTable(stdout);
  for (const service of SERVICES) {
    const cells = rows.get(service);
    assert.ok(cells, `a row for ${service}:\n${stdout}`);
    const [, rps, success, p99, protocol, identity] = cells;
    assert.ok(Number(rps) >= 10, `${service} serves traffic: ${cells.join(' | ')}`);
    assert.ok(parseFloat(success) >= 90, `${service} mostly succeeds: ${cells.join(' | ')}`);
    assert.match(p99, /^\d+\.\d ms$/);
    assert.equal(protocol, service === 'payments' ? 'gRPC' : 'HTTP', 'orders calls payments over gRPC');
    assert.equal(identity, `spiffe://weft.local/ns/default/sa/${service}`);
  }
  assert.match(stdout, /export WEFT_PLANE=http:\/\/127\.0\.0\.1:\d+ WEFT_TOKEN=[0-9a-f]{64}/);
  assert.match(stdout, /npx weft filter push telemetry \S+telemetry\.wasm --version 1\.0\.1/);
  assert.match(stdout, /npx weft rollout start ratelimit@1\.1\.0/);
  assert.match(stdout, /npx weft apply -f \S+deny-pay\.yaml/);
  assert.match(stdout, /stopped \(exit codes: frontend 0, orders 0, payments 0, plane 0\)/);
  assert.deepEqual(processesMentioning(dir), [], 'no process of the demo is left');
});

test('weft demo stops cleanly on Ctrl-C (SIGINT), and the deny policy it suggests works while it runs', async (t) => {
  let phase: 'warm' | 'applying' | 'denied' | 'interrupted' = 'warm';
  let applied: Promise<{ code: number | null; stderr: string }> | undefined;
  let tablesAfterApply = 0;
  let deniedRow = '';
  const { stdout, dir } = await runDemo(t, ['--rate', '20'], (out, proc) => {
    if (phase === 'warm') {
      phase = 'applying';
      const [, plane, token] = /export WEFT_PLANE=(\S+) WEFT_TOKEN=(\S+)/.exec(out)!;
      const deny = /npx weft apply -f (\S+)/.exec(out)![1];
      applied = runWeft(['apply', '-f', deny], { WEFT_PLANE: plane, WEFT_TOKEN: token });
      return;
    }
    const payments = lastTable(out).get('payments');
    if (phase === 'applying' && payments && parseFloat(payments[2]) < 50) {
      phase = 'denied';
      deniedRow = payments.join(' | ');
    }
    // Enough tables to see the deny land (the table covers 5 s), then Ctrl-C either way.
    if (phase === 'denied' || ++tablesAfterApply >= 15) {
      phase = 'interrupted';
      proc.kill('SIGINT');
    }
  });
  const r = await applied!;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(deniedRow, `payments' success fell under the policy:\n${stdout.slice(-1500)}`);
  assert.match(stdout, /stopped \(exit codes: frontend 0, orders 0, payments 0, plane 0\)/);
  assert.deepEqual(processesMentioning(dir), [], 'no process of the demo is left');
});
