// Tests of the SDK's API as a filter sees it: the probe fixture runs one feature per request in the real host.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { MemoryStreamHost } from '../../core/chain/memory-host.ts';
import { FilterHarness } from './harness.ts';

let probe: FilterHarness;
before(async () => {
  probe = await FilterHarness.fromFolder(new URL('../fixtures/probe', import.meta.url).pathname, {
    config: { tickMs: 5 },
    properties: { 'node.id': 'node-7' },
    clusters: { backend: (call) => ({ status: 200, body: `pong ${call.header(':path')}` }) },
  });
});
after(() => probe.close());

/** Runs one probe and returns the filter's answer. */
async function ask(name: string, headers: Record<string, string> = {}, properties = {}): Promise<string> {
  const exchange = await probe.exchange({ headers: { 'x-probe': name, ...headers }, properties });
  assert.equal(exchange.response.header('x-probe-answer'), '1', `probe ${name} answered locally`);
  return exchange.response.body;
}

test('parseJson reads every JSON type and toString writes it back compactly', async () => {
  const text = '{ "a": [1, 2.5, -300, true, false, null], "s": "q\\"b\\\\n\\u00e9\\ud83d\\ude00", "o": {}, "e": [] }';
  assert.equal(await ask('json', { 'x-input': text }), '{"a":[1,2.5,-300,true,false,null],"s":"q\\"b\\\\né😀","o":{},"e":[]}');
});

test('parseJson refuses malformed documents', async () => {
  for (const bad of ['{"a":}', '[1,]', '01', '"open', '{"a":1} x', '', 'nul', '{"a" 1}', '[1 2]', '"\\x"', '1.', '-']) {
    assert.equal(await ask('json', { 'x-input': bad }), 'invalid', bad);
  }
  assert.equal(await ask('json', { 'x-input': '['.repeat(100) + ']'.repeat(100) }), 'invalid', 'nesting deeper than 64');
});

test('typed JSON getters return the value or the fallback', async () => {
  assert.equal(await ask('json-get', { 'x-input': '{"s":"x","n":4.5,"b":true,"a":["p",1,"q"]}' }), 'x|4.5|yes|p,q');
  assert.equal(await ask('json-get', { 'x-input': '{"s":1,"n":"4","b":"true"}' }), 'fallback|-1.0|no|');
});

test('properties come from the plugin, the stream, derived headers and the node', async () => {
  assert.equal(await ask('property', { 'x-path': 'plugin_name' }), 'probe');
  assert.equal(await ask('property', { 'x-path': 'request.path' }), '/');
  assert.equal(await ask('property', { 'x-path': 'source.address' }, { 'source.address': '10.0.0.9:4711' }), '10.0.0.9:4711');
  assert.equal(await ask('property', { 'x-path': 'node.id' }), 'node-7');
  assert.equal(await ask('property', { 'x-path': 'no.such.thing' }), '<missing>');
  assert.equal(await ask('property-integer', { 'x-path': 'connection.id' }, { 'connection.id': 42 }), '42');
});

test('setProperty stores a value the stream can read back', async () => {
  assert.equal(await ask('set-property', { 'x-value': 'canary' }), '0 canary');
});

test('strings of any size and script cross the ABI both ways, one call after another', async () => {
  // Sizes around the SDK's 4 KiB landing area and past its 64 KiB staging area, then small again.
  for (const size of [0, 1, 4095, 4096, 4097, 70_000, 3]) {
    const value = Array.from('é😀-'.repeat(size)).slice(0, size).join('');
    assert.equal(await ask('echo', { 'x-value': value }), `${value}|${value}`, `a value of ${size} code points`);
  }
});

test('the module exports the callbacks its contexts implement, and no proxy_on_done: hosts take a missing callback as nothing to do', async () => {
  const exports = WebAssembly.Module.exports(await WebAssembly.compile(probe.bytes)).map((e) => e.name).filter((name) => name.startsWith('proxy_on_'));
  // The probe overrides onTick, onQueueReady, onRequestHeaders, onResponseHeaders and onResponseBody; the
  // context, configuration, allocator and call-response callbacks are the SDK's own and always there.
  assert.deepEqual(exports.sort(), [
    'proxy_on_configure', 'proxy_on_context_create', 'proxy_on_delete', 'proxy_on_http_call_response', 'proxy_on_memory_allocate',
    'proxy_on_queue_ready', 'proxy_on_request_headers', 'proxy_on_response_body', 'proxy_on_response_headers', 'proxy_on_tick', 'proxy_on_vm_start',
  ]);
});

test('callbacks of interleaved streams reach each its own context', () => {
  const open = (tag: string) => {
    const host = new MemoryStreamHost([[':method', 'GET'], [':path', '/'], [':authority', 'test.local'], ['x-probe', 'tag'], ['x-value', tag]]);
    return { host, stream: probe.chain.newStream(host) };
  };
  const [a, b, c] = [open('a'), open('b'), open('c')];
  for (const s of [a, b, c]) s.stream.requestHeaders(true);
  b.stream.finish();
  for (const s of [c, a]) {
    s.host.responseHeaders = [[':status', '200']];
    s.stream.responseHeaders(true);
    s.stream.finish();
  }
  assert.equal(a.host.header(1, 'x-tag'), 'a');
  assert.equal(c.host.header(1, 'x-tag'), 'c');
});

test('shared data increments with compare-and-swap', async () => {
  assert.equal(await ask('shared-increment', { 'x-key': 'hits' }), '1');
  assert.equal(await ask('shared-increment', { 'x-key': 'hits' }), '2');
  assert.equal(await ask('shared-increment', { 'x-key': 'other' }), '1');
});

