;; Pauses every response at its headers, then resumes it from a tick (via set_effective_context); buffers the response body to the end.
(module
  (import "env" "proxy_set_tick_period_milliseconds" (func $tick (param i32) (result i32)))
  (import "env" "proxy_set_effective_context" (func $effective (param i32) (result i32)))
  (import "env" "proxy_continue_stream" (func $continue (param i32) (result i32)))
  (import "env" "proxy_send_local_response" (func $local (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $paused (mut i32) (i32.const 0))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 4096))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (drop (call $tick (i32.const 2))) (i32.const 1))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (global.set $paused (local.get 0)) (i32.const 1))
  ;; A response body chunk of exactly 3 bytes makes the filter answer locally, after the headers left.
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32)
    (if (i32.eq (local.get 1) (i32.const 3))
      (then (drop (call $local (i32.const 500) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const -1)))))
    (if (result i32) (local.get 2) (then (i32.const 0)) (else (i32.const 1))))
  (func (export "proxy_on_tick") (param i32)
    (if (global.get $paused) (then
      (drop (call $effective (global.get $paused)))
      (global.set $paused (i32.const 0))
      (drop (call $continue (i32.const 1))))))
)
