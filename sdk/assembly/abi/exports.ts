// The module's proxy-wasm 0.2.1 exports: each host callback is routed to the context its id names.
// A filter's entry file re-exports this module: `export * from "<sdk>/assembly/abi/exports"`.
import { completeHttpCall } from "../httpCall";
import { allocateForHost } from "./memory";
import { pluginConfiguration, vmConfiguration } from "../buffers";
import { filterMetadata } from "../metadata";
import { createContext, findContext, getHttpContext, getRootContext, removeContext } from "../registry";
import { Action } from "../types";
import { enter, leave } from "../collect";

// Every callback that runs SDK or filter code is bracketed by enter/leave (../collect.ts), where garbage is collected.
export { callbackDepth as weft_callback_depth } from "../collect";

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
  const depth = enter();
  createContext(contextId, parentId);
  leave(depth);
}

/** The VM started: hands the VM configuration to the root's `onVmStart`. */
export function proxy_on_vm_start(rootId: u32, vmConfigurationSize: u32): bool {
  const depth = enter();
  const configuration = vmConfigurationSize == 0 ? "" : vmConfiguration.readString(0, vmConfigurationSize);
  const result = getRootContext(rootId).onVmStart(configuration);
  leave(depth);
  return result;
}

/** A plugin configuration arrived: hands it to the root's `onConfigure`; false rejects it. */
export function proxy_on_configure(rootId: u32, configurationSize: u32): bool {
  const depth = enter();
  const configuration = configurationSize == 0 ? "" : pluginConfiguration.readString(0, configurationSize);
  const result = getRootContext(rootId).onConfigure(configuration);
  leave(depth);
  return result;
}

/** The root's timer fired. */
export function proxy_on_tick(rootId: u32): void {
  const depth = enter();
  getRootContext(rootId).onTick();
  leave(depth);
}

/** A shared queue the root registered has items. */
export function proxy_on_queue_ready(rootId: u32, queueId: u32): void {
  const depth = enter();
  getRootContext(rootId).onQueueReady(queueId);
  leave(depth);
}

/** Request headers of a stream; `endOfStream` is an i32 on the wire. */
export function proxy_on_request_headers(contextId: u32, headerCount: u32, endOfStream: u32): Action {
  const depth = enter();
  const result = getHttpContext(contextId).onRequestHeaders(headerCount, endOfStream != 0);
  leave(depth);
  return result;
}

/** A request body chunk (or the buffered body after a Pause). */
export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): Action {
  const depth = enter();
  const result = getHttpContext(contextId).onRequestBody(bodySize, endOfStream != 0);
  leave(depth);
  return result;
}

/** Request trailers of a stream. */
export function proxy_on_request_trailers(contextId: u32, trailerCount: u32): Action {
  const depth = enter();
  const result = getHttpContext(contextId).onRequestTrailers(trailerCount);
  leave(depth);
  return result;
}

/** Response headers of a stream. */
export function proxy_on_response_headers(contextId: u32, headerCount: u32, endOfStream: u32): Action {
  const depth = enter();
  const result = getHttpContext(contextId).onResponseHeaders(headerCount, endOfStream != 0);
  leave(depth);
  return result;
}

/** A response body chunk (or the buffered body after a Pause). */
export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): Action {
  const depth = enter();
  const result = getHttpContext(contextId).onResponseBody(bodySize, endOfStream != 0);
  leave(depth);
  return result;
}

/** Response trailers of a stream. */
export function proxy_on_response_trailers(contextId: u32, trailerCount: u32): Action {
  const depth = enter();
  const result = getHttpContext(contextId).onResponseTrailers(trailerCount);
  leave(depth);
  return result;
}

/** An HTTP call was answered or failed; the host delivers it to the root, the SDK to the caller. */
export function proxy_on_http_call_response(_rootId: u32, token: u32, headerCount: u32, bodySize: u32, trailerCount: u32): void {
  const depth = enter();
  completeHttpCall(token, headerCount, bodySize, trailerCount);
  leave(depth);
}

// No proxy_on_done: the SDK never defers completion, and hosts take a missing on_done as "done",
// which saves every stream a call into the module.

/** A stream (or plugin) ended; its maps are still readable for access logging. */
export function proxy_on_log(contextId: u32): void {
  const depth = enter();
  const context = findContext(contextId);
  if (context !== null) context.onLog();
  leave(depth);
}

/** The host forgot a context; so does the SDK. */
export function proxy_on_delete(contextId: u32): void {
  const depth = enter();
  const context = removeContext(contextId);
  if (context !== null) context.onDelete();
  leave(depth);
}