test('a write with a stale cas is refused with CasMismatch and changes nothing', async () => {
  assert.equal(await ask('shared-stale-cas', { 'x-key': 'versioned' }), '0 8 second');
});

test('callForeignFunction reaches the host verify_signature', async () => {
  const signature = createHmac('sha256', 'k3y').update('header.payload').digest('hex');
  assert.equal(await ask('verify', { 'x-key': 'k3y', 'x-data': 'header.payload', 'x-signature': signature }), 'valid');
  assert.equal(await ask('verify', { 'x-key': 'k3y', 'x-data': 'header.tampered', 'x-signature': signature }), 'invalid');
  assert.equal(await ask('unknown-foreign'), '1');
});

test('counters, gauges and histograms reach the host metric store', async () => {
  assert.equal(await ask('metrics'), '3 3');
  assert.equal(probe.metric('probe_gauge'), 3);
  assert.equal(probe.metric('probe_counter_total'), 3);
  const histogram = probe.sample('probe_histogram');
  assert.equal(histogram?.type, 'histogram');
  assert.equal(histogram?.count, 1);
  assert.equal(histogram?.sum, 42);
});

test('the log level and the clock come from the host', async () => {
  assert.equal(await ask('log-level'), '0');
  // The host's realtime clock is the monotonic one from the process's time origin (core/wasm/host-logging.ts),
  // which can stray from Date.now() by a fraction of a second: bracket the filter's reading with that clock.
  const hostNow = () => performance.timeOrigin + performance.now();
  const before = hostNow();
  const now = Number(await ask('time'));
  const after = hostNow();
  assert.ok(now >= Math.floor(before) - 1 && now <= after + 1, `filter clock ${now} is the host's, read between ${before} and ${after}`);
});

test('header pairs keep order and duplicates, and setPairs replaces the map', async () => {
  const lines = (await ask('headers', { 'x-a': '1', 'x-b': '2' })).split('\n');
  assert.deepEqual(lines.slice(0, 4), [':method=GET', ':path=/', ':authority=test.local', ':scheme=http']);
  assert.deepEqual(lines.filter((l) => l.startsWith('x-a') || l.startsWith('x-b')), ['x-a=1', 'x-b=2']);
  const exchange = await probe.exchange({ headers: [['x-probe', 'set-pairs'], ['x-drop-me', '1'], ['x-keep', 'a'], ['x-keep', 'b']] });
  assert.equal(exchange.upstream?.header('x-drop-me'), undefined);
  assert.deepEqual(exchange.upstream?.headerValues('x-keep'), ['a', 'b']);
  assert.equal(exchange.upstream?.header('x-count'), '8');
});

test('a local response sent from the response headers replaces the upstream response', async () => {
  const exchange = await probe.exchange({ headers: { 'x-probe': 'response-local' } }, { status: 200, body: 'upstream' });
  assert.notEqual(exchange.upstream, null);
  assert.equal(exchange.response.status, 502);
  assert.equal(exchange.response.body, 'replaced by the filter\n');
});

test('prepend and append edit a buffered response body', async () => {
  const exchange = await probe.exchange({ headers: { 'x-probe': 'prepend' } }, { body: ['bo', 'dy'], headers: { 'content-length': '4' } });
  assert.equal(exchange.response.body, '<body>');
});

test('the tick timer runs, and an httpCall from the root context gets its answer', async () => {
  await probe.until(() => (probe.metric('probe_ticks_total') ?? 0) >= 2, () => 'two ticks');
  await probe.until(() => probe.logs.some((l) => l.message === 'tick call: 200 pong /tick'), () => 'the tick call answer');
});

test('a shared queue item reaches the root that registered the queue', async () => {
  assert.equal(await ask('enqueue', { 'x-value': 'job-1' }), 'queued');
  await probe.until(() => probe.logs.some((l) => l.message === 'dequeued job-1'), () => 'the dequeue');
});

test('a throw traps the callback, says why at critical level (told with the trap), and the request fails closed', async () => {
  const exchange = await probe.exchange({ headers: { 'x-probe': 'trap' } });

test('garbage is collected between callbacks, after a trap too: the memory stays near the live data', async () => {
  const memory = probe.chain.filters[0].vm.mem.memory!;
  // Each echo leaves ~100 KB behind (the value as a string, staged, read back, concatenated, answered).
  const value = 'x'.repeat(8000);
  for (let i = 0; i < 100; i++) await ask('echo', { 'x-value': value });
  const settled = memory.buffer.byteLength;
  const trapped = await probe.exchange({ headers: { 'x-probe': 'trap' } });
  assert.equal(trapped.response.status, 503);
  for (let i = 0; i < 1000; i++) assert.equal(await ask('echo', { 'x-value': value }), `${value}|${value}`);
  // Never collected, the 1,000 echoes after the trap would need ~100 MB more.
  assert.ok(memory.buffer.byteLength <= Math.max(2 * settled, 8 << 20), `${memory.buffer.byteLength} bytes after, ${settled} before`);
});
  assert.equal(exchange.response.status, 503);
  assert.equal(probe.traps.at(-1)?.callback, 'proxy_on_request_headers');
  assert.match(probe.traps.at(-1)?.said ?? '', /^probe asked to trap at assembly\/index\.ts:\d+:\d+$/);
  assert.equal(probe.logs.find((l) => l.level === 5), undefined, 'not a log line of its own');
});
