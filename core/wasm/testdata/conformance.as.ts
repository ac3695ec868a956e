// AssemblyScript conformance filter written against the raw proxy-wasm ABI; build-modules.ts makes SDK-like variants of it.
// The request header x-case picks what a stream does; every observation is logged as "key=value" for the test to check.

// Replaced per variant by build-modules.ts: 21 (ABI 0.2.1), 20 (0.2.0), 10 (0.1.0).
const ABI: i32 = 21;

@external("env", "proxy_log") declare function proxy_log(level: u32, ptr: usize, len: usize): u32;
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(t: u32, start: u32, max: u32, pp: usize, sp: usize): u32;
@external("env", "proxy_set_buffer_bytes") declare function proxy_set_buffer_bytes(t: u32, start: u32, size: u32, p: usize, n: usize): u32;
@external("env", "proxy_get_buffer_status") declare function proxy_get_buffer_status(t: u32, lp: usize, fp: usize): u32;
@external("env", "proxy_get_configuration") declare function proxy_get_configuration(pp: usize, sp: usize): u32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(m: u32, k: usize, kl: usize, pp: usize, sp: usize): u32;
@external("env", "proxy_get_header_map_pairs") declare function proxy_get_header_map_pairs(m: u32, pp: usize, sp: usize): u32;
@external("env", "proxy_set_header_map_pairs") declare function proxy_set_header_map_pairs(m: u32, p: usize, n: usize): u32;
@external("env", "proxy_get_header_map_size") declare function proxy_get_header_map_size(m: u32, sp: usize): u32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(m: u32, k: usize, kl: usize, v: usize, vl: usize): u32;
@external("env", "proxy_replace_header_map_value") declare function proxy_replace_header_map_value(m: u32, k: usize, kl: usize, v: usize, vl: usize): u32;
@external("env", "proxy_remove_header_map_value") declare function proxy_remove_header_map_value(m: u32, k: usize, kl: usize): u32;
@external("env", "proxy_continue_stream") declare function proxy_continue_stream(s: u32): u32;
@external("env", "proxy_continue_request") declare function proxy_continue_request(): u32;
@external("env", "proxy_close_stream") declare function proxy_close_stream(s: u32): u32;
@external("env", "proxy_send_local_response") declare function proxy_send_local_response(status: u32, d: usize, dl: usize, b: usize, bl: usize, h: usize, hl: usize, grpc: i32): u32;
@external("env", "proxy_get_property") declare function proxy_get_property(p: usize, pl: usize, pp: usize, sp: usize): u32;
@external("env", "proxy_set_property") declare function proxy_set_property(p: usize, pl: usize, v: usize, vl: usize): u32;
@external("env", "proxy_set_shared_data") declare function proxy_set_shared_data(k: usize, kl: usize, v: usize, vl: usize, cas: u32): u32;
@external("env", "proxy_get_shared_data") declare function proxy_get_shared_data(k: usize, kl: usize, pp: usize, sp: usize, cp: usize): u32;
@external("env", "proxy_register_shared_queue") declare function proxy_register_shared_queue(n: usize, nl: usize, qp: usize): u32;
@external("env", "proxy_resolve_shared_queue") declare function proxy_resolve_shared_queue(v: usize, vl: usize, n: usize, nl: usize, qp: usize): u32;
@external("env", "proxy_enqueue_shared_queue") declare function proxy_enqueue_shared_queue(q: u32, v: usize, vl: usize): u32;
@external("env", "proxy_dequeue_shared_queue") declare function proxy_dequeue_shared_queue(q: u32, pp: usize, sp: usize): u32;
@external("env", "proxy_define_metric") declare function proxy_define_metric(t: u32, n: usize, nl: usize, ip: usize): u32;
@external("env", "proxy_increment_metric") declare function proxy_increment_metric(id: u32, d: i64): u32;
@external("env", "proxy_record_metric") declare function proxy_record_metric(id: u32, v: u64): u32;
@external("env", "proxy_get_metric") declare function proxy_get_metric(id: u32, vp: usize): u32;
@external("env", "proxy_http_call") declare function proxy_http_call(u: usize, ul: usize, h: usize, hl: usize, b: usize, bl: usize, t: usize, tl: usize, timeout: u32, tp: usize): u32;
@external("env", "proxy_set_effective_context") declare function proxy_set_effective_context(c: u32): u32;
@external("env", "proxy_set_tick_period_milliseconds") declare function proxy_set_tick_period_milliseconds(ms: u32): u32;
@external("env", "proxy_get_current_time_nanoseconds") declare function proxy_get_current_time_nanoseconds(tp: usize): u32;
@external("env", "proxy_get_log_level") declare function proxy_get_log_level(lp: usize): u32;
@external("env", "proxy_call_foreign_function") declare function proxy_call_foreign_function(n: usize, nl: usize, a: usize, al: usize, pp: usize, sp: usize): u32;
@external("env", "proxy_get_status") declare function proxy_get_status(cp: usize, pp: usize, sp: usize): u32;
@external("env", "proxy_done") declare function proxy_done(): u32;
@external("wasi_snapshot_preview1", "clock_time_get") declare function clock_time_get(id: u32, precision: u64, tp: usize): u32;
@external("wasi_snapshot_preview1", "random_get") declare function random_get(p: usize, n: usize): u32;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, n: usize, wp: usize): u32;
@external("wasi_snapshot_preview1", "environ_sizes_get") declare function environ_sizes_get(cp: usize, sp: usize): u32;

