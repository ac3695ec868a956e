// C++ conformance filter against the raw proxy-wasm ABI, built by build-modules.ts with em++ as the proxy-wasm C++ SDK builds
// (standalone wasm, malloc exported, memory growth on). It behaves exactly as conformance.as.ts: the request header x-case
// picks what a stream does and every observation is logged as "key=value".
#include <emscripten.h>
#include <wasi/api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

// The host functions; the build's --js-library turns each into an import from "env", as the SDK's proxy_wasm_intrinsics.js does.
extern "C" {
uint32_t proxy_log(uint32_t level, const char* p, size_t n);
uint32_t proxy_get_buffer_bytes(uint32_t t, uint32_t start, uint32_t max, uint32_t* pp, uint32_t* sp);
uint32_t proxy_set_buffer_bytes(uint32_t t, uint32_t start, uint32_t size, const char* p, size_t n);
uint32_t proxy_get_buffer_status(uint32_t t, uint32_t* lp, uint32_t* fp);
uint32_t proxy_get_header_map_value(uint32_t m, const char* k, size_t kl, uint32_t* pp, uint32_t* sp);
uint32_t proxy_get_header_map_pairs(uint32_t m, uint32_t* pp, uint32_t* sp);
uint32_t proxy_set_header_map_pairs(uint32_t m, const char* p, size_t n);
uint32_t proxy_get_header_map_size(uint32_t m, uint32_t* sp);
uint32_t proxy_add_header_map_value(uint32_t m, const char* k, size_t kl, const char* v, size_t vl);
uint32_t proxy_replace_header_map_value(uint32_t m, const char* k, size_t kl, const char* v, size_t vl);
uint32_t proxy_remove_header_map_value(uint32_t m, const char* k, size_t kl);
uint32_t proxy_continue_stream(uint32_t s);
uint32_t proxy_close_stream(uint32_t s);
uint32_t proxy_send_local_response(uint32_t status, const char* d, size_t dl, const char* b, size_t bl, const char* h, size_t hl, int32_t grpc);
uint32_t proxy_get_property(const char* p, size_t pl, uint32_t* pp, uint32_t* sp);
uint32_t proxy_set_property(const char* p, size_t pl, const char* v, size_t vl);
uint32_t proxy_set_shared_data(const char* k, size_t kl, const char* v, size_t vl, uint32_t cas);
uint32_t proxy_get_shared_data(const char* k, size_t kl, uint32_t* pp, uint32_t* sp, uint32_t* cp);
uint32_t proxy_register_shared_queue(const char* n, size_t nl, uint32_t* qp);
uint32_t proxy_resolve_shared_queue(const char* v, size_t vl, const char* n, size_t nl, uint32_t* qp);
uint32_t proxy_dequeue_shared_queue(uint32_t q, uint32_t* pp, uint32_t* sp);
uint32_t proxy_define_metric(uint32_t t, const char* n, size_t nl, uint32_t* ip);
uint32_t proxy_increment_metric(uint32_t id, int64_t d);
uint32_t proxy_record_metric(uint32_t id, uint64_t v);
uint32_t proxy_get_metric(uint32_t id, uint64_t* vp);
uint32_t proxy_http_call(const char* u, size_t ul, const char* h, size_t hl, const char* b, size_t bl, const char* t, size_t tl,
                         uint32_t timeout, uint32_t* tp);
uint32_t proxy_set_effective_context(uint32_t c);
uint32_t proxy_set_tick_period_milliseconds(uint32_t ms);
uint32_t proxy_get_current_time_nanoseconds(uint64_t* tp);
uint32_t proxy_get_log_level(uint32_t* lp);
uint32_t proxy_call_foreign_function(const char* n, size_t nl, const char* a, size_t al, uint32_t* pp, uint32_t* sp);
uint32_t proxy_get_status(uint32_t* cp, uint32_t* pp, uint32_t* sp);
// Emscripten 3.1 links no random_get of its own: imported by hand (the other WASI calls come from its wasi/api.h).
__attribute__((import_module("wasi_snapshot_preview1"), import_name("random_get"))) uint16_t wasi_random_get(uint8_t* p, size_t n);
}

