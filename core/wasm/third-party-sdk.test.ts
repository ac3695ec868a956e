// Filters built from source with real third-party proxy-wasm SDKs (two AssemblyScript ones from npm) run in the host as they do in Envoy.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FilterChain } from '../chain/chain.ts';
import type { FilterSpec } from '../chain/filter.ts';
import { MemoryStreamHost } from '../chain/memory-host.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { compileFilter } from './compile.ts';
import { MetricStore } from './metrics.ts';
import type { HeaderList, HttpCallResponse, TrapEvent } from './stream-host.ts';
import { GCORE, SOLO, buildSdkFilter } from './testdata/build-sdk-filters.ts';

let port = 0;
const server = createServer((req, res) => res.writeHead(200).end(`found ${req.url}`));
before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => {
  port = (server.address() as AddressInfo).port;
  resolve();
})));
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function httpCall(cluster: string, headers: HeaderList): Promise<HttpCallResponse> | null {
  if (cluster !== 'backend') return null;
  const path = headers.find(([k]) => k === ':path')![1];
  return fetch(`http://127.0.0.1:${port}${path}`).then(async (r) => ({
    headers: [[':status', String(r.status)], ...r.headers.entries()] as HeaderList, body: new Uint8Array(await r.arrayBuffer()), trailers: [],
  }));
}

let vms = 0;
/** Filters of one VM (a fresh vm_id, so shared data starts empty), logging at debug. */
function load(module: WebAssembly.Module, specs: Partial<FilterSpec>[]) {
  const logs: string[] = [];
  const traps: TrapEvent[] = [];
  const metrics = new MetricStore();
  const vmId = `sdk-${++vms}`;
  const services = { log: (level: number, filter: string, message: string) => logs.push(`${level}|${filter}|${message}`), logLevel: 1, metrics,
    httpCall, onTrap: (t: TrapEvent) => traps.push(t) };
  const make = () => FilterChain.create(specs.map((s) => ({ name: s.rootId!, vmId, module, ...s })), services);
  /** Messages a filter logged at a level (1 debug, 2 info, 5 critical). */
  const said = (filter: string, level = 2): string[] => logs.filter((l) => l.startsWith(`${level}|${filter}|`)).map((l) => l.split('|')[2]);
  return { make, logs, traps, metrics, said };
}

function request(...more: HeaderList): MemoryStreamHost {
  return new MemoryStreamHost([[':method', 'GET'], [':path', '/a?x=1'], [':authority', 'h'], ...more]);
}

