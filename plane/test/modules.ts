// Test filter modules for the plane and control tests, written as WAT and compiled with wabt (no SDK build needed).
import { buildWatText } from '../../core/wasm/testdata/build-modules.ts';

const PRELUDE = `
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (local i32)
    (local.set 1 (global.get $heap)) (global.set $heap (i32.add (global.get $heap) (local.get 0))) (local.get 1))`;

/** Adds `x-filter-version: TAG` to every response: which version served a request shows in its headers. */
export function versionedFilter(tag: string): Promise<Uint8Array> {
  return buildWatText(`versioned-${tag}.wat`, `(module
  (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
  ${PRELUDE}
  (data (i32.const 0) "x-filter-version")
  (data (i32.const 32) "${tag}")
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (drop (call $add (i32.const 2) (i32.const 0) (i32.const 16) (i32.const 32) (i32.const ${Buffer.byteLength(tag)})))
    (i32.const 0)))`);
}

/** Traps (unreachable) in on_configure: the plane must refuse it at push. */
export function trapsOnConfigure(): Promise<Uint8Array> {
  return buildWatText('traps-on-configure.wat', `(module ${PRELUDE}
  (func (export "proxy_on_configure") (param i32 i32) (result i32) unreachable))`);
}

/** Starts with no config or a short one, refuses (on_configure false) a config over 10 bytes. */
export function picky(): Promise<Uint8Array> {
  return buildWatText('picky.wat', `(module ${PRELUDE}
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.le_u (local.get 1) (i32.const 10))))`);
}

/** Answers every request itself with a 500: a version a rollout must roll back. */
export function failing500(): Promise<Uint8Array> {
  return buildWatText('failing-500.wat', `(module
  (import "env" "proxy_send_local_response" (func $reply (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  ${PRELUDE}
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $reply (i32.const 500) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 64) (i32.const 4) (i32.const -1)))
    (i32.const 1)))`);
}

/** Traps (unreachable) on every request's headers: under the default closed policy each request is answered 503 by the proxy. */
export function trapsOnRequest(): Promise<Uint8Array> {
  return buildWatText('traps-on-request.wat', `(module ${PRELUDE}
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) unreachable))`);
}

/** A valid filter padded with a data segment to `bytes` in size: larger than one stored chunk. */
export function padded(bytes: number): Promise<Uint8Array> {
  return buildWatText('padded.wat', `(module ${PRELUDE.replace('(memory (export "memory") 1)', `(memory (export "memory") ${Math.ceil(bytes / 65536) + 1})`)}
  (data (i32.const 8192) "${'w'.repeat(bytes)}"))`);
}