const RET = heap.alloc(16);
const cases = new Map<u32, string>();
const callers = new Map<u32, u32>();
let rootId: u32 = 0;

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_memory_allocate(size: usize): usize {
  return heap.alloc(size);
}

/** As the Rust and Go SDKs do, the outputs start as (null, 0): the host writes nothing for an empty range. */
function getBuffer(t: u32, max: u32): u32 {
  store<u64>(RET, 0);
  return proxy_get_buffer_bytes(t, 0, max, RET, RET + 4);
}
function retPtr(): usize { return load<usize>(RET); }
function retLen(): usize { return load<u32>(RET + 4); }
/** Takes the (ptr, len) the host returned, as a string, and frees the module-side buffer. */
function retString(): string {
  const p = retPtr();
  if (p == 0) return "";
  const s = String.UTF8.decodeUnsafe(p, retLen());
  heap.free(p);
  return s;
}
function buf(s: string): ArrayBuffer { return String.UTF8.encode(s); }
function ptr(b: ArrayBuffer): usize { return changetype<usize>(b); }

function log(msg: string): void {
  const b = buf(msg);
  proxy_log(2, ptr(b), b.byteLength);
}
function note(key: string, value: string): void { log(key + "=" + value); }

function header(map: u32, name: string): string {
  const k = buf(name);
  const st = proxy_get_header_map_value(map, ptr(k), k.byteLength, RET, RET + 4);
  return st == 0 ? retString() : "<" + st.toString() + ">";
}
function addHeader(map: u32, name: string, value: string): u32 {
  const k = buf(name); const v = buf(value);
  return proxy_add_header_map_value(map, ptr(k), k.byteLength, ptr(v), v.byteLength);
}
function replaceHeader(map: u32, name: string, value: string): u32 {
  const k = buf(name); const v = buf(value);
  return proxy_replace_header_map_value(map, ptr(k), k.byteLength, ptr(v), v.byteLength);
}
function removeHeader(map: u32, name: string): u32 {
  const k = buf(name);
  return proxy_remove_header_map_value(map, ptr(k), k.byteLength);
}
/** Reads all pairs and renders them "k:v,k:v" by decoding the ABI's pairs layout itself. */
function pairs(map: u32): string {
  if (proxy_get_header_map_pairs(map, RET, RET + 4) != 0) return "<err>";
  const p = retPtr();
  if (p == 0) return "";
  const n = load<u32>(p);
  let data = p + 4 + 8 * n;
  let out = "";
  for (let i: u32 = 0; i < n; i++) {
    const kl = load<u32>(p + 4 + 8 * i);
    const vl = load<u32>(p + 8 + 8 * i);
    const k = String.UTF8.decodeUnsafe(data, kl); data += kl + 1;
    const v = String.UTF8.decodeUnsafe(data, vl); data += vl + 1;
    out += (i > 0 ? "," : "") + k + ":" + v;
  }
  heap.free(p);
  return out;
}
/** Encodes one pair in the ABI's layout. */
function onePair(k: string, v: string): ArrayBuffer {
  const kb = buf(k); const vb = buf(v);
  const out = new ArrayBuffer(4 + 8 + kb.byteLength + vb.byteLength + 2);
  const o = ptr(out);
  store<u32>(o, 1); store<u32>(o + 4, kb.byteLength); store<u32>(o + 8, vb.byteLength);
  memory.copy(o + 12, ptr(kb), kb.byteLength);
  store<u8>(o + 12 + kb.byteLength, 0);
  memory.copy(o + 13 + kb.byteLength, ptr(vb), vb.byteLength);
  store<u8>(o + 13 + kb.byteLength + vb.byteLength, 0);
  return out;
}
function property(path: string): string {
  const p = buf(path);
  const st = proxy_get_property(ptr(p), p.byteLength, RET, RET + 4);
  return st == 0 ? retString() : "<" + st.toString() + ">";
}
function propertyI64(path: string): string {
  const p = buf(path);
  const st = proxy_get_property(ptr(p), p.byteLength, RET, RET + 4);
  if (st != 0) return "<" + st.toString() + ">";
  const v = load<i64>(retPtr());
  heap.free(retPtr());
  return v.toString();
}
/** The Rust SDK's way of reading a whole buffer: max size 0xFFFFFFFF. */
function bufferString(t: u32): string {
  const st = getBuffer(t, 0xFFFFFFFF);
  return st == 0 ? retString() : "<" + st.toString() + ">";
}
function continueRequest(): u32 {
  return ABI == 10 ? proxy_continue_request() : proxy_continue_stream(0);
}
function pluginConfig(size: u32): string {
  if (ABI == 10) {
    proxy_get_configuration(RET, RET + 4);
    return retString();
  }
  getBuffer(7, size);
  return retString();
}

