// proxy_call_foreign_function: named host functions (verify_signature, plus any the worker adds) over raw bytes.
import { Status } from './abi.ts';
import { verifySignature } from './foreign.ts';
import type { WasmVm } from './vm.ts';

const BUILT_IN: Record<string, (args: Uint8Array) => Uint8Array | null> = { verify_signature: verifySignature };

export const foreignHost = {
  proxy_call_foreign_function(this: WasmVm, namePtr: number, nameLen: number, argPtr: number, argLen: number,
    ptrPtr: number, sizePtr: number): number {
    const name = this.mem.string(namePtr, nameLen);
    const fn = this.services.foreignFunctions?.[name] ?? BUILT_IN[name];
    if (!fn) return Status.NotFound;
    let result: Uint8Array | null;
    try {
      result = fn(this.mem.copy(argPtr, argLen));
    } catch (err) {
      this.log(3, `foreign function ${name}: ${(err as Error).message}`);
      return Status.BadArgument;
    }
    if (result === null) return Status.NotFound;
    return this.returnBytes(result, ptrPtr, sizePtr);
  },
};
