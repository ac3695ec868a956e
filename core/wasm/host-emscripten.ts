// The env import an emscripten module built with memory growth makes (the proxy-wasm C++ SDK's modules): a no-op, as in Envoy.
import type { WasmVm } from './vm.ts';

export const emscriptenHost = {
  /** Called after the module grew its memory; GuestMemory notices a detached buffer by itself, so there is nothing to do. */
  emscripten_notify_memory_growth(this: WasmVm, _memoryIndex: number): void {},
};