namespace {

// Output slots the host writes pointers, sizes and numbers into.
uint32_t ret[4];
uint64_t wide;
std::unordered_map<uint32_t, std::string> cases;
std::unordered_map<uint32_t, uint32_t> callers;

template <size_t N> std::string lit(const char (&s)[N]) { return std::string(s, N - 1); }
std::string num(int64_t n) { return std::to_string(n); }

/** As the Rust and Go SDKs do, the outputs start as (null, 0). */
uint32_t getBuffer(uint32_t t, uint32_t max) {
  ret[0] = ret[1] = 0;
  return proxy_get_buffer_bytes(t, 0, max, &ret[0], &ret[1]);
}
/** Takes the (ptr, len) the host returned as a string and frees the module-side buffer. */
std::string retString() {
  char* p = reinterpret_cast<char*>(ret[0]);
  if (p == nullptr) return "";
  std::string s(p, ret[1]);
  free(p);
  return s;
}
void note(const std::string& key, const std::string& value) {
  std::string line = key + "=" + value;
  proxy_log(2, line.data(), line.size());
}
std::string status(uint32_t st) { return "<" + num(st) + ">"; }

std::string header(uint32_t map, const std::string& name) {
  uint32_t st = proxy_get_header_map_value(map, name.data(), name.size(), &ret[0], &ret[1]);
  return st == 0 ? retString() : status(st);
}
uint32_t addHeader(uint32_t map, const std::string& name, const std::string& value) {
  return proxy_add_header_map_value(map, name.data(), name.size(), value.data(), value.size());
}
/** Reads all pairs and renders them "k:v,k:v" by decoding the ABI's pairs layout itself. */
std::string pairs(uint32_t map) {
  if (proxy_get_header_map_pairs(map, &ret[0], &ret[1]) != 0) return "<err>";
  const char* p = reinterpret_cast<const char*>(ret[0]);
  if (p == nullptr) return "";
  uint32_t n;
  memcpy(&n, p, 4);
  const char* data = p + 4 + 8 * n;
  std::string out;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t kl, vl;
    memcpy(&kl, p + 4 + 8 * i, 4);
    memcpy(&vl, p + 8 + 8 * i, 4);
    if (i > 0) out += ",";
    out += std::string(data, kl) + ":" + std::string(data + kl + 1, vl);
    data += kl + vl + 2;
  }
  free(const_cast<char*>(p));
  return out;
}
/** Pairs in the ABI's layout. */
std::string encodePairs(std::initializer_list<std::pair<std::string, std::string>> list) {
  std::string out(4 + 8 * list.size(), '\0');
  uint32_t n = list.size();
  memcpy(&out[0], &n, 4);
  size_t i = 0;
  for (const auto& [k, v] : list) {
    uint32_t kl = k.size(), vl = v.size();
    memcpy(&out[4 + 8 * i], &kl, 4);
    memcpy(&out[8 + 8 * i], &vl, 4);
    out += k;
    out += '\0';
    out += v;
    out += '\0';
    i++;
  }
  return out;
}
std::string property(const std::string& path) {
  uint32_t st = proxy_get_property(path.data(), path.size(), &ret[0], &ret[1]);
  return st == 0 ? retString() : status(st);
}
std::string propertyI64(const std::string& path) {
  uint32_t st = proxy_get_property(path.data(), path.size(), &ret[0], &ret[1]);
  if (st != 0) return status(st);
  int64_t v;
  memcpy(&v, reinterpret_cast<void*>(ret[0]), 8);
  free(reinterpret_cast<void*>(ret[0]));
  return num(v);
}
/** The Rust SDK's way of reading a whole buffer: max size 0xFFFFFFFF. */
std::string bufferString(uint32_t t) {
  uint32_t st = getBuffer(t, 0xFFFFFFFF);
  return st == 0 ? retString() : status(st);
}
std::string caseOf(uint32_t ctx) {
  auto it = cases.find(ctx);
  return it == cases.end() ? "" : it->second;
}

