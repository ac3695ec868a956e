// End to end through `weft proxy`: a filter's faults (invalid headers handed to the host, traps) fail only its own request, per its fail policy, and are logged and counted as the filter's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { watFile } from './support/filters.ts';

/** What a case's filter does, keyed by the last character of the request path. */
interface FaultCase {
  key: string;
  what: string;
  /** The callback it acts in. */
  at: 'request' | 'response';
  /** The header its log line names, and a piece of the reason given (together they tell the cases apart). */
  header: string;
  why: string;
  call: (s: (bytes: string) => string) => string;
}

const add = (map: number, name: string, value: string) => (s: (b: string) => string) => `(drop (call $add (i32.const ${map}) ${s(name)} ${s(value)}))`;
const replace = (map: number, name: string, value: string) => (s: (b: string) => string) => `(drop (call $replace (i32.const ${map}) ${s(name)} ${s(value)}))`;
/** The ABI's pairs layout of one pair. */
function onePair(name: string, value: string): string {
  const u32 = (n: number) => String.fromCharCode(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);
  return `${u32(1)}${u32(name.length)}${u32(value.length)}${name}\0${value}\0`;
}
const local = (status: number, pairs: string) => (s: (b: string) => string) =>
  `(drop (call $reply (i32.const ${status}) ${s('bad')} ${s('')} ${s(pairs)} (i32.const -1)))`;

const CASES: FaultCase[] = [
  { key: 'a', what: 'a request header value with a control character', at: 'request', header: 'x-bad', why: '0x01', call: add(0, 'x-bad', 'a\x01b') },
  { key: 'b', what: 'a request header value with CR LF', at: 'request', header: 'x-bad', why: 'a CR', call: add(0, 'x-bad', 'a\r\nx-injected: 1') },
  { key: 'c', what: 'a request header value with NUL', at: 'request', header: 'x-bad', why: 'a NUL', call: replace(0, 'x-bad', 'a\0b') },
  { key: 'd', what: 'a request header name with a space', at: 'request', header: 'x bad', why: 'not an HTTP token', call: add(0, 'x bad', 'v') },
  { key: 'e', what: 'a :status in the request headers', at: 'request', header: ':status', why: 'no such pseudo-header', call: replace(0, ':status', '99999') },
  { key: 'f', what: 'request headers replaced by set_header_map_pairs with a bad value', at: 'request', header: 'x-bad', why: '0x02',
    call: (s) => `(drop (call $setPairs (i32.const 0) ${s(onePair('x-bad', 'a\x02b'))}))` },
  { key: 'g', what: 'a response header value with a control character', at: 'response', header: 'x-bad', why: '0x01', call: add(2, 'x-bad', 'a\x01b') },
  { key: 'h', what: 'a response :status of 99999', at: 'response', header: ':status', why: 'not a status', call: replace(2, ':status', '99999') },
  { key: 'i', what: 'a response header name with a space', at: 'response', header: 'x bad', why: 'not an HTTP token', call: add(2, 'x bad', 'v') },
  { key: 'j', what: 'a local reply with an LF in a header value', at: 'request', header: 'x-bad', why: 'an LF', call: local(200, onePair('x-bad', 'a\nb')) },
  { key: 'k', what: 'a local reply with status 99999', at: 'request', header: ':status', why: 'not a status', call: local(99999, '') },
];

