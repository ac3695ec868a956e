// The conformance suite: one set of behaviours run against every SDK-like build of the raw-ABI conformance filter.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FilterChain } from '../chain/chain.ts';
import type { FilterSpec } from '../chain/filter.ts';
import { MemoryStreamHost } from '../chain/memory-host.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { compileFilter } from './compile.ts';
import { writeFields } from './foreign.ts';
import { MetricStore } from './metrics.ts';
import { encodePairs } from './pairs.ts';
import { WasmVm } from './vm.ts';
import type { HeaderList, HostServices, HttpCallResponse, TrapEvent } from './stream-host.ts';
import { VARIANTS, buildVariant, buildWatText } from './testdata/build-modules.ts';

const enc = new TextEncoder();
let port = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const delay = req.url === '/slow' ? 50 : 0;
    setTimeout(() => res.writeHead(200, { 'x-from': 'backend' }).end(`pong:${Buffer.concat(chunks).toString()}`), delay);
  });
});

/** Sends an http_call to the test server for cluster "backend"; other clusters are unknown. */
function httpCall(cluster: string, headers: HeaderList, body: Uint8Array): Promise<HttpCallResponse> | null {
  if (cluster !== 'backend') return null;
  const path = headers.find(([k]) => k === ':path')![1];
  return fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: Buffer.from(body) }).then(async (r) => ({
    headers: [[':status', String(r.status)], ...[...r.headers.entries()]] as HeaderList,
    body: new Uint8Array(await r.arrayBuffer()),
    trailers: [],
  }));
}

before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => {
  port = (server.address() as AddressInfo).port;
  resolve();
})));
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A chain of one or more instances of a module, recording every filter log line. */
function harness(module: WebAssembly.Module, specs: Partial<FilterSpec>[], extra: HostServices = {}) {
  const logs: string[] = [];
  const traps: TrapEvent[] = [];
  const metrics = new MetricStore();
  const services: HostServices = {
    log: (_level, filter, message) => logs.push(`${filter}|${message}`), logLevel: 1, httpCall, metrics,
    onTrap: (t) => traps.push(t), ...extra,
  };
  const chain = FilterChain.create(specs.map((s, i) => ({ name: `f${i}`, module, ...s })), services);
  /** Values logged as "key=value" by a filter, in order. */
  const notes = (key: string, filter = specs[0]?.name ?? 'f0'): string[] =>
    logs.filter((l) => l.startsWith(`${filter}|${key}=`)).map((l) => l.slice(l.indexOf('=') + 1));
  return { chain, logs, traps, metrics, notes };
}

function request(kase: string, more: HeaderList = [], props = {}): MemoryStreamHost {
  return new MemoryStreamHost([[':method', 'GET'], [':path', '/a?x=1'], [':authority', 'h'], [':scheme', 'http'], ['x-case', kase], ...more], props);
}

