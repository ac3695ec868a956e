;; Minimal hot-path filter: reads one request header and continues; used to measure the per-filter cost of the chain.
(module
  (import "env" "proxy_get_header_map_value" (func $get (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 0) "x-case")
  (func (export "proxy_abi_version_0_2_1"))
  ;; A bump allocator that rewinds per callback is enough for a benchmark filter.
  (func (export "malloc") (param i32) (result i32) (local i32)
    (local.set 1 (global.get $heap)) (global.set $heap (i32.add (global.get $heap) (local.get 0))) (local.get 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (global.set $heap (i32.const 1024))
    (drop (call $get (i32.const 0) (i32.const 0) (i32.const 6) (i32.const 64) (i32.const 68)))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32) (i32.const 0))
)