/** A filter doing what the path's last character picks (one request at a time: the case is kept in a global). */
function faultFilterWat(): string {
  let offset = 2048;
  const segments: string[] = [];
  const s = (bytes: string): string => {
    const at = offset;
    segments.push(`(data (i32.const ${at}) "${[...bytes].map((ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}")`);
    offset += bytes.length + 8;
    return `(i32.const ${at}) (i32.const ${bytes.length})`;
  };
  const acts = (at: 'request' | 'response') => CASES.filter((c) => c.at === at)
    .map((c) => `(if (i32.eq (global.get $case) (i32.const ${c.key.charCodeAt(0)})) (then ${c.call(s)}))`).join('\n      ');
  const path = s(':path');
  const requestActs = acts('request');
  const responseActs = acts('response');
  const said = s("panicked at 'boom', src/lib.rs:7:5");
  const data = segments.join('\n    ');
  return `(module
    (import "env" "proxy_get_header_map_value" (func $get (param i32 i32 i32 i32 i32) (result i32)))
    (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
    (import "env" "proxy_replace_header_map_value" (func $replace (param i32 i32 i32 i32 i32) (result i32)))
    (import "env" "proxy_set_header_map_pairs" (func $setPairs (param i32 i32 i32) (result i32)))
    (import "env" "proxy_send_local_response" (func $reply (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
    (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $case (mut i32) (i32.const 0))
    (global $heap (mut i32) (i32.const 8192))
    ${data}
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "malloc") (param $n i32) (result i32)
      (global.set $heap (i32.add (global.get $heap) (local.get $n)))
      (i32.sub (global.get $heap) (local.get $n)))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (global.set $heap (i32.const 8192))
      (global.set $case (i32.const 0))
      (if (i32.eqz (call $get (i32.const 0) ${path} (i32.const 16) (i32.const 20)))
        (then (global.set $case (i32.load8_u (i32.sub (i32.add (i32.load (i32.const 16)) (i32.load (i32.const 20))) (i32.const 1))))))
      ;; "t": as a Rust SDK panic does, a critical line first, then the trap
      (if (i32.eq (global.get $case) (i32.const 116)) (then (drop (call $log (i32.const 5) ${said})) (unreachable)))
      ${requestActs}
      (i32.const 0))
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
      ${responseActs}
      (i32.const 0)))`;
}

let app: Upstream;
let wasm = '';
let version = '';

before(async () => {
  app = await startUpstream((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, bad: req.headers['x-bad'] ?? null, injected: req.headers['x-injected'] ?? null }));
  });
  wasm = await watFile('faulty', faultFilterWat());
  version = createHash('sha256').update(readFileSync(wasm)).digest('hex').slice(0, 12);
});

after(async () => {
  await app.close();
});

/** The complete JSON lines of a log (a line still being written is left for the next look). */
function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').slice(0, -1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The proxy's event log lines (stderr). */
function logLines(proxy: RunningProxy): Record<string, unknown>[] {
  return jsonLines(proxy.stderr());
}