/** Polls `check` (http calls to the local server, timers) for up to `ms`: a bound for a slow machine, not a measure. */
async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const variant of VARIANTS) {
  describe(`conformance: ${variant.name} (ABI ${variant.abi}, ${variant.allocator}, start ${variant.start}, ${variant.compiler})`, () => {
    let module: WebAssembly.Module;
    /** Pages of memory the module starts with (emscripten's default is 16 MiB, AssemblyScript's a page or two). */
    let initialPages = 0;
    before(async () => {
      const compiled = await compileFilter(await buildVariant(variant));
      // With memory growth on, emscripten's allocator tells the embedder of each growth, as Envoy's host lets it (a no-op).
      if (variant.compiler === 'em++') assert.ok(compiled.imports.includes('env.emscripten_notify_memory_growth'));
      module = compiled.module;
      const vm = new WasmVm(module);
      vm.start();
      initialPages = vm.mem.memory!.buffer.byteLength / 65536;
    });
    const eosNote = (eos: number): string => (variant.abi === '0.1.0' ? '-' : String(eos));

    test('start-up runs context_create(root, 0), then on_vm_start with the VM config, then on_configure with the plugin config', () => {
      const h = harness(module, [{ name: 'startup', rootId: 'my-root', vmConfig: 'vmcfg', config: 'plugcfg' }]);
      const order = h.logs.filter((l) => /\|(create_root|vm_start|configure)=/.test(l));
      const rootId = h.chain.filters[0].root.id;
      assert.deepEqual(order, [`startup|create_root=${rootId}:my-root`, `startup|vm_start=${rootId}:5:vmcfg`, `startup|configure=${rootId}:plugcfg`]);
    });

    test('a filter whose on_vm_start or on_configure returns false fails its load naming it', () => {
      assert.throws(() => harness(module, [{ name: 'bad-vm', vmConfig: 'fail-vm-start' }]),
        (e: unknown) => e instanceof WeftError && e.code === ErrorCodes.WASM_START_FAILED && /bad-vm.*proxy_on_vm_start/.test(e.message));
      assert.throws(() => harness(module, [{ name: 'bad-cfg', config: 'fail' }]),
        (e: unknown) => e instanceof WeftError && /bad-cfg.*proxy_on_configure/.test(e.message));
    });

    test('header maps: pairs, size, get, add, replace (dropping duplicates), remove, in order', () => {
      const h = harness(module, [{}]);
      const host = request('headers', [['x-replaced', 'old'], ['x-replaced', 'old2'], ['x-removed', 'r']]);
      const before = host.requestHeaders.map((p) => [...p] as [string, string]);
      const s = h.chain.newStream(host);
      s.requestHeaders(true);
      assert.deepEqual(h.notes('request_headers'), [`8:${eosNote(1)}`]);
      assert.deepEqual(h.notes('pairs'), [before.map(([k, v]) => `${k}:${v}`).join(',')]);
      assert.deepEqual(h.notes('size'), [String(encodePairs(before).length)]);
      assert.deepEqual(h.notes('path'), ['/a?x=1']);
      assert.deepEqual(h.notes('missing'), [variant.abi === '0.1.0' ? '' : '<1>']);
      assert.deepEqual(host.requestHeaders, [[':method', 'GET'], [':path', '/a?x=1'], [':authority', 'h'], [':scheme', 'http'],
        ['x-case', 'headers'], ['x-replaced', 'new'], ['x-added', '1']]);
      assert.deepEqual(host.events, ['headers:0:eos']);
    });

    test('set_header_map_pairs replaces the whole map', () => {
      const h = harness(module, [{}]);
      const host = request('set-pairs');
      h.chain.newStream(host).requestHeaders(true);
      assert.deepEqual(h.notes('set_pairs'), ['0']);
      assert.deepEqual(host.requestHeaders, [['x-only', 'yes']]);
    });

    test('a local response short-circuits the request and runs the response callbacks of its sender and of earlier filters', () => {
      const h = harness(module, [{ name: 'early' }, { name: 'denier' }, { name: 'late' }]);
      const host = request('local', [['x-only', 'denier']]);
      h.chain.newStream(host).requestHeaders(true);
      assert.deepEqual(host.local, { status: 403, details: 'denied' });
      assert.equal(host.events.includes('headers:0:eos'), false);
      assert.deepEqual(host.responseHeaders, [[':status', '403'], ['x-deny', 'yes'], ['content-length', '4'], ['x-seen-by', 'denier'], ['x-seen-by', 'early']]);
      assert.equal(host.bodyText(1), 'nope');
      assert.deepEqual(h.notes('request_headers', 'late'), []);
      assert.deepEqual(h.notes('response_headers', 'early'), ['403']);
    });

    test('proxy_http_call reaches a real server; the response arrives on the root context, which resumes the paused stream', async () => {
      const h = harness(module, [{ name: 'caller' }, { name: 'after' }]);
      const host = request('callout', [['x-only', 'caller']]);
      const s = h.chain.newStream(host);
      s.requestHeaders(false);
      s.requestBody(enc.encode('abc'), true);
      assert.deepEqual(host.events, []);
      assert.deepEqual(h.notes('request_headers', 'after'), []);
      await until(() => host.events.length >= 2);
      assert.deepEqual(host.events, ['headers:0', 'body:0:3:eos']);
      assert.equal(host.header(0, 'x-callout'), '200:pong:ping');
      const root = h.chain.filters[0].root.id;
      // root id, header count (the server's plus :status), body length of "pong:ping", no trailers
      assert.match(h.notes('call_response', 'caller').join(), new RegExp(`^${root}:[1-9]\\d*:9:0$`));
      assert.deepEqual(h.notes('call_status', 'caller'), ['0']);
      assert.deepEqual(h.notes('effective', 'caller'), ['0']);
      assert.deepEqual(h.notes('continue', 'caller'), ['0']);
      // The paused filter saw the held body once, with its cumulative size, after it continued.
      assert.deepEqual(h.notes('request_body', 'caller'), ['3:1']);
      assert.deepEqual(h.notes('request_headers', 'after'), [`7:${eosNote(0)}`]);
    });

    test('an invalid header set from an http_call response on the stream it resumes fails that stream per the policy, not leaving it paused', async () => {
      const h = harness(module, [{ name: 'strict' }, { name: 'lenient', failPolicy: 'open' }]);
      const closed = request('callout-bad', [['x-only', 'strict']]);
      h.chain.newStream(closed).requestHeaders(true);
      await until(() => closed.events.length > 0);
      assert.deepEqual(closed.events, ['local:503', 'headers:1:eos']);
      assert.equal(closed.header(1, 'x-weft-error'), ErrorCodes.WASM_INVALID_HEADER);
      assert.equal(closed.header(0, 'x-callout'), undefined);
      const open = request('callout-bad', [['x-only', 'lenient']]);
      h.chain.newStream(open).requestHeaders(true);
      await until(() => open.events.length > 0);
      assert.deepEqual(open.events, ['headers:0:eos']);
      assert.equal(open.header(0, 'x-callout'), undefined);
      assert.deepEqual(h.traps.map((t) => [t.filter, t.callback, t.cause, t.header]),
        [['strict', 'proxy_on_http_call_response', 'invalid_header', 'x-callout'], ['lenient', 'proxy_on_http_call_response', 'invalid_header', 'x-callout']]);
      assert.deepEqual(h.notes('continue', 'strict'), [], 'the callback stopped at the refused header');
    });

    test('an http_call to an unknown cluster returns BAD_ARGUMENT and the stream goes on', () => {
      const h = harness(module, [{}]);
      const host = request('callout-fail');
      h.chain.newStream(host).requestHeaders(true);
      assert.deepEqual(h.notes('http_call'), ['2']);
      assert.deepEqual(host.events, ['headers:0:eos']);
    });

    test('a body Pause buffers, calls again with the cumulative size, and the final body can be replaced', () => {
      const h = harness(module, [{}]);
      const host = request('body-buffer');
      const s = h.chain.newStream(host);
      s.requestHeaders(false);
      s.requestBody(enc.encode('ab'), false);
      s.requestBody(enc.encode('cd'), false);
      assert.deepEqual(host.events, ['headers:0']);
      s.requestBody(enc.encode('ef'), true);
      assert.deepEqual(h.notes('request_body'), ['2:0', '4:0', '6:1']);
      assert.deepEqual(h.notes('body_len_after'), ['8']);
      assert.equal(host.bodyText(0), '<ABCDEF>');
      assert.deepEqual(host.events, ['headers:0', 'body:0:8:eos']);
    });

    test('set_buffer_bytes(0, 0) prepends to the body chunk', () => {
      const h = harness(module, [{}]);
      const host = request('body-prepend');
      const s = h.chain.newStream(host);
      s.requestHeaders(false);
      s.requestBody(enc.encode('x'), true);
      assert.equal(host.bodyText(0), 'pre-x');
    });

    test('request trailers reach the filter and are forwarded after the body', () => {
      const h = harness(module, [{}]);
      const host = request('plain');
      const s = h.chain.newStream(host);
      s.requestHeaders(false);
      s.requestBody(enc.encode('b'), false);
      host.requestTrailers = [['x-trailer', 't']];
      s.requestTrailers();
      assert.deepEqual(h.notes('request_trailers'), ['1:t']);
      assert.deepEqual(host.events, ['headers:0', 'body:0:1', 'trailers:0']);
    });

    test('properties: plugin_*, request.* from headers, host properties, int64 encoding, set_property, NOT_FOUND', () => {
      const h = harness(module, [{ name: 'props', rootId: 'props-root', vmId: 'props-vm' }]);
      const host = request('props', [], { 'source.address': '10.0.0.1:5000', 'destination.port': 8080 });
      h.chain.newStream(host).requestHeaders(true);
      const n = (k: string): string[] => h.notes(k, 'props');
      assert.deepEqual(n('plugin_name'), ['props']);
      assert.deepEqual(n('plugin_root_id'), ['props-root']);
      assert.deepEqual(n('plugin_vm_id'), ['props-vm']);
      assert.deepEqual(n('request_path'), ['/a?x=1']);
      assert.deepEqual(n('request_method'), ['GET']);
      assert.deepEqual(n('request_header'), ['props']);
      assert.deepEqual(n('source_address'), ['10.0.0.1:5000']);
      assert.deepEqual(n('destination_port'), ['8080']);
      assert.deepEqual(n('missing_prop'), ['<1>']);
      assert.deepEqual(n('set_property'), ['0']);
      assert.deepEqual(n('filter_state'), ['kept']);
    });

    test('shared data: NOT_FOUND, set, get with a non-zero cas, CAS_MISMATCH, CAS success', () => {
      const h = harness(module, [{ name: `shared-${variant.name}` }]);
      h.chain.newStream(request('shared')).requestHeaders(true);
      const n = (k: string): string[] => h.notes(k, `shared-${variant.name}`);
      assert.deepEqual([n('get_missing'), n('set'), n('get'), n('set_bad_cas'), n('set_good_cas'), n('get_after')],
        [['1'], ['0'], ['one:cas'], ['8'], ['0'], ['two']]);
    });

    test('metrics: define (same name, same id), increment, record, get; counters refuse decrements', () => {
      const h = harness(module, [{}]);
      h.chain.newStream(request('metrics')).requestHeaders(true);
      const got = ['same_id', 'inc', 'dec_counter', 'record_gauge', 'inc_gauge', 'record_hist', 'counter', 'gauge', 'get_unknown']
        .map((k) => h.notes(k)[0]);
      assert.deepEqual(got, ['true', '0', '2', '0', '0', '0', '3', '40', '1']);
      const snap = h.metrics.snapshot();
      assert.deepEqual(snap.find((m) => m.name === 'conf_requests'), { name: 'conf_requests', type: 'counter', value: 3 });
      assert.equal(snap.find((m) => m.name === 'conf_latency')?.count, 1);
    });

    test('status codes and WASI calls answer exactly as the spec says', () => {
      const h = harness(module, [{ env: { A: 'b' } }]);
      h.chain.newStream(request('status')).requestHeaders(true);
      const expected: Record<string, string> = {
        effective_bad: '2', call_no_path: '2', resolve_missing: '1', register_queue: '0', dequeue_empty: '7',
        dequeue_unknown: '1', call_resp_body: '1', empty_trailers: '0:0', time: 'true', wasi_clock: 'true', wasi_random: '0',
        wasi_environ: 'true:1', wasi_fd_write: '0:12', wasi_bad_fd: '8', log_level: '1', foreign_unknown: '1',
      };
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(h.notes(key), [value], key);
      assert.ok(h.logs.includes('f0|stdout line'));
    });

    test('on_done, on_log (headers still readable), on_delete run exactly once per stream, in that order', () => {
      const h = harness(module, [{}]);
      const s = h.chain.newStream(request('plain'));
      s.requestHeaders(true);
      s.finish();
      s.finish();
      const id = h.notes('create_stream')[0].split(':')[0];
      const lifecycle = h.logs.filter((l) => /\|(done|log|delete)=/.test(l));
      assert.deepEqual(lifecycle, [`f0|done=${id}`, `f0|log=${id}:/a?x=1`, `f0|delete=${id}`]);
    });

    test('an endless callback traps on fuel, fails closed with 503, and the next request works', () => {
      const h = harness(module, [{ name: 'spin', fuelPerCallback: 500_000 }]);
      const host = request('loop');
      // Synchronous: the call returns only because the fuel ran out (the trap below says so), whatever the clock.
      h.chain.newStream(host).requestHeaders(true);
      assert.equal(host.local?.status, 503);
      assert.deepEqual(host.responseHeaders, [[':status', '503'], ['x-weft-error', ErrorCodes.WASM_TRAP], ['content-length', '0']]);
      assert.equal(h.traps.length, 1);
      assert.equal(h.traps[0].filter, 'spin');
      assert.equal(h.traps[0].callback, 'proxy_on_request_headers');
      assert.match(h.traps[0].message, /fuel exhausted/);
      const next = request('headers');
      h.chain.newStream(next).requestHeaders(true);
      assert.deepEqual(h.traps.slice(1).map((t) => t.message), []);
      assert.deepEqual(next.events, ['headers:0:eos']);
    });

    test('fail open skips a trapping filter for that request only', () => {
      const h = harness(module, [{ name: 'opener', failPolicy: 'open' }]);
      const host = request('trap');
      h.chain.newStream(host).requestHeaders(true);
      assert.equal(host.local, null);
      assert.deepEqual(host.events, ['headers:0:eos']);
      assert.equal(h.chain.trapCount, 1);
    });

    test('fail reload answers 503, then a fresh instance serves once the backoff has passed', () => {
      const h = harness(module, [{ name: 'reloader', failPolicy: 'reload' }]);
      const filter = h.chain.filters[0];
      const first = filter.vm;
      const host = request('trap');
      h.chain.newStream(host).requestHeaders(true);
      assert.equal(host.local?.status, 503);
      const during = request('plain');
      h.chain.newStream(during).requestHeaders(true);
      assert.equal(during.local?.status, 503);
      filter.reloadAt = 0;
      const later = request('plain');
      h.chain.newStream(later).requestHeaders(true);
      assert.notEqual(filter.vm, first);
      assert.deepEqual(later.events, ['headers:0:eos']);
    });

    test('memory growth past the cap fails', async () => {
      const capped = (await compileFilter(await buildVariant(variant), { maxMemoryPages: initialPages + 8 })).module;
      const h = harness(capped, [{}]);
      h.chain.newStream(request('grow')).requestHeaders(true);
      assert.notEqual(h.notes('grow_small')[0], '-1');
      assert.deepEqual(h.notes('grow_huge'), ['-1']);
    });

    test("an allocation past the initial memory grows it mid-callback, and later host calls reach the grown memory", () => {
      const h = harness(module, [{}]);
      const host = request('alloc-grow');
      h.chain.newStream(host).requestHeaders(true);
      assert.deepEqual(h.notes('alloc_grow'), ['ok']);
      assert.equal(host.header(0, 'x-grown'), 'yes');
      assert.deepEqual(h.traps, []);
    });

    test('verify_signature checks HS256 and ES256 signatures; bad arguments are BAD_ARGUMENT', () => {
      const h = harness(module, [{}]);
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const data = enc.encode('header.payload');
      const es = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const hs = createHmac('sha256', 'secret').update(data).digest();
      const pem = enc.encode(publicKey.export({ type: 'spki', format: 'pem' }) as string);
      const bodies = [
        writeFields([enc.encode('HS256'), enc.encode('secret'), data, hs]),
        writeFields([enc.encode('ES256'), pem, data, es]),
        writeFields([enc.encode('ES256'), pem, enc.encode('tampered'), es]),
        enc.encode('garbage'),
      ];
      for (const body of bodies) {
        const s = h.chain.newStream(request('foreign'));
        s.requestHeaders(false);
        s.requestBody(body, true);
      }
      assert.deepEqual(h.notes('verify'), ['0:1', '0:1', '0:0', '2:-']);
    });

    test('tick timers call on_tick on the root context', async () => {
      const h = harness(module, [{ config: 'tick' }]);
      await until(() => h.notes('tick').length > 0);
      assert.deepEqual(h.notes('tick'), [String(h.chain.filters[0].root.id)]);
      h.chain.close();
    });

    test('a shared queue delivers on_queue_ready to the registering root context', async () => {
      const h = harness(module, [{ name: `queue-${variant.name}`, config: 'queue' }]);
      const filter = h.chain.filters[0];
      const [status, id] = h.notes('register_queue', filter.name)[0].split(':').map(Number);
      assert.equal(status, 0);
      filter.vm.shared.enqueue(id, enc.encode('hello'));
      await until(() => h.notes('queue_ready', filter.name).length > 0);
      assert.deepEqual(h.notes('queue_ready', filter.name), ['0:hello']);
      h.chain.close();
    });

    test('proxy_close_stream resets the stream', () => {
      const h = harness(module, [{}]);
      const host = request('close');
      h.chain.newStream(host).requestHeaders(true);
      assert.match(host.resetReason ?? '', /closed by filter f0/);
    });
  });
}

