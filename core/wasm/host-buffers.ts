// Host functions over byte buffers (bodies, configurations, call responses), plus 0.1.0's proxy_get_configuration.
import { BufferType, Status } from './abi.ts';
import type { WasmVm } from './vm.ts';

export const buffersHost = {
  proxy_get_buffer_bytes(this: WasmVm, type: number, start: number, max: number, ptrPtr: number, sizePtr: number): number {
    const buf = this.buffer(type);
    if (buf === null) return Status.NotFound;
    // Sizes are unsigned: the Rust SDK asks for up to 0xFFFFFFFF bytes, which arrives as -1.
    const from = Math.min(start >>> 0, buf.length);
    const to = Math.min(buf.length, from + (max >>> 0));
    // As cpp-host since 2022 (proxy-wasm-cpp-host#303): an empty range, including an empty buffer, writes (0, 0).
    return this.returnBytes(buf.subarray(from, to), ptrPtr, sizePtr);
  },

  proxy_set_buffer_bytes(this: WasmVm, type: number, start: number, size: number, ptr: number, len: number): number {
    const buf = this.buffer(type);
    if (buf === null) return Status.NotFound;
    const data = this.mem.view(ptr, len);
    const from = Math.min(start >>> 0, buf.length);
    const to = Math.min(buf.length, from + (size >>> 0));
    const out = new Uint8Array(from + data.length + (buf.length - to));
    out.set(buf.subarray(0, from), 0);
    out.set(data, from);
    out.set(buf.subarray(to), from + data.length);
    return this.setBuffer(type, out) ? Status.Ok : Status.NotFound;
  },

  proxy_get_buffer_status(this: WasmVm, type: number, lengthPtr: number, flagsPtr: number): number {
    const buf = this.buffer(type);
    if (buf === null) return Status.NotFound;
    this.mem.setU32(lengthPtr, buf.length);
    this.mem.setU32(flagsPtr, 0);
    return Status.Ok;
  },

  /** ABI 0.1.0: the plugin configuration of the current root context. */
  proxy_get_configuration(this: WasmVm, ptrPtr: number, sizePtr: number): number {
    return this.returnBytes(this.buffer(BufferType.PluginConfiguration) ?? new Uint8Array(0), ptrPtr, sizePtr);
  },
};