export function proxy_on_context_create(id: u32, parent: u32): void {
  if (parent == 0) {
    // As the AssemblyScript SDK does: the root context finds its factory by plugin_root_id.
    rootId = id;
    note("create_root", id.toString() + ":" + property("plugin_root_id"));
  } else {
    note("create_stream", id.toString() + ":" + parent.toString());
  }
}

export function proxy_on_vm_start(root: u32, size: u32): u32 {
  const cfg = bufferString(6);
  note("vm_start", root.toString() + ":" + size.toString() + ":" + cfg);
  return cfg == "fail-vm-start" ? 0 : 1;
}

export function proxy_on_configure(root: u32, size: u32): u32 {
  const cfg = pluginConfig(size);
  note("configure", root.toString() + ":" + cfg);
  if (cfg == "tick") proxy_set_tick_period_milliseconds(5);
  if (cfg == "queue") {
    const n = buf("jobs");
    note("register_queue", proxy_register_shared_queue(ptr(n), n.byteLength, RET).toString() + ":" + load<u32>(RET).toString());
  }
  return cfg == "fail" ? 0 : 1;
}

export function proxy_on_tick(root: u32): void {
  note("tick", root.toString());
  proxy_set_tick_period_milliseconds(0);
}

export function proxy_on_queue_ready(root: u32, q: u32): void {
  const st = proxy_dequeue_shared_queue(q, RET, RET + 4);
  note("queue_ready", st.toString() + ":" + (st == 0 ? retString() : ""));
}

