// A filter written against a second real AssemblyScript proxy-wasm SDK (@gcoredev/proxy-wasm-sdk-as 1.2.3), as a user of that SDK writes one.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  Context, Counter, FilterHeadersStatusValues, GrpcStatusValues, LogLevelValues, RootContext, WasmResultValues,
  get_property, get_shared_data, log, makeHeaderPair, registerRootContext, send_local_response, set_shared_data, stream_context,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";

/** Config "reject" refuses to configure; streams get the config as a header, or a 403 when x-deny is present. */
class StampRoot extends RootContext {
  requests: Counter | null = null;

  onConfigure(configuration_size: u32): bool {
    if (!super.onConfigure(configuration_size)) return false;
    this.requests = new Counter("sdk_stamp_requests");
    log(LogLevelValues.info, "configured with '" + this.getConfiguration() + "'");
    return this.getConfiguration() != "reject";
  }

  createContext(context_id: u32): Context {
    return new Stamp(context_id, this);
  }
}

class Stamp extends Context {
  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const root = this.root_context as StampRoot;
    root.requests!.increment(1);
    if (stream_context.headers.request.get("x-deny") != "") {
      send_local_response(403, "stamp_denied", String.UTF8.encode("no"), [makeHeaderPair("x-denied-by", "stamp")], GrpcStatusValues.InvalidCode);
      return FilterHeadersStatusValues.StopIteration;
    }
    stream_context.headers.request.add("x-stamp-config", root.getConfiguration());
    stream_context.headers.request.add("x-stamp-path", String.UTF8.decode(get_property("request\0path")));
    stream_context.headers.request.add("x-stamp-visits", bumpVisits("stamp_visits").toString());
    return FilterHeadersStatusValues.Continue;
  }

  onLog(): void {
    log(LogLevelValues.info, "access " + stream_context.headers.request.get(":path"));
  }
}

/** A u32 counter in shared data, incremented with compare-and-swap. */
function bumpVisits(key: string): u32 {
  const got = get_shared_data(key);
  let visits: u32 = 0;
  if (got.result == WasmResultValues.Ok) visits = load<u32>(changetype<usize>(got.value!));
  const value = new ArrayBuffer(4);
  store<u32>(changetype<usize>(value), visits + 1);
  const set = set_shared_data(key, value, got.cas);
  if (set != WasmResultValues.Ok) log(LogLevelValues.warn, "set " + key + ": status " + set.toString());
  return visits + 1;
}

registerRootContext((context_id: u32): RootContext => new StampRoot(context_id), "stamp");
