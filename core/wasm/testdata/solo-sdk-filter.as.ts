// A filter written against the real AssemblyScript proxy-wasm SDK (@solo-io/proxy-runtime 0.1.8), as a user of that SDK writes one.
export * from "@solo-io/proxy-runtime/proxy";
import {
  Context, Counter, FilterHeadersStatusValues, GrpcStatusValues, HeaderPair, LogLevelValues, RootContext, WasmResultValues,
  continue_request, log, registerRootContext, send_local_response, stream_context,
} from "@solo-io/proxy-runtime";
import { Reference, get_property } from "@solo-io/proxy-runtime/runtime";
import { proxy_get_shared_data, proxy_set_shared_data } from "@solo-io/proxy-runtime/imports";
import { free } from "@solo-io/proxy-runtime/malloc";

/** The "gate" root id: config "reject" refuses to configure; streams get the config as a header, or a 403. */
class GateRoot extends RootContext {
  requests: Counter | null = null;

  onConfigure(configuration_size: u32): bool {
    if (!super.onConfigure(configuration_size)) return false;
    this.requests = new Counter("sdk_gate_requests");
    log(LogLevelValues.info, "configured with '" + this.getConfiguration() + "'");
    return this.getConfiguration() != "reject";
  }

  createContext(context_id: u32): Context {
    return new Gate(context_id, this);
  }
}

class Gate extends Context {
  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const root = this.root_context as GateRoot;
    root.requests!.increment(1);
    log(LogLevelValues.info, "request " + this.context_id.toString() + " with " + headers.toString() + " headers");
    if (stream_context.headers.request.get("x-deny") != "") {
      const extra: HeaderPair[] = [new HeaderPair(String.UTF8.encode("x-denied-by"), String.UTF8.encode("gate"))];
      send_local_response(403, "gate_denied", String.UTF8.encode("forbidden"), extra, GrpcStatusValues.InvalidCode);
      return FilterHeadersStatusValues.StopIteration;
    }
    stream_context.headers.request.add("x-gate-config", root.getConfiguration());
    // The SDK's get_property aborts on any status but OK, as in Envoy a missing property would.
    stream_context.headers.request.add("x-gate-path", String.UTF8.decode(get_property("request\0path")));
    stream_context.headers.request.add("x-gate-visits", bumpVisits("gate_visits").toString());
    stream_context.headers.request.remove("x-internal");
    if (stream_context.headers.request.get("x-lookup") != "") {
      const call: HeaderPair[] = [pair(":method", "GET"), pair(":path", "/lookup"), pair(":authority", "backend")];
      root.httpCall("backend", call, new ArrayBuffer(0), [], 1000, this, onLookup);
      // The SDK's own enum: Envoy holds the stream (headers and body) until the filter continues it.
      return FilterHeadersStatusValues.StopAllIterationAndWatermark;
    }
    return FilterHeadersStatusValues.Continue;
  }

  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.replace("x-gate", "passed " + stream_context.headers.response.get(":status"));
    return FilterHeadersStatusValues.Continue;
  }

  onLog(): void {
    log(LogLevelValues.info, "access " + stream_context.headers.request.get(":path") + " " + stream_context.headers.response.get(":status"));
  }
}

/** Runs on the stream the call came from: the SDK makes it the effective context before calling back. */
function onLookup(origin: Context, headers: u32, body_size: usize, trailers: u32): void {
  stream_context.headers.request.add("x-lookup-status", stream_context.headers.http_callback.get(":status"));
  stream_context.headers.request.add("x-lookup-body-size", body_size.toString());
  continue_request();
}

/** The "audit" root id in the same module: only marks responses. */
class AuditRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new Audit(context_id, this);
  }
}

class Audit extends Context {
  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-audited", "yes");
    return FilterHeadersStatusValues.Continue;
  }
}

function pair(key: string, value: string): HeaderPair {
  return new HeaderPair(String.UTF8.encode(key), String.UTF8.encode(value));
}

/** A u32 counter in shared data, incremented with compare-and-swap. 0.1.8's shared-data wrappers pass wrong pointers, so this uses the SDK's raw imports. */
function bumpVisits(key: string): u32 {
  const name = String.UTF8.encode(key);
  const data = new Reference<usize>();
  const size = new Reference<usize>();
  const cas = new Reference<u32>();
  let visits: u32 = 0;
  const got = proxy_get_shared_data(changetype<usize>(name), name.byteLength, data.ptr(), size.ptr(), cas.ptr());
  if (got == WasmResultValues.Ok) {
    visits = load<u32>(data.data);
    free(data.data);
  } else {
    log(LogLevelValues.info, "no " + key + " yet: status " + got.toString());
  }
  visits++;
  const value = new ArrayBuffer(4);
  store<u32>(changetype<usize>(value), visits);
  const set = proxy_set_shared_data(changetype<usize>(name), name.byteLength, changetype<usize>(value), 4, cas.data);
  if (set != WasmResultValues.Ok) log(LogLevelValues.warn, "set " + key + ": status " + set.toString());
  return visits;
}

registerRootContext((context_id: u32): RootContext => new GateRoot(context_id), "gate");
registerRootContext((context_id: u32): RootContext => new AuditRoot(context_id), "audit");