export function proxy_on_request_headers(ctx: u32, n: u32, eos: u32): u32 {
  let c = header(0, "x-case");
  // x-only names the one filter of a chain that acts on x-case (absent: NOT_FOUND, or empty under ABI 0.1.0).
  const only = header(0, "x-only");
  if (only != "" && only.charAt(0) != "<" && only != property("plugin_name")) c = "";
  cases.set(ctx, c);
  note("request_headers", n.toString() + ":" + (ABI == 10 ? "-" : eos.toString()));
  if (c == "headers") {
    note("pairs", pairs(0));
    proxy_get_header_map_size(0, RET);
    note("size", load<u32>(RET).toString());
    note("path", header(0, ":path"));
    note("missing", header(0, "x-absent"));
    addHeader(0, "X-Added", "1");
    replaceHeader(0, "x-replaced", "new");
    removeHeader(0, "x-removed");
    removeHeader(0, "x-never-there");
    note("after", pairs(0));
    return 0;
  }
  if (c == "set-pairs") {
    const p = onePair("x-only", "yes");
    note("set_pairs", proxy_set_header_map_pairs(0, ptr(p), p.byteLength).toString());
    return 0;
  }
  if (c == "local") {
    const d = buf("denied"); const b = buf("nope"); const h = onePair("x-deny", "yes");
    proxy_send_local_response(403, ptr(d), d.byteLength, ptr(b), b.byteLength, ptr(h), h.byteLength, -1);
    return 0;
  }
  if (c == "pause") return 1;
  if (c == "callout" || c == "callout-fail" || c == "callout-bad") {
    const cluster = buf(c == "callout-fail" ? "nowhere" : "backend");
    const hs = new ArrayBuffer(0);
    // three pairs: :method GET, :path /check, :authority backend
    const h = threePairs(":method", "GET", ":path", "/check", ":authority", "backend");
    const b = buf("ping");
    const st = proxy_http_call(ptr(cluster), cluster.byteLength, ptr(h), h.byteLength, ptr(b), b.byteLength, ptr(hs), 0, 2000, RET);
    note("http_call", st.toString());
    if (st == 0) {
      callers.set(load<u32>(RET), ctx);
      note("token", load<u32>(RET).toString());
      return 1;
    }
    return 0;
  }
  if (c == "loop") {
    // Spins without calling anything: fuel runs out in this loop, never halfway through the allocator (whose state a
    // trap there would leave broken for the next request).
    let i: i32 = 0;
    while (load<u32>(RET + 12) == 0) i++;
    return i;
  }
  if (c == "grow") {
    note("grow_small", memory.grow(1).toString());
    note("grow_huge", memory.grow(100000).toString());
    return 0;
  }
  if (c == "alloc-grow") {
    // Past the initial memory: the allocator grows it, and host calls after the growth still reach the module's memory.
    const size: usize = 32 << 20;
    const big = heap.alloc(size);
    store<u8>(big + size - 1, 1);
    note("alloc_grow", "ok");
    addHeader(0, "x-grown", "yes");
    heap.free(big);
    return 0;
  }
  if (c == "trap") unreachable();
  if (c == "props") {
    note("plugin_name", property("plugin_name"));
    note("plugin_root_id", property("plugin_root_id"));
    note("plugin_vm_id", property("plugin_vm_id"));
    note("request_path", property("request\0path"));
    note("request_method", property("request\0method"));
    note("request_header", property("request\0headers\0x-case"));
    note("source_address", property("source\0address"));
    note("destination_port", propertyI64("destination\0port"));
    note("missing_prop", property("no\0such"));
    const p = buf("filter\0state"); const v = buf("kept");
    note("set_property", proxy_set_property(ptr(p), p.byteLength, ptr(v), v.byteLength).toString());
    note("filter_state", property("filter\0state"));
    return 0;
  }
  if (c == "shared") {
    const k = buf("counter"); const v1 = buf("one"); const v2 = buf("two");
    note("get_missing", proxy_get_shared_data(ptr(buf("absent")), 6, RET, RET + 4, RET + 8).toString());
    note("set", proxy_set_shared_data(ptr(k), k.byteLength, ptr(v1), v1.byteLength, 0).toString());
    proxy_get_shared_data(ptr(k), k.byteLength, RET, RET + 4, RET + 8);
    const cas = load<u32>(RET + 8);
    note("get", retString() + ":" + (cas != 0 ? "cas" : "zero"));
    note("set_bad_cas", proxy_set_shared_data(ptr(k), k.byteLength, ptr(v2), v2.byteLength, cas + 1000).toString());
    note("set_good_cas", proxy_set_shared_data(ptr(k), k.byteLength, ptr(v2), v2.byteLength, cas).toString());
    proxy_get_shared_data(ptr(k), k.byteLength, RET, RET + 4, RET + 8);
    note("get_after", retString());
    return 0;
  }
  if (c == "metrics") {
    const cn = buf("conf_requests"); const gn = buf("conf_gauge"); const hn = buf("conf_latency");
    proxy_define_metric(0, ptr(cn), cn.byteLength, RET); const counter = load<u32>(RET);
    proxy_define_metric(1, ptr(gn), gn.byteLength, RET); const gauge = load<u32>(RET);
    proxy_define_metric(2, ptr(hn), hn.byteLength, RET); const hist = load<u32>(RET);
    proxy_define_metric(0, ptr(cn), cn.byteLength, RET);
    note("same_id", (load<u32>(RET) == counter).toString());
    note("inc", proxy_increment_metric(counter, 3).toString());
    note("dec_counter", proxy_increment_metric(counter, -1).toString());
    note("record_gauge", proxy_record_metric(gauge, 42).toString());
    note("inc_gauge", proxy_increment_metric(gauge, -2).toString());
    note("record_hist", proxy_record_metric(hist, 7).toString());
    proxy_get_metric(counter, RET); note("counter", load<u64>(RET).toString());
    proxy_get_metric(gauge, RET); note("gauge", load<u64>(RET).toString());
    note("get_unknown", proxy_get_metric(9999, RET).toString());
    return 0;
  }
  if (c == "status") {
    note("effective_bad", proxy_set_effective_context(99999).toString());
    const up = buf("backend");
    const noPath = onePair(":method", "GET");
    note("call_no_path", proxy_http_call(ptr(up), up.byteLength, ptr(noPath), noPath.byteLength, 0, 0, 0, 0, 100, RET).toString());
    const q = buf("nope"); const vm = buf("vm");
    note("resolve_missing", proxy_resolve_shared_queue(ptr(vm), vm.byteLength, ptr(q), q.byteLength, RET).toString());
    note("register_queue", proxy_register_shared_queue(ptr(q), q.byteLength, RET).toString());
    note("dequeue_empty", proxy_dequeue_shared_queue(load<u32>(RET), RET, RET + 4).toString());
    note("dequeue_unknown", proxy_dequeue_shared_queue(77777, RET, RET + 4).toString());
    note("call_resp_body", proxy_get_buffer_bytes(4, 0, 10, RET, RET + 4).toString());
    note("empty_trailers", proxy_get_header_map_pairs(1, RET, RET + 4).toString() + ":" + retLen().toString());
    note("time", (proxy_get_current_time_nanoseconds(RET) == 0 && load<u64>(RET) > 1600000000000000000).toString());
    note("wasi_clock", (clock_time_get(0, 1, RET) == 0 && load<u64>(RET) > 1600000000000000000).toString());
    note("wasi_random", random_get(RET, 8).toString());
    note("wasi_environ", (environ_sizes_get(RET, RET + 4) == 0).toString() + ":" + load<u32>(RET).toString());
    const msg = buf("stdout line\n");
    store<usize>(RET, ptr(msg)); store<u32>(RET + 4, msg.byteLength);
    note("wasi_fd_write", fd_write(1, RET, 1, RET + 8).toString() + ":" + load<u32>(RET + 8).toString());
    note("wasi_bad_fd", fd_write(7, RET, 1, RET + 8).toString());
    proxy_get_log_level(RET); note("log_level", load<u32>(RET).toString());
    note("foreign_unknown", proxy_call_foreign_function(ptr(q), q.byteLength, 0, 0, RET, RET + 4).toString());
    return 0;
  }
  if (c == "close") {
    proxy_close_stream(0);
    return 1;
  }
  return 0;
}

