// Filter bytes → a compiled, instrumented WebAssembly.Module: a pure function of its inputs, safe to run in a worker pool.
import { createHash } from 'node:crypto';
import { ABI_MARKERS } from './abi.ts';
import type { AbiVersion } from './abi.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { unknownImports } from './imports.ts';
import { instrumentModule } from './instrument.ts';
import type { InstrumentOptions } from './instrument.ts';

export type CompileOptions = InstrumentOptions;

export interface CompiledFilter {
  module: WebAssembly.Module;
  /** The instrumented bytes `module` was compiled from: what another process compiles to run the same filter. */
  bytes: Uint8Array;
  abiVersion: AbiVersion;
  /** sha256 (hex) of the original bytes. */
  sha256: string;
  /** The module's imports as `module.name`. */
  imports: string[];
}

/** Validates imports and the ABI marker, instruments, compiles. Throws WeftError naming what is wrong. */
export async function compileFilter(bytes: Uint8Array, options: CompileOptions = {}): Promise<CompiledFilter> {
  let original: WebAssembly.Module;
  try {
    original = await WebAssembly.compile(bytes);
  } catch (err) {
    throw new WeftError(ErrorCodes.WASM_INVALID_MODULE, `not a valid WebAssembly module: ${(err as Error).message}`);
  }
  const unknown = unknownImports(original);
  if (unknown.length > 0) {
    throw new WeftError(ErrorCodes.WASM_UNKNOWN_IMPORT, `module imports what the proxy-wasm host does not provide: ${unknown.join(', ')}`);
  }
  const exported = new Set(WebAssembly.Module.exports(original).map((e) => e.name));
  const marker = ABI_MARKERS.find(([name]) => exported.has(name));
  if (!marker) {
    throw new WeftError(ErrorCodes.WASM_INVALID_MODULE, 'module exports no proxy_abi_version_0_2_1, _0_2_0 or _0_1_0 marker');
  }
  if (!exported.has('memory')) throw new WeftError(ErrorCodes.WASM_INVALID_MODULE, 'module exports no memory');
  const instrumented = instrumentModule(bytes, options);
  const module = await WebAssembly.compile(instrumented);
  return {
    module,
    bytes: instrumented,
    abiVersion: marker[1],
    sha256: createHash('sha256').update(bytes).digest('hex'),
    imports: WebAssembly.Module.imports(original).map((i) => `${i.module}.${i.name}`),
  };
}
