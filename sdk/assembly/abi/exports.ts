// The module's proxy-wasm 0.2.1 exports: each host callback is routed to the context its id names.
// A filter's entry file re-exports this module: `export * from "<sdk>/assembly/abi/exports"`.
import { completeHttpCall } from "../httpCall";
import { allocateForHost } from "./memory";
import { pluginConfiguration, vmConfiguration } from "../buffers";
import { filterMetadata } from "../metadata";
import { createContext, findContext, getHttpContext, getRootContext, removeContext } from "../registry";
import { Action } from "../types";

/** Marks the module as speaking proxy-wasm ABI 0.2.1; never called. */
export function proxy_abi_version_0_2_1(): void {}

/** Allocates memory the host fills with data it returns; the SDK releases it after copying. */
export function proxy_on_memory_allocate(size: usize): usize {
  return allocateForHost(size);
}

// cpp-host (Envoy) looks for `malloc` first and the spec names `proxy_on_memory_allocate`; offer both.
export { proxy_on_memory_allocate as malloc };

/** The filter's metadata JSON (see `describeFilter`), read by `weft filter inspect` through the loader. */
export function weftFilterMetadata(): string {
  return filterMetadata();
}

/** A root context (parent 0) or an HTTP stream of that root begins. */
export function proxy_on_context_create(contextId: u32, parentId: u32): void {
  createContext(contextId, parentId);
}

/** The VM started: hands the VM configuration to the root's `onVmStart`. */
export function proxy_on_vm_start(rootId: u32, vmConfigurationSize: u32): bool {
  const configuration = vmConfigurationSize == 0 ? "" : vmConfiguration.readString(0, vmConfigurationSize);
  return getRootContext(rootId).onVmStart(configuration);
}

/** A plugin configuration arrived: hands it to the root's `onConfigure`; false rejects it. */
export function proxy_on_configure(rootId: u32, configurationSize: u32): bool {
  const configuration = configurationSize == 0 ? "" : pluginConfiguration.readString(0, configurationSize);
  return getRootContext(rootId).onConfigure(configuration);
}

/** The root's timer fired. */
export function proxy_on_tick(rootId: u32): void {
  getRootContext(rootId).onTick();
}

/** A shared queue the root registered has items. */
export function proxy_on_queue_ready(rootId: u32, queueId: u32): void {
  getRootContext(rootId).onQueueReady(queueId);
}

/** Request headers of a stream; `endOfStream` is an i32 on the wire. */
export function proxy_on_request_headers(contextId: u32, headerCount: u32, endOfStream: u32): Action {
  return getHttpContext(contextId).onRequestHeaders(headerCount, endOfStream != 0);
}

/** A request body chunk (or the buffered body after a Pause). */
export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): Action {
  return getHttpContext(contextId).onRequestBody(bodySize, endOfStream != 0);
}

/** Request trailers of a stream. */
export function proxy_on_request_trailers(contextId: u32, trailerCount: u32): Action {
  return getHttpContext(contextId).onRequestTrailers(trailerCount);
}

/** Response headers of a stream. */
export function proxy_on_response_headers(contextId: u32, headerCount: u32, endOfStream: u32): Action {
  return getHttpContext(contextId).onResponseHeaders(headerCount, endOfStream != 0);
}

/** A response body chunk (or the buffered body after a Pause). */
export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): Action {
  return getHttpContext(contextId).onResponseBody(bodySize, endOfStream != 0);
}

/** Response trailers of a stream. */
export function proxy_on_response_trailers(contextId: u32, trailerCount: u32): Action {
  return getHttpContext(contextId).onResponseTrailers(trailerCount);
}

/** An HTTP call was answered or failed; the host delivers it to the root, the SDK to the caller. */
export function proxy_on_http_call_response(_rootId: u32, token: u32, headerCount: u32, bodySize: u32, trailerCount: u32): void {
  completeHttpCall(token, headerCount, bodySize, trailerCount);
}

// No proxy_on_done: the SDK never defers completion, and hosts take a missing on_done as "done",
// which saves every stream a call into the module.

/** A stream (or plugin) ended; its maps are still readable for access logging. */
export function proxy_on_log(contextId: u32): void {
  const context = findContext(contextId);
  if (context !== null) context.onLog();
}

/** The host forgot a context; so does the SDK. */
export function proxy_on_delete(contextId: u32): void {
  const context = removeContext(contextId);
  if (context !== null) context.onDelete();
}