test('get_buffer_bytes on an empty buffer, or a range starting at or past its end, answers OK with (0, 0), as cpp-host does', async () => {
  // Each read first fills the output slots with garbage; on_vm_start (VM config "abc") and on_configure (empty
  // plugin config) fail the load unless every read wrote a null pointer and a zero size.
  const wat = `(module
    (import "env" "proxy_get_buffer_bytes" (func $get (param i32 i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "malloc") (param i32) (result i32) (i32.const 1024))
    (func $empty (param $type i32) (param $start i32) (param $max i32) (result i32)
      (i64.store (i32.const 8) (i64.const -1))
      (if (call $get (local.get $type) (local.get $start) (local.get $max) (i32.const 8) (i32.const 12)) (then (return (i32.const 0))))
      (i64.eqz (i64.load (i32.const 8))))
    (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
      (i32.and (call $empty (i32.const 6) (i32.const 3) (i32.const 10)) (call $empty (i32.const 6) (i32.const 9) (i32.const 1))))
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (i32.and (call $empty (i32.const 7) (i32.const 0) (local.get 1)) (call $empty (i32.const 7) (i32.const 0) (i32.const -1)))))`;
  const { module } = await compileFilter(await buildWatText('empty-read.wat', wat));
  assert.doesNotThrow(() => FilterChain.create([{ name: 'empty-read', module, vmConfig: 'abc' }]));
});
