// VM start-up order, import validation, instrumentation and the pairs format, on small WAT modules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, WeftError } from '../errors.ts';
import { compileFilter } from './compile.ts';
import { REFUELLED_PREFIX } from './fuel.ts';
import { HOST_IMPORTS } from './imports.ts';
import { instrumentModule } from './instrument.ts';
import { decodePairs, encodePairs } from './pairs.ts';
import { buildWat, buildWatText } from './testdata/build-modules.ts';
import { WasmVm } from './vm.ts';

function started(module: WebAssembly.Module, logs: string[]): WasmVm {
  const vm = new WasmVm(module, { services: { log: (_l, _f, m) => logs.push(m) } });
  vm.start();
  assert.equal(vm.createRoot({ name: 'probe' }).ok, true);
  return vm;
}

test('_initialize then main run before context_create, on_vm_start and on_configure', async () => {
  const { module } = await compileFilter(await buildWat('startup.wat'));
  const logs: string[] = [];
  started(module, logs);
  assert.deepEqual(logs, ['initialize', 'main', 'context_create', 'vm_start', 'configure']);
});

test('without _initialize, _start runs first and its proc_exit(0) is a normal end', async () => {
  const wat = (await import('node:fs')).readFileSync(new URL('./testdata/startup.wat', import.meta.url), 'utf8')
    .replace('(export "_initialize")', '(export "_start")')
    .replace('(call $say (i32.const 0) (i32.const 10))', '(call $say (i32.const 80) (i32.const 5)) (call $exit (i32.const 0))');
  const { module } = await compileFilter(await buildWatText('start.wat', wat));
  const logs: string[] = [];
  started(module, logs);
  assert.deepEqual(logs, ['start', 'context_create', 'vm_start', 'configure']);
});

test('unknown imports fail the load with an error naming each one', async () => {
  const bytes = await buildWatText('unknown.wat', `(module
    (import "env" "proxy_teleport" (func (param i32)))
    (import "custom" "thing" (func))
    (memory (export "memory") 1)
    (func (export "proxy_abi_version_0_2_1")))`);
  await assert.rejects(compileFilter(bytes), (e: unknown) => e instanceof WeftError && e.code === ErrorCodes.WASM_UNKNOWN_IMPORT &&
    e.message.includes('env.proxy_teleport') && e.message.includes('custom.thing'));
});

test('a module without an ABI marker is refused', async () => {
  const bytes = await buildWatText('nomarker.wat', '(module (memory (export "memory") 1))');
  await assert.rejects(compileFilter(bytes), (e: unknown) => e instanceof WeftError && e.code === ErrorCodes.WASM_INVALID_MODULE);
});

test('the host provides every proxy-wasm 0.2.1 function and WASI under both module names', () => {
  for (const name of ['proxy_log', 'proxy_get_log_level', 'proxy_get_buffer_bytes', 'proxy_set_buffer_bytes', 'proxy_get_header_map_pairs',
    'proxy_send_local_response', 'proxy_http_call', 'proxy_grpc_call', 'proxy_set_shared_data', 'proxy_enqueue_shared_queue',
    'proxy_define_metric', 'proxy_get_property', 'proxy_call_foreign_function', 'proxy_done', 'proxy_set_effective_context',
    'proxy_continue_stream', 'proxy_close_stream', 'proxy_get_status', 'proxy_continue_request', 'proxy_get_configuration']) {
    assert.ok(HOST_IMPORTS.has(`env.${name}`), name);
  }
  for (const m of ['wasi_snapshot_preview1', 'wasi_unstable']) {
    for (const name of ['fd_write', 'proc_exit', 'clock_time_get', 'random_get', 'environ_get', 'poll_oneoff', 'path_open']) {
      assert.ok(HOST_IMPORTS.has(`${m}.${name}`), `${m}.${name}`);
    }
  }
});

test('a start section runs under fuel and a module needing more memory than the cap is refused', async () => {
  const bytes = await buildWatText('big.wat', `(module (memory (export "memory") 20) (global $g (mut i32) (i32.const 0))
    (func $s (loop $l (global.set $g (i32.add (global.get $g) (i32.const 1))) (br_if $l (i32.lt_u (global.get $g) (i32.const 1000)))))
    (start $s) (func (export "proxy_abi_version_0_2_1")) (func (export "proxy_on_tick") (param i32) (loop $l (br $l))))`);
  assert.throws(() => instrumentModule(bytes, { maxMemoryPages: 10 }), /20 memory pages, over the cap of 10/);
  const { module } = await compileFilter(bytes, { maxMemoryPages: 32 });
  const vm = new WasmVm(module, { fuelPerCallback: 100_000 });
  vm.start();
  const { root } = vm.createRoot({ name: 'spin' });
  assert.throws(() => vm.tick(root), /proxy_on_tick: fuel exhausted/);
  assert.throws(() => vm.tick(root), /fuel exhausted/);
});

test('each callback is called through an export that refills its fuel, which the module itself cannot reach', async () => {
  const bytes = await buildWatText('refuel.wat', `(module (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_1"))
    (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
    (func $spend (param $k i32) (local $i i32)
      (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get $k)))))
    (func (export "proxy_on_tick") (param i32) (call $spend (i32.const 60000)))
    (func $again (export "proxy_on_queue_ready") (param i32 i32)
      (if (i32.eqz (local.get 1)) (then (loop $l (call $again (local.get 0) (i32.const 1)) (br $l))))))`);
  const { module } = await compileFilter(bytes);
  const exported = WebAssembly.Module.exports(module).map((e) => e.name);
  assert.ok(exported.includes(`${REFUELLED_PREFIX}proxy_on_tick`));
  assert.ok(!exported.includes(`${REFUELLED_PREFIX}proxy_on_memory_allocate`), 'the allocator runs inside host calls: never refilled');
  const vm = new WasmVm(module, { fuelPerCallback: 100_000 });
  vm.start();
  const { root } = vm.createRoot({ name: 'refuel' });
  // 60,000 of the 100,000 each time: the second tick runs on a refilled budget.
  vm.tick(root);
  vm.tick(root);
  // Calling its own callback export in a loop refills nothing: the loop runs out.
  assert.throws(() => vm.queueReady(root, 0), /proxy_on_queue_ready: fuel exhausted/);
});

test('header pairs round-trip in the spec layout, keep order and duplicates, and lower-case names', () => {
  const list: [string, string][] = [[':path', '/'], ['x-a', '1'], ['x-a', '2']];
  const bytes = encodePairs(list);
  assert.deepEqual([...bytes.subarray(0, 12)], [3, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual(decodePairs(bytes), list);
  assert.deepEqual(decodePairs(encodePairs([['X-Up', 'V']])), [['x-up', 'V']]);
  assert.equal(encodePairs([]).length, 0);
  assert.deepEqual(decodePairs(Uint8Array.of(0)), []);
  assert.throws(() => decodePairs(Uint8Array.of(9, 0, 0, 0, 1)), RangeError);
});
