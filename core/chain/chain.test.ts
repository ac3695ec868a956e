// Chain behaviours on the response side: a headers pause holds the whole direction until continue_stream, body buffering, late local replies.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { compileFilter } from '../wasm/compile.ts';
import { buildWat } from '../wasm/testdata/build-modules.ts';
import { FilterChain } from './chain.ts';
import { MemoryStreamHost } from './memory-host.ts';

const enc = new TextEncoder();
let pauser: WebAssembly.Module;
let minimal: WebAssembly.Module;
before(async () => {
  pauser = (await compileFilter(await buildWat('pauser.wat'))).module;
  minimal = (await compileFilter(await buildWat('minimal.wat'))).module;
});

/** Polls `check` for up to 30 s: a bound for a slow machine, not a measure (core/ cannot use test/support/wait.ts). */
async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function respond(chain: FilterChain): MemoryStreamHost {
  const host = new MemoryStreamHost([[':method', 'GET'], [':path', '/'], ['x-case', 'a']]);
  const s = chain.newStream(host);
  s.requestHeaders(true);
  host.responseHeaders = [[':status', '200']];
  s.responseHeaders(false);
  s.responseBody(enc.encode('ab'), false);
  s.responseBody(enc.encode('cd'), false);
  host.responseTrailers = [['grpc-status', '0']];
  s.responseTrailers();
  return host;
}

test('a response headers pause holds headers, body and trailers until continue_stream, then delivers the cumulative body', async () => {
  const chain = FilterChain.create([{ name: 'first', module: minimal }, { name: 'pauser', module: pauser }]);
  const host = respond(chain);
  assert.deepEqual(host.events, ['headers:0:eos']);
  await until(() => host.events.length > 1);
  assert.deepEqual(host.events, ['headers:0:eos', 'headers:1', 'body:1:4', 'trailers:1']);
  assert.equal(host.bodyText(1), 'abcd');
  chain.close();
});

test('a local reply after the response headers left resets the stream', async () => {
  const chain = FilterChain.create([{ name: 'pauser', module: pauser }]);
  const host = new MemoryStreamHost([[':method', 'GET'], [':path', '/']]);
  const s = chain.newStream(host);
  s.requestHeaders(true);
  host.responseHeaders = [[':status', '200']];
  s.responseHeaders(false);
  await until(() => host.headersSent[1]);
  s.responseBody(enc.encode('xyz'), false);
  assert.equal(host.events.at(-1), 'reset');
  assert.match(host.resetReason ?? '', /local reply 500 after the response headers were sent/);
  chain.close();
});

test('filters sharing a vmId and module share one instance with a root context each', () => {
  const chain = FilterChain.create([
    { name: 'a', vmId: 'shared', module: minimal }, { name: 'b', vmId: 'shared', module: minimal }, { name: 'c', module: minimal },
  ]);
  assert.equal(chain.filters[0].vm, chain.filters[1].vm);
  assert.notEqual(chain.filters[0].root.id, chain.filters[1].root.id);
  assert.notEqual(chain.filters[2].vm, chain.filters[0].vm);
});
