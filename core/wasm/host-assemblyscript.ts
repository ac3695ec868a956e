// The env imports an AssemblyScript module makes without `--use abort=…`: abort, trace, seed.
import { ModuleExit } from './trap.ts';
import type { WasmVm } from './vm.ts';

export const assemblyScriptHost = {
  abort(this: WasmVm, msgPtr: number, filePtr: number, line: number, column: number): void {
    throw new ModuleExit(255, `abort: ${asString(this, msgPtr)} at ${asString(this, filePtr)}:${line}:${column}`);
  },

  trace(this: WasmVm, msgPtr: number, n: number, ...values: number[]): void {
    this.log(1, `trace: ${asString(this, msgPtr)} ${values.slice(0, n).join(', ')}`.trim());
  },

  seed(): number {
    return Math.random() * 2 ** 52;
  },
};

/** An AssemblyScript string: UTF-16LE, its byte length in the u32 just before the pointer. */
function asString(vm: WasmVm, ptr: number): string {
  if (ptr === 0) return '';
  const len = vm.mem.u32(ptr - 4);
  return Buffer.from(vm.mem.view(ptr, len)).toString('utf16le');
}