function threePairs(k1: string, v1: string, k2: string, v2: string, k3: string, v3: string): ArrayBuffer {
  const ks = [buf(k1), buf(k2), buf(k3)]; const vs = [buf(v1), buf(v2), buf(v3)];
  let size = 4 + 24;
  for (let i = 0; i < 3; i++) size += ks[i].byteLength + vs[i].byteLength + 2;
  const out = new ArrayBuffer(size);
  const o = ptr(out);
  store<u32>(o, 3);
  let data = o + 28;
  for (let i = 0; i < 3; i++) {
    store<u32>(o + 4 + 8 * i, ks[i].byteLength); store<u32>(o + 8 + 8 * i, vs[i].byteLength);
    memory.copy(data, ptr(ks[i]), ks[i].byteLength); data += ks[i].byteLength; store<u8>(data, 0); data += 1;
    memory.copy(data, ptr(vs[i]), vs[i].byteLength); data += vs[i].byteLength; store<u8>(data, 0); data += 1;
  }
  return out;
}

export function proxy_on_http_call_response(root: u32, token: u32, nh: u32, bl: u32, nt: u32): void {
  note("call_response", root.toString() + ":" + nh.toString() + ":" + bl.toString() + ":" + nt.toString());
  const ctx = callers.get(token);
  callers.delete(token);
  const status = header(6, ":status");
  const body = bufferString(4);
  proxy_get_status(RET, RET + 4, RET + 8);
  note("call_status", load<u32>(RET).toString());
  note("effective", proxy_set_effective_context(ctx).toString());
  // callout-bad: a header value the host refuses, set on the stream from the root context.
  addHeader(0, "x-callout", cases.get(ctx) == "callout-bad" ? "bad\x01value" : status + ":" + body);
  note("continue", continueRequest().toString());
}

