// End to end through `weft proxy`: filter chains of SDK-built modules, the sandbox (fuel, fail policies), shared data across workers, http calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { request, Agent } from 'undici';
import { startProxy, runWeft } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { buildFixture, watFile } from './support/filters.ts';
import { waitFor } from './support/wait.ts';

let app: Upstream;
let auth: Upstream;
const wasm: Record<string, string> = {};

before(async () => {
  app = await startUpstream((req, res) => {
    req.resume();
    if (req.url === '/secret') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('the secret ');
      res.end('is hunter2');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, tenant: req.headers['x-tenant'] ?? null, user: req.headers['x-auth-user'] ?? null }));
  });
  auth = await startUpstream((req, res) => {
    const token = req.headers.authorization;
    if (token === 'Bearer ok') res.writeHead(200, { 'x-user': 'ada' }).end();
    else res.writeHead(403).end();
  });
  for (const dir of ['sdk/examples/add-header', 'sdk/examples/deny-by-header', 'sdk/examples/body-redact', 'sdk/examples/http-auth', 'test/fixtures/sandbox-probe']) {
    wasm[dir.split('/').pop()!] = await buildFixture(dir);
  }
});

after(async () => {
  await Promise.all([app?.close(), auth?.close()]);
});

async function get(proxy: RunningProxy, path: string, headers: Record<string, string> = {}, dispatcher?: Agent) {
  const r = await request(`${proxy.url}${path}`, { headers, dispatcher });
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() };
}

test('a chain of SDK examples: headers added both ways, a local 403, a redacted body, an http call to a real auth service', async (t) => {
  const config = writeConfig(`
listen: 127.0.0.1:0
workers: 2
filters:
  - name: http-auth
    module: ${wasm['http-auth']}
    config: { cluster: auth, path: /check, timeoutMs: 500 }
  - name: add-header
    module: ${wasm['add-header']}
    config: { name: x-tenant, value: blue }
  - name: deny-by-header
    module: ${wasm['deny-by-header']}
    config: { header: x-block }
  - name: body-redact
    module: ${wasm['body-redact']}
    config: { words: [secret, hunter2], replacement: "[redacted]" }
clusters:
  - { name: app, endpoints: ["${app.url}"] }
  - { name: auth, endpoints: ["${auth.url}"] }
routes:
  - match: { prefix: /open }
    cluster: app
    filters: { http-auth: { disabled: true }, deny-by-header: { config: { header: x-other } } }
  - { cluster: app }
`);
  const proxy = await startProxy(['--config', config]);
  t.after(proxy.stop);
  const ok = await get(proxy, '/orders', { authorization: 'Bearer ok' });
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { url: '/orders', tenant: 'blue', user: 'ada' });
  assert.equal(ok.headers['x-filtered-by'], 'add-header');

  assert.equal((await get(proxy, '/orders', { authorization: 'Bearer no' })).status, 403, 'the auth service said no');
  assert.equal((await get(proxy, '/orders')).status, 401);

  const before = app.seen.length;
  const denied = await get(proxy, '/orders', { authorization: 'Bearer ok', 'x-block': '1' });
  assert.equal(denied.status, 403);
  assert.equal(app.seen.length, before, 'a local reply never reaches the upstream');
  assert.equal(denied.headers['x-filtered-by'], 'add-header', "the local reply passed the earlier filters' response callbacks");

  const redacted = await get(proxy, '/secret', { authorization: 'Bearer ok' });
  assert.equal(redacted.body, 'the [redacted] is [redacted]');

  // Per-route overrides: no auth on /open, and deny-by-header watches another header there.
  const open = await get(proxy, '/open/x', { 'x-block': '1' });
  assert.equal(open.status, 200);
  assert.equal((await get(proxy, '/open/x', { 'x-other': '1' })).status, 403);

  const metrics = await (await request(`${proxy.admin}/metrics`)).body.text();
  assert.match(metrics, /add_header_requests_total [1-9]/);
  assert.match(metrics, /body_redact_redactions_total 2/);
});

test('a filter that loops forever fails only its own request, while the same worker keeps serving', async (t) => {
  const proxy = await startProxy(['--upstream', app.url, '--workers', '1', '--filter', `${wasm['sandbox-probe']},fail=closed`, '--filter-fuel', '2000000']);
  t.after(proxy.stop);
  const agent = new Agent({ connections: 4 });
  t.after(() => agent.close());
  const started = Date.now();
  const [looped, ...others] = await Promise.all([
    get(proxy, '/spin', { 'x-misbehave': 'loop' }, agent),
    ...Array.from({ length: 10 }, (_, i) => get(proxy, `/fine/${i}`, {}, agent)),
  ]);
  assert.equal(looped.status, 503);
  // Its fuel ran out (a trap, not a timeout: the route's 15 s are far off), so the loop was cut, not waited out.
  assert.equal(looped.headers['x-weft-error'], 'WEFT_ERR_WASM_TRAP');
  t.diagnostic(`the looping request was answered after ${Date.now() - started} ms`);
  assert.ok(others.every((r) => r.status === 200), 'parallel requests on the one worker succeed');
  assert.equal((await get(proxy, '/after', {}, agent)).status, 200, 'the instance keeps serving after the trap');
  const metrics = await (await request(`${proxy.admin}/metrics`)).body.text();
  assert.match(metrics, /weft_filter_traps_total\{filter="sandbox-probe",version="[0-9a-f]{12}",cause="fuel"\} 1\b/);
  assert.match(proxy.stderr(), /"filter":"sandbox-probe".*"callback":"proxy_on_request_headers".*"msg":"filter trapped"/);
});