async function get(proxy: RunningProxy, path: string) {
  // Bounded: a request the proxy never answers fails the test instead of hanging it.
  const r = await request(`${proxy.url}${path}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() };
}

/**
 * A filter's fault lines once all `total` faults are accounted for: each is logged on its own line or counted in a
 * later "not logged" line (the log keeps a few lines per filter per window). Waits for the window that counts them to end.
 */
async function faultLines(proxy: RunningProxy, filter: string, msg: string, total: number): Promise<{ lines: Record<string, unknown>[]; suppressed: number }> {
  for (let i = 0; ; i++) {
    const mine = logLines(proxy).filter((l) => l.filter === filter);
    const lines = mine.filter((l) => l.msg === msg);
    const suppressed = mine.filter((l) => l.msg === 'filter faults not logged').reduce((n, l) => n + Number(l.suppressed), 0);
    if (lines.length + suppressed >= total || i === 600) return { lines, suppressed };
    await new Promise((r) => setTimeout(r, 50));
  }
}

function proxyConfig(): string {
  return writeConfig(`
listen: 127.0.0.1:0
workers: 1
filters:
  - { name: strict, module: ${wasm}, fail: closed }
  - { name: lenient, module: ${wasm}, fail: open }
clusters:
  - { name: app, endpoints: ["${app.url}"] }
routes:
  - { match: { prefix: /closed/ }, cluster: app, filters: { lenient: { disabled: true } } }
  - { match: { prefix: /open/ }, cluster: app, filters: { strict: { disabled: true } } }
`);
}

/** The case a fault line tells of: its callback, header and reason. */
function caseOf(line: Record<string, unknown>): FaultCase | undefined {
  return CASES.find((c) => line.callback === (c.at === 'response' ? 'proxy_on_response_headers' : 'proxy_on_request_headers')
    && line.header === c.header && String(line.reason).includes(c.why));
}

test('an invalid header a fail-closed filter sets (request, response or local reply) fails that request with 503 WEFT_ERR_WASM_INVALID_HEADER, logged and counted as the filter\'s', async () => {
  const proxy = await startProxy(['--config', proxyConfig()]);
  try {
    assert.equal((await get(proxy, '/closed/0')).status, 200, 'a request the filter leaves alone passes');
    for (const c of CASES) {
      const seen = app.seen.length;
      const r = await get(proxy, `/closed/${c.key}`);
      assert.equal(r.status, 503, c.what);
      assert.equal(r.headers['x-weft-error'], 'WEFT_ERR_WASM_INVALID_HEADER', c.what);
      assert.equal(r.headers['x-bad'], undefined, c.what);
      assert.equal(app.seen.length - seen, c.at === 'response' ? 1 : 0, `${c.what}: the upstream is reached only when the fault is on the response side`);
    }
    const { lines, suppressed } = await faultLines(proxy, 'strict', 'filter set an invalid header', CASES.length);
    assert.equal(lines.length + suppressed, CASES.length, 'every fault is logged or counted as not logged');
    for (const line of lines) {
      const c = caseOf(line);
      assert.ok(c, `the line names its callback, header and reason: ${JSON.stringify(line)}`);
      assert.deepEqual([line.level, line.version, line.policy], [50, version, 'closed'], c.what);
    }
    const metrics = await (await request(`${proxy.admin}/metrics`)).body.text();
    assert.match(metrics, new RegExp(`weft_filter_traps_total\\{filter="strict",version="${version}",cause="invalid_header"\\} ${CASES.length}\\b`));
    assert.doesNotMatch(metrics, /weft_upstream_errors_total\{/, 'no fault is blamed on the upstream');
    assert.equal(logLines(proxy).filter((l) => Number(l.level) >= 60).length, 0, 'nothing at fatal');
  } finally {
    await proxy.stop();
  }
});

test('under fail open the filter\'s invalid header is dropped and the request goes on without it', async () => {
  const proxy = await startProxy(['--config', proxyConfig()]);
  try {
    for (const c of CASES) {
      const r = await get(proxy, `/open/${c.key}`);
      assert.equal(r.status, 200, c.what);
      assert.equal(r.headers['x-bad'], undefined, c.what);
      if (c.at === 'request') assert.deepEqual(JSON.parse(r.body), { url: `/open/${c.key}`, bad: null, injected: null }, c.what);
    }
    const { lines, suppressed } = await faultLines(proxy, 'lenient', 'filter set an invalid header', CASES.length);
    assert.equal(lines.length + suppressed, CASES.length);
    for (const line of lines) assert.deepEqual([line.level, line.policy, caseOf(line) !== undefined], [50, 'open', true], JSON.stringify(line));
  } finally {
    await proxy.stop();
  }
});

test('a trapping filter: one error line per trap with filter, version, callback, message and its last words, a few per window and the rest counted; traps labelled by filter and version; one time format in both logs', async () => {
  const proxy = await startProxy(['--config', proxyConfig(), '--access-log', 'stdout']);
  const traps = 20;
  try {
    // At once, so they fall in one window of the fault log even on a slow machine.
    const answers = await Promise.all(Array.from({ length: traps }, () => get(proxy, '/closed/t')));
    assert.deepEqual(new Set(answers.map((r) => `${r.status} ${String(r.headers['x-weft-error'])}`)), new Set(['503 WEFT_ERR_WASM_TRAP']));
    const { lines, suppressed } = await faultLines(proxy, 'strict', 'filter trapped', traps);
    assert.equal(lines.length + suppressed, traps, 'every trap is logged or counted as not logged');
    assert.ok(lines.length < traps, `lines are limited per window (${lines.length} of ${traps})`);
    for (const line of lines) {
      assert.deepEqual([line.level, line.filter, line.version, line.callback, line.policy, line.cause, line.trap, line.said],
        [50, 'strict', version, 'proxy_on_request_headers', 'closed', 'trap', 'unreachable', "panicked at 'boom', src/lib.rs:7:5"]);
    }
    const summary = logLines(proxy).find((l) => l.msg === 'filter faults not logged')!;
    assert.deepEqual([summary.level, summary.filter, summary.version, summary.lastCallback, summary.lastCause], [50, 'strict', version, 'proxy_on_request_headers', 'trap']);
    // The filter's critical line was its trap's last words: told in the trap line, not on a line (at fatal) of its own.
    assert.deepEqual(logLines(proxy).filter((l) => Number(l.level) >= 60 || String(l.msg).includes('panicked')), []);

    const metrics = await (await request(`${proxy.admin}/metrics`)).body.text();
    assert.match(metrics, /# HELP weft_filter_traps_total Requests a filter failed by its own fault/);
    assert.match(metrics, new RegExp(`weft_filter_traps_total\\{filter="strict",version="${version}",cause="trap"\\} ${traps}\\b`));

    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    assert.match(String(proxy.ready.time), iso, 'the event log');
    const access = jsonLines(proxy.stdout());
    assert.ok(access.length > 0 && access.every((l) => iso.test(String(l.time))), 'the access log');
  } finally {
    await proxy.stop();
  }
});