export function proxy_on_request_body(ctx: u32, size: u32, eos: u32): u32 {
  const c = cases.get(ctx);
  note("request_body", size.toString() + ":" + eos.toString());
  if (c == "body-buffer") {
    if (eos == 0) return 1;
    const whole = bufferString(0);
    const rep = buf("<" + whole.toUpperCase() + ">");
    proxy_set_buffer_bytes(0, 0, size, ptr(rep), rep.byteLength);
    proxy_get_buffer_status(0, RET, RET + 4);
    note("body_len_after", load<u32>(RET).toString());
    return 0;
  }
  if (c == "body-prepend") {
    const pre = buf("pre-");
    proxy_set_buffer_bytes(0, 0, 0, ptr(pre), pre.byteLength);
    return 0;
  }
  if (c == "foreign") {
    if (eos == 0) return 1;
    getBuffer(0, size);
    const args = retPtr(); const argsLen = retLen();
    const name = buf("verify_signature");
    const st = proxy_call_foreign_function(ptr(name), name.byteLength, args, argsLen, RET, RET + 4);
    note("verify", st.toString() + ":" + (st == 0 ? load<u8>(retPtr()).toString() : "-"));
    return 0;
  }
  return 0;
}

export function proxy_on_request_trailers(ctx: u32, n: u32): u32 {
  note("request_trailers", n.toString() + ":" + header(1, "x-trailer"));
  return 0;
}

export function proxy_on_response_headers(ctx: u32, n: u32, eos: u32): u32 {
  note("response_headers", header(2, ":status"));
  addHeader(2, "x-seen-by", property("plugin_name"));
  return 0;
}

export function proxy_on_response_body(ctx: u32, size: u32, eos: u32): u32 {
  note("response_body", size.toString() + ":" + eos.toString());
  return 0;
}

export function proxy_on_done(ctx: u32): u32 {
  note("done", ctx.toString());
  return 1;
}

export function proxy_on_log(ctx: u32): void {
  note("log", ctx.toString() + ":" + header(0, ":path"));
}

export function proxy_on_delete(ctx: u32): void {
  note("delete", ctx.toString());
  cases.delete(ctx);
}