describe(`${SOLO.sdk} ${SOLO.sdkVersion} built with AssemblyScript ${SOLO.compilerVersion}`, () => {
  let module: WebAssembly.Module;
  before(async () => {
    const compiled = await compileFilter(await buildSdkFilter(SOLO));
    assert.equal(compiled.abiVersion, '0.2.0');
    assert.ok(compiled.imports.includes('wasi_unstable.proc_exit'));
    assert.ok(WebAssembly.Module.exports(compiled.module).some((e) => e.name === 'malloc'));
    module = compiled.module;
  });

  test('start-up: each root context is created, looked up by plugin_root_id, started and configured; two root ids share one instance', () => {
    const h = load(module, [{ rootId: 'gate', config: 'allow', vmConfig: 'vm-cfg' }, { rootId: 'audit', config: 'on' }]);
    const chain = h.make();
    const [gate, audit] = chain.filters;
    assert.equal(gate.vm, audit.vm);
    const root = gate.root.id;
    assert.deepEqual(h.said('gate', 1), [`ensureRootContext(root_context_id: ${root})`, 'Current context_map: ',
      `Registering new root context for gate with id: ${root}`, `context id: ${root}: onStart(vm_configuration_size:6)`,
      `context id: ${root}: onConfigure(configuration_size: 5)`, `context id: ${root}: Updating this.configuration=allow`]);
    assert.deepEqual(h.said('gate'), ["configured with 'allow'"]);
    assert.ok(h.said('audit', 1).includes(`Registering new root context for audit with id: ${audit.root.id}`));
  });

  test('a root id the module never registered fails the load in on_context_create, the error telling what the SDK said before it trapped', () => {
    const h = load(module, [{ rootId: 'nope', config: 'x' }]);
    assert.throws(h.make, (e: unknown) => e instanceof WeftError && e.code === ErrorCodes.WASM_START_FAILED
      && /trapped in proxy_on_context_create: .*\(the filter said: Missing root context factory for root id: nope at: /.test(e.message));
    assert.deepEqual(h.said('nope', 5), [], 'its critical line is the trap\'s last words, not a line of its own');
  });

  test('on_configure: false refuses the config; an empty config traps, as in Envoy: 0.1.8 passes the config size as its size pointer, then frees a null buffer', () => {
    assert.throws(load(module, [{ rootId: 'gate', config: 'reject' }]).make, (e: unknown) => e instanceof WeftError && /proxy_on_configure returned false/.test(e.message));
    assert.throws(load(module, [{ rootId: 'audit' }]).make, (e: unknown) => e instanceof WeftError && /trapped in proxy_on_configure/.test(e.message));
  });

  test('requests: headers from config and a property, shared data with CAS, a metric, response headers, on_log; each context ends once', () => {
    const h = load(module, [{ rootId: 'gate', config: 'allow' }, { rootId: 'audit', config: 'on' }]);
    const chain = h.make();
    for (const visit of ['1', '2']) {
      const host = request(['x-internal', 'secret']);
      const s = chain.newStream(host);
      s.requestHeaders(true);
      assert.deepEqual(host.requestHeaders.slice(3), [['x-gate-config', 'allow'], ['x-gate-path', '/a?x=1'], ['x-gate-visits', visit]]);
      host.responseHeaders = [[':status', '200']];
      s.responseHeaders(true);
      s.finish();
      s.finish();
      assert.deepEqual(host.responseHeaders, [[':status', '200'], ['x-audited', 'yes'], ['x-gate', 'passed 200']]);
      assert.deepEqual(host.events, ['headers:0:eos', 'headers:1:eos']);
    }
    assert.equal(h.metrics.snapshot().find((m) => m.name === 'sdk_gate_requests')?.value, 2);
    const first = chain.filters[1].root.id + 1;
    assert.deepEqual(h.said('gate'), ["configured with 'allow'", `request ${first} with 4 headers`, 'no gate_visits yet: status 1',
      'access /a?x=1 200', `request ${first + 2} with 4 headers`, 'access /a?x=1 200']);
    // The SDK's own debug lines; gate overrides onLog (its access line above).
    const ends = (filter: string, offsets: number[], callbacks: string[]): void => assert.deepEqual(
      h.said(filter, 1).filter((l) => /: on(Done|Log|Delete)\(\)$/.test(l)),
      offsets.flatMap((n) => callbacks.map((cb) => `context id: ${first + n}: ${cb}()`)));
    ends('gate', [0, 2], ['onDone', 'onDelete']);
    ends('audit', [1, 3], ['onDone', 'onLog', 'onDelete']);
    assert.deepEqual([h.said('gate', 5), h.said('audit', 5), h.traps], [[], [], []]);
  });

  test('send_local_response answers 403 with its body and headers, through the response callbacks of the sender and the filters before it', () => {
    const h = load(module, [{ rootId: 'audit', config: 'on' }, { rootId: 'gate', config: 'allow' }]);
    const host = request(['x-deny', '1']);
    h.make().newStream(host).requestHeaders(true);
    assert.deepEqual(host.local, { status: 403, details: 'gate_denied' });
    assert.equal(host.bodyText(1), 'forbidden');
    assert.equal(host.header(1, 'x-denied-by'), 'gate');
    assert.deepEqual([host.header(1, 'x-gate'), host.header(1, 'x-audited')], ['passed 403', 'yes']);
    assert.equal(host.events.includes('headers:0:eos'), false);
    assert.deepEqual(h.traps, []);
  });

  test('http_call: StopAllIterationAndWatermark holds the request; the SDK makes the stream effective and continues it', async () => {
    const h = load(module, [{ rootId: 'gate', config: 'allow' }]);
    const host = request(['x-lookup', '1']);
    const s = h.make().newStream(host);
    s.requestHeaders(false);
    s.requestBody(new TextEncoder().encode('b'), true);
    assert.deepEqual(host.events, []);
    // Up to 30 s for the http call to the local server: a bound for a slow machine, not a measure.
    const end = Date.now() + 30_000;
    while (host.events.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(host.events, ['headers:0', 'body:0:1:eos']);
    assert.equal(host.header(0, 'x-lookup-status'), '200');
    assert.equal(host.header(0, 'x-lookup-body-size'), String('found /lookup'.length));
    assert.deepEqual([h.said('gate', 5), h.traps], [[], []]);
  });
});

describe(`${GCORE.sdk} ${GCORE.sdkVersion} built with AssemblyScript ${GCORE.compilerVersion} and the WASI shim`, () => {
  let module: WebAssembly.Module;
  before(async () => {
    const compiled = await compileFilter(await buildSdkFilter(GCORE));
    assert.equal(compiled.abiVersion, '0.2.1');
    // This SDK logs through WASI stdout rather than proxy_log, and initialises in a WASI _start.
    assert.ok(compiled.imports.includes('wasi_snapshot_preview1.fd_write') && !compiled.imports.includes('env.proxy_log'));
    assert.ok(WebAssembly.Module.exports(compiled.module).some((e) => e.name === '_start'));
    module = compiled.module;
  });

  test('one root context, any root id; its WASI stdout lines are info logs; on_configure false refuses the config', () => {
    const h = load(module, [{ rootId: 'anything', config: 'allow' }]);
    h.make();
    assert.deepEqual(h.said('anything'), ["[INFO]: configured with 'allow'"]);
    assert.throws(load(module, [{ rootId: 'stamp', config: 'reject' }]).make, (e: unknown) => e instanceof WeftError && /proxy_on_configure returned false/.test(e.message));
  });

  test('requests: config and property headers, shared data with CAS, a metric, on_log; a local 403', () => {
    const h = load(module, [{ rootId: 'stamp', config: 'allow' }]);
    const chain = h.make();
    for (const visit of ['1', '2']) {
      const host = request();
      const s = chain.newStream(host);
      s.requestHeaders(true);
      s.finish();
      assert.deepEqual(host.requestHeaders.slice(3), [['x-stamp-config', 'allow'], ['x-stamp-path', '/a?x=1'], ['x-stamp-visits', visit]]);
    }
    const denied = request(['x-deny', '1']);
    chain.newStream(denied).requestHeaders(true);
    assert.deepEqual([denied.local, denied.bodyText(1), denied.header(1, 'x-denied-by')], [{ status: 403, details: 'stamp_denied' }, 'no', 'stamp']);
    assert.equal(h.metrics.snapshot().find((m) => m.name === 'sdk_stamp_requests')?.value, 3);
    assert.deepEqual(h.said('stamp'), ["[INFO]: configured with 'allow'", '[INFO]: access /a?x=1', '[INFO]: access /a?x=1']);
    assert.deepEqual([h.logs.filter((l) => !l.startsWith('2|')), h.traps], [[], []]);
  });
});