test('a trapping filter under fail=open is skipped and the request goes on', async (t) => {
  const proxy = await startProxy(['--upstream', app.url, '--workers', '1', '--filter', `${wasm['sandbox-probe']},fail=open`]);
  t.after(proxy.stop);
  const r = await get(proxy, '/x', { 'x-misbehave': 'trap' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-probe-worker'], undefined, 'the skipped filter added nothing');
  assert.equal(JSON.parse(r.body).url, '/x');
});

/** Process ids of `pid`'s children, from every one of its threads (a thread's fork is listed under that thread). */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
}

test('filters compile in a child process that exits after the load, and the filter keeps serving without it', async (t) => {
  const proxy = await startProxy(['--upstream', app.url, '--workers', '1', '--filter', `${wasm['add-header']},config={"name":"x-tenant","value":"apart"}`]);
  t.after(proxy.stop);
  // The compile process outlives its last task by seconds (swaps in a row share it), then nothing is left of it.
  await waitFor('the compile process to exit', () => childrenOf(proxy.proc.pid!).length === 0);
  const r = await get(proxy, '/x');
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-filtered-by'], 'add-header');
  assert.equal(JSON.parse(r.body).tenant, 'apart');
});

test('shared data written in one worker is read in another', async (t) => {
  const proxy = await startProxy(['--upstream', app.url, '--workers', '2', '--filter', wasm['sandbox-probe']]);
  t.after(proxy.stop);
  const first = await get(proxy, '/set', { 'x-shared-set': 'from-one-worker', connection: 'close' });
  const writer = first.headers['x-probe-worker'];
  let reader: string | undefined;
  let seen = '';
  // New connections land on workers as the kernel spreads them; keep asking until the other one answers.
  for (let i = 0; i < 200 && reader === undefined; i++) {
    const r = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${proxy.url}/get/${i}`, { agent: false, headers: { connection: 'close' } }, resolve).on('error', reject);
    });
    r.resume();
    if (r.headers['x-probe-worker'] !== writer) {
      reader = r.headers['x-probe-worker'] as string;
      seen = r.headers['x-probe-shared'] as string;
    }
  }
  assert.ok(reader !== undefined, 'a request reached the other worker');
  assert.notEqual(reader, writer);
  assert.equal(seen, 'from-one-worker');
});

test('a filter whose on_configure fails stops the proxy from starting, naming the filter', async () => {
  const r = await runWeft(['proxy', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--upstream', app.url, '--workers', '1',
    '--filter', `${wasm['deny-by-header']},config={"status":403}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /filter deny-by-header .*on_configure returned false.*WEFT_ERR_WASM_START_FAILED/);
});

test('a module with an import the host lacks is refused, naming the import', async () => {
  const bad = await watFile('bogus-import', `(module
    (import "env" "proxy_teleport" (func (param i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "proxy_abi_version_0_2_1")))`);
  const r = await runWeft(['proxy', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--upstream', app.url, '--filter', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /env\.proxy_teleport.*WEFT_ERR_WASM_UNKNOWN_IMPORT/);
});

test('a missing built-in or module file exits 2 before anything starts', async () => {
  const r = await runWeft(['proxy', '--listen', '127.0.0.1:0', '--upstream', app.url, '--filter', '/nonexistent/f.wasm']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /filter f: module \/nonexistent\/f\.wasm not found/);
});

test('a filter that holds the request past the route timeout gets it answered 504, not left hanging', async (t) => {
  const silent = await startUpstream(() => { /* never answers the callout */ });
  t.after(silent.close);
  const config = writeConfig(`
listen: 127.0.0.1:0
workers: 1
filters:
  - name: http-auth
    module: ${wasm['http-auth']}
    config: { cluster: auth, path: /check, timeoutMs: 10000 }
clusters:
  - { name: app, endpoints: ["${app.url}"] }
  - { name: auth, endpoints: ["${silent.url}"] }
routes:
  - { cluster: app, timeout: 300ms }
`);
  const proxy = await startProxy(['--config', config]);
  t.after(proxy.stop);
  // The callout never answers and its own timeout (10 s) is far off: only the route's 300 ms can end the request.
  const r = await get(proxy, '/held', { authorization: 'Bearer ok' });
  assert.equal(r.status, 504);
  assert.equal(r.headers['x-weft-error'], 'WEFT_ERR_FILTER_TIMEOUT');
});