uint32_t statusCase() {
  note("effective_bad", num(proxy_set_effective_context(99999)));
  std::string up = "backend";
  std::string noPath = encodePairs({{":method", "GET"}});
  note("call_no_path", num(proxy_http_call(up.data(), up.size(), noPath.data(), noPath.size(), nullptr, 0, nullptr, 0, 100, &ret[0])));
  std::string q = "nope", vm = "vm";
  note("resolve_missing", num(proxy_resolve_shared_queue(vm.data(), vm.size(), q.data(), q.size(), &ret[0])));
  note("register_queue", num(proxy_register_shared_queue(q.data(), q.size(), &ret[0])));
  note("dequeue_empty", num(proxy_dequeue_shared_queue(ret[0], &ret[0], &ret[1])));
  note("dequeue_unknown", num(proxy_dequeue_shared_queue(77777, &ret[0], &ret[1])));
  note("call_resp_body", num(proxy_get_buffer_bytes(4, 0, 10, &ret[0], &ret[1])));
  note("empty_trailers", num(proxy_get_header_map_pairs(1, &ret[0], &ret[1])) + ":" + num(ret[1]));
  note("time", proxy_get_current_time_nanoseconds(&wide) == 0 && wide > 1600000000000000000ull ? "true" : "false");
  note("wasi_clock", __wasi_clock_time_get(0, 1, &wide) == 0 && wide > 1600000000000000000ull ? "true" : "false");
  note("wasi_random", num(wasi_random_get(reinterpret_cast<uint8_t*>(&wide), 8)));
  __wasi_size_t count = 0, size = 0;
  note("wasi_environ", std::string(__wasi_environ_sizes_get(&count, &size) == 0 ? "true" : "false") + ":" + num(count));
  std::string msg = "stdout line\n";
  __wasi_ciovec_t iov = {reinterpret_cast<const uint8_t*>(msg.data()), msg.size()};
  __wasi_size_t written = 0;
  note("wasi_fd_write", num(__wasi_fd_write(1, &iov, 1, &written)) + ":" + num(written));
  note("wasi_bad_fd", num(__wasi_fd_write(7, &iov, 1, &written)));
  proxy_get_log_level(&ret[0]);
  note("log_level", num(ret[0]));
  note("foreign_unknown", num(proxy_call_foreign_function(q.data(), q.size(), nullptr, 0, &ret[0], &ret[1])));
  return 0;
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void proxy_abi_version_0_2_1() {}

EMSCRIPTEN_KEEPALIVE void proxy_on_context_create(uint32_t id, uint32_t parent) {
  if (parent == 0) {
    note("create_root", num(id) + ":" + property("plugin_root_id"));
  } else {
    note("create_stream", num(id) + ":" + num(parent));
  }
}

EMSCRIPTEN_KEEPALIVE uint32_t proxy_on_vm_start(uint32_t root, uint32_t size) {
  std::string cfg = bufferString(6);
  note("vm_start", num(root) + ":" + num(size) + ":" + cfg);
  return cfg == "fail-vm-start" ? 0 : 1;
}

EMSCRIPTEN_KEEPALIVE uint32_t proxy_on_configure(uint32_t root, uint32_t size) {
  getBuffer(7, size);
  std::string cfg = retString();
  note("configure", num(root) + ":" + cfg);
  if (cfg == "tick") proxy_set_tick_period_milliseconds(5);
  if (cfg == "queue") {
    std::string n = "jobs";
    uint32_t st = proxy_register_shared_queue(n.data(), n.size(), &ret[0]);
    note("register_queue", num(st) + ":" + num(ret[0]));
  }
  return cfg == "fail" ? 0 : 1;
}

EMSCRIPTEN_KEEPALIVE void proxy_on_tick(uint32_t root) {
  note("tick", num(root));
  proxy_set_tick_period_milliseconds(0);
}

EMSCRIPTEN_KEEPALIVE void proxy_on_queue_ready(uint32_t, uint32_t q) {
  uint32_t st = proxy_dequeue_shared_queue(q, &ret[0], &ret[1]);
  note("queue_ready", num(st) + ":" + (st == 0 ? retString() : ""));
}

EMSCRIPTEN_KEEPALIVE uint32_t proxy_on_request_headers(uint32_t ctx, uint32_t n, uint32_t eos) {
  std::string c = header(0, "x-case");
  // x-only names the one filter of a chain that acts on x-case.
  std::string only = header(0, "x-only");
  if (!only.empty() && only[0] != '<' && only != property("plugin_name")) c = "";
  cases[ctx] = c;
  note("request_headers", num(n) + ":" + num(eos));
  if (c == "headers") {
    note("pairs", pairs(0));
    proxy_get_header_map_size(0, &ret[0]);
    note("size", num(ret[0]));
    note("path", header(0, ":path"));
    note("missing", header(0, "x-absent"));
    addHeader(0, "X-Added", "1");
    std::string k = "x-replaced", v = "new";
    proxy_replace_header_map_value(0, k.data(), k.size(), v.data(), v.size());
    for (std::string gone : {"x-removed", "x-never-there"}) proxy_remove_header_map_value(0, gone.data(), gone.size());
    note("after", pairs(0));
    return 0;
  }
  if (c == "set-pairs") {
    std::string p = encodePairs({{"x-only", "yes"}});
    note("set_pairs", num(proxy_set_header_map_pairs(0, p.data(), p.size())));
    return 0;
  }
  if (c == "local") {
    std::string d = "denied", b = "nope", h = encodePairs({{"x-deny", "yes"}});
    proxy_send_local_response(403, d.data(), d.size(), b.data(), b.size(), h.data(), h.size(), -1);
    return 0;
  }
  if (c == "pause") return 1;
  if (c == "callout" || c == "callout-fail" || c == "callout-bad") {
    std::string cluster = c == "callout-fail" ? "nowhere" : "backend";
    std::string h = encodePairs({{":method", "GET"}, {":path", "/check"}, {":authority", "backend"}});
    std::string b = "ping";
    uint32_t st = proxy_http_call(cluster.data(), cluster.size(), h.data(), h.size(), b.data(), b.size(), nullptr, 0, 2000, &ret[0]);
    note("http_call", num(st));
    if (st == 0) {
      callers[ret[0]] = ctx;
      note("token", num(ret[0]));
      return 1;
    }
    return 0;
  }
  if (c == "loop") {
    // Spins without calling anything (a volatile read keeps the loop): fuel runs out here, never halfway through malloc.
    volatile uint32_t* never = &ret[3];
    int32_t i = 0;
    while (*never == 0) i++;
    return i;
  }
  if (c == "grow") {
    note("grow_small", num(static_cast<int32_t>(__builtin_wasm_memory_grow(0, 1))));
    note("grow_huge", num(static_cast<int32_t>(__builtin_wasm_memory_grow(0, 100000))));
    return 0;
  }
  if (c == "alloc-grow") {
    // Past the initial memory: the allocator grows it (emscripten then calls env.emscripten_notify_memory_growth),
    // and host calls after the growth still reach the module's memory.
    size_t size = 32u << 20;
    char* big = static_cast<char*>(malloc(size));
    if (big != nullptr) big[size - 1] = 1;
    note("alloc_grow", big != nullptr ? "ok" : "failed");
    addHeader(0, "x-grown", "yes");
    free(big);
    return 0;
  }
  if (c == "trap") __builtin_trap();
  if (c == "props") {
    note("plugin_name", property("plugin_name"));
    note("plugin_root_id", property("plugin_root_id"));
    note("plugin_vm_id", property("plugin_vm_id"));
    note("request_path", property(lit("request\0path")));
    note("request_method", property(lit("request\0method")));
    note("request_header", property(lit("request\0headers\0x-case")));
    note("source_address", property(lit("source\0address")));
    note("destination_port", propertyI64(lit("destination\0port")));
    note("missing_prop", property(lit("no\0such")));
    std::string p = lit("filter\0state"), v = "kept";
    note("set_property", num(proxy_set_property(p.data(), p.size(), v.data(), v.size())));
    note("filter_state", property(p));
    return 0;
  }
  if (c == "shared") {
    std::string k = "counter", v1 = "one", v2 = "two", absent = "absent";
    note("get_missing", num(proxy_get_shared_data(absent.data(), absent.size(), &ret[0], &ret[1], &ret[2])));
    note("set", num(proxy_set_shared_data(k.data(), k.size(), v1.data(), v1.size(), 0)));
    proxy_get_shared_data(k.data(), k.size(), &ret[0], &ret[1], &ret[2]);
    uint32_t cas = ret[2];
    note("get", retString() + ":" + (cas != 0 ? "cas" : "zero"));
    note("set_bad_cas", num(proxy_set_shared_data(k.data(), k.size(), v2.data(), v2.size(), cas + 1000)));
    note("set_good_cas", num(proxy_set_shared_data(k.data(), k.size(), v2.data(), v2.size(), cas)));
    proxy_get_shared_data(k.data(), k.size(), &ret[0], &ret[1], &ret[2]);
    note("get_after", retString());
    return 0;
  }
  if (c == "metrics") {
    std::string cn = "conf_requests", gn = "conf_gauge", hn = "conf_latency";
    proxy_define_metric(0, cn.data(), cn.size(), &ret[0]);
    uint32_t counter = ret[0];
    proxy_define_metric(1, gn.data(), gn.size(), &ret[0]);
    uint32_t gauge = ret[0];
    proxy_define_metric(2, hn.data(), hn.size(), &ret[0]);
    uint32_t hist = ret[0];
    proxy_define_metric(0, cn.data(), cn.size(), &ret[0]);
    note("same_id", ret[0] == counter ? "true" : "false");
    note("inc", num(proxy_increment_metric(counter, 3)));
    note("dec_counter", num(proxy_increment_metric(counter, -1)));
    note("record_gauge", num(proxy_record_metric(gauge, 42)));
    note("inc_gauge", num(proxy_increment_metric(gauge, -2)));
    note("record_hist", num(proxy_record_metric(hist, 7)));
    proxy_get_metric(counter, &wide);
    note("counter", num(wide));
    proxy_get_metric(gauge, &wide);
    note("gauge", num(wide));
    note("get_unknown", num(proxy_get_metric(9999, &wide)));
    return 0;
  }
  if (c == "status") return statusCase();
  if (c == "close") {
    proxy_close_stream(0);
    return 1;
  }
  return 0;
}

EMSCRIPTEN_KEEPALIVE void proxy_on_http_call_response(uint32_t root, uint32_t token, uint32_t nh, uint32_t bl, uint32_t nt) {
  note("call_response", num(root) + ":" + num(nh) + ":" + num(bl) + ":" + num(nt));
  uint32_t ctx = callers[token];
  callers.erase(token);
  std::string status = header(6, ":status");
  std::string body = bufferString(4);
  proxy_get_status(&ret[0], &ret[1], &ret[2]);
  note("call_status", num(ret[0]));
  note("effective", num(proxy_set_effective_context(ctx)));
  // callout-bad: a header value the host refuses, set on the stream from the root context.
  addHeader(0, "x-callout", caseOf(ctx) == "callout-bad" ? "bad\x01value" : status + ":" + body);
  note("continue", num(proxy_continue_stream(0)));
}

EMSCRIPTEN_KEEPALIVE uint32_t proxy_on_request_body(uint32_t ctx, uint32_t size, uint32_t eos) {
  std::string c = caseOf(ctx);
  note("request_body", num(size) + ":" + num(eos));
  if (c == "body-buffer") {
    if (eos == 0) return 1;
    std::string whole = bufferString(0);
    for (char& ch : whole) ch = static_cast<char>(toupper(ch));
    std::string rep = "<" + whole + ">";
    proxy_set_buffer_bytes(0, 0, size, rep.data(), rep.size());
    proxy_get_buffer_status(0, &ret[0], &ret[1]);
    note("body_len_after", num(ret[0]));
    return 0;
  }
  if (c == "body-prepend") {
    std::string pre = "pre-";
    proxy_set_buffer_bytes(0, 0, 0, pre.data(), pre.size());
    return 0;
  }
  if (c == "foreign") {
    if (eos == 0) return 1;
    getBuffer(0, size);
    const char* args = reinterpret_cast<const char*>(ret[0]);
    uint32_t argsLen = ret[1];
    std::string name = "verify_signature";
    uint32_t st = proxy_call_foreign_function(name.data(), name.size(), args, argsLen, &ret[0], &ret[1]);
    note("verify", num(st) + ":" + (st == 0 ? num(*reinterpret_cast<const uint8_t*>(ret[0])) : "-"));
    return 0;
  }
  return 0;
}

EMSCRIPTEN_KEEPALIVE uint32_t proxy_on_request_trailers(uint32_t, uint32_t n) {
  note("request_trailers", num(n) + ":" + header(1, "x-trailer"));
  return 0;
}

EMSCRIPTEN_KEEPALIVE uint32_t proxy_on_response_headers(uint32_t, uint32_t, uint32_t) {
  note("response_headers", header(2, ":status"));
  addHeader(2, "x-seen-by", property("plugin_name"));
  return 0;
}

EMSCRIPTEN_KEEPALIVE uint32_t proxy_on_response_body(uint32_t, uint32_t size, uint32_t eos) {
  note("response_body", num(size) + ":" + num(eos));
  return 0;
}

EMSCRIPTEN_KEEPALIVE uint32_t proxy_on_done(uint32_t ctx) {
  note("done", num(ctx));
  return 1;
}

EMSCRIPTEN_KEEPALIVE void proxy_on_log(uint32_t ctx) { note("log", num(ctx) + ":" + header(0, ":path")); }

EMSCRIPTEN_KEEPALIVE void proxy_on_delete(uint32_t ctx) {
  note("delete", num(ctx));
  cases.erase(ctx);
}

}  // extern "C"
