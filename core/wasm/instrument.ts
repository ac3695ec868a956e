// Rewrites a filter module so every function entry and loop back-edge spends fuel, each proxy-wasm callback has an export that refills it first, and clamps its memory maximum.
import binaryen from 'binaryen';
import { ErrorCodes, WeftError } from '../errors.ts';
import { BUDGET_GLOBAL, FUEL_GLOBAL, REFUELLED_PREFIX, START_FUEL } from './fuel.ts';

export interface InstrumentOptions {
  /** Insert fuel metering (default true). */
  fuel?: boolean;
  /** Memory cap in 64 KiB pages (default 16384 = 1 GiB, Envoy's cap). */
  maxMemoryPages?: number;
}

// Features V8 accepts in what binaryen emits; Features.All made V8 reject the output.
const FEATURES = binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt |
  binaryen.Features.SIMD128 | binaryen.Features.BulkMemory | binaryen.Features.SignExt |
  binaryen.Features.ReferenceTypes | binaryen.Features.Multivalue | binaryen.Features.BulkMemoryOpt |
  binaryen.Features.ExtendedConst;

// Info fields that hold child expressions; `index` and `offset` are immediates for most
// expression kinds and children only for the ids listed here.
const CHILD_FIELDS = ['children', 'operands', 'condition', 'ifTrue', 'ifFalse', 'body', 'value', 'ptr',
  'left', 'right', 'target', 'expected', 'replacement', 'timeout', 'notifyCount', 'vec', 'a', 'b', 'c',
  'shift', 'dest', 'source', 'size', 'delta', 'catchBodies', 'ref', 'init', 'values', 'length'];
const INDEX_IS_CHILD = new Set([binaryen.TableGetId, binaryen.TableSetId, binaryen.ArrayGetId,
  binaryen.ArraySetId, binaryen.ArrayFillId, binaryen.ArrayInitDataId, binaryen.ArrayInitElemId]);
// binaryen.js has these at run time but its typings omit them.
const { Function: BFunction, Loop: BLoop } = binaryen as unknown as {
  Function: { setBody(fn: binaryen.FunctionRef, body: binaryen.ExpressionRef): void };
  Loop: { setBody(loop: binaryen.ExpressionRef, body: binaryen.ExpressionRef): void };
};
// Const's `value` is a literal, not a child.
const LEAVES = new Set([binaryen.ConstId, binaryen.NopId, binaryen.UnreachableId, binaryen.LocalGetId,
  binaryen.GlobalGetId, binaryen.MemorySizeId, binaryen.AtomicFenceId, binaryen.RefNullId, binaryen.RefFuncId,
  binaryen.DataDropId, binaryen.PopId, binaryen.TableSizeId, binaryen.StringConstId]);
const OFFSET_IS_CHILD = new Set([binaryen.MemoryInitId, binaryen.ArrayNewDataId, binaryen.ArrayNewElemId,
  binaryen.ArrayInitDataId, binaryen.ArrayInitElemId]);

/** Instrumented module bytes: fuel metering on an exported global, memory maximum at most the cap. */
export function instrumentModule(bytes: Uint8Array, options: InstrumentOptions = {}): Uint8Array {
  const maxPages = options.maxMemoryPages ?? 16384;
  const out = options.fuel === false ? bytes : addFuel(bytes);
  return capMemory(out, maxPages);
}

function addFuel(bytes: Uint8Array): Uint8Array {
  let mod: binaryen.Module;
  try {
    mod = binaryen.readBinary(bytes);
  } catch (err) {
    throw new WeftError(ErrorCodes.WASM_INVALID_MODULE, `module cannot be read: ${(err as Error).message}`);
  }
  try {
    mod.setFeatures(FEATURES);
    // binaryen 132 takes one BigInt for i64.const; its typings still show the old (low, high) pair.
    const i64 = mod.i64.const as unknown as (value: bigint) => binaryen.ExpressionRef;
    mod.addGlobal(FUEL_GLOBAL, binaryen.i64, true, i64(START_FUEL));
    mod.addGlobalExport(FUEL_GLOBAL, FUEL_GLOBAL);
    const spend = (): binaryen.ExpressionRef => mod.block(null, [
      mod.global.set(FUEL_GLOBAL, mod.i64.sub(mod.global.get(FUEL_GLOBAL, binaryen.i64), i64(1n))),
      mod.if(mod.i64.lt_s(mod.global.get(FUEL_GLOBAL, binaryen.i64), i64(0n)), mod.unreachable()),
    ], binaryen.none);
    for (let i = 0; i < mod.getNumFunctions(); i++) {
      const fn = mod.getFunctionByIndex(i);
      const info = binaryen.getFunctionInfo(fn);
      if (info.module || !info.body) continue;
      meterLoops(mod, info.body, spend);
      BFunction.setBody(fn, mod.block(null, [spend(), info.body], info.results));
    }
    addRefuelledCallbacks(mod, i64(START_FUEL));
    if (!mod.validate()) throw new Error('binaryen validation failed after instrumentation');
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

/**
 * For each exported proxy_on_* callback, an export REFUELLED_PREFIX + name that sets the fuel to the budget global
 * and calls it. The allocator is left out: the host calls it inside host calls, where a refill would let a callback
 * that loops over host calls run for ever.
 */
function addRefuelledCallbacks(mod: binaryen.Module, startFuel: binaryen.ExpressionRef): void {
  mod.addGlobal(BUDGET_GLOBAL, binaryen.i64, true, startFuel);
  mod.addGlobalExport(BUDGET_GLOBAL, BUDGET_GLOBAL);
  const callbacks: { name: string; fn: string }[] = [];
  for (let i = 0; i < mod.getNumExports(); i++) {
    const info = binaryen.getExportInfo(mod.getExportByIndex(i));
    if (info.kind === binaryen.ExternalFunction && info.name.startsWith('proxy_on_') && info.name !== 'proxy_on_memory_allocate') {
      callbacks.push({ name: info.name, fn: info.value });
    }
  }
  for (const { name, fn } of callbacks) {
    const { params, results } = binaryen.getFunctionInfo(mod.getFunction(fn));
    const args = binaryen.expandType(params).map((type, i) => mod.local.get(i, type));
    const wrapper = REFUELLED_PREFIX + name;
    mod.addFunction(wrapper, params, results, [], mod.block(null, [
      mod.global.set(FUEL_GLOBAL, mod.global.get(BUDGET_GLOBAL, binaryen.i64)),
      mod.call(fn, args, results),
    ], results));
    mod.addFunctionExport(wrapper, wrapper);
  }
}

function meterLoops(mod: binaryen.Module, root: binaryen.ExpressionRef, spend: () => binaryen.ExpressionRef): void {
  const stack = [root];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    // Leaves have no children; binaryen.js cannot even describe some of them (unreachable, nop).
    if (LEAVES.has(binaryen.getExpressionId(expr))) continue;
    const info = binaryen.getExpressionInfo(expr) as unknown as Record<string, unknown> & binaryen.ExpressionInfo;
    if (info.id === binaryen.LoopId) {
      const body = info.body as number;
      const type = binaryen.getExpressionInfo(body).type;
      BLoop.setBody(expr, mod.block(null, [spend(), body], type));
    }
    for (const field of CHILD_FIELDS) pushChild(stack, info[field]);
    if (INDEX_IS_CHILD.has(info.id)) pushChild(stack, info.index);
    if (OFFSET_IS_CHILD.has(info.id)) pushChild(stack, info.offset);
  }
}

function pushChild(stack: number[], value: unknown): void {
  if (typeof value === 'number') {
    if (value !== 0) stack.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'number' && v !== 0) stack.push(v);
  }
}

/** Rewrites the memory section's limits so the maximum is at most `maxPages`; rejects a larger minimum. */
export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, sizeLen] = readLeb(bytes, pos + 1);
    const start = pos + 1 + sizeLen;
    if (id === 5) return rewriteMemorySection(bytes, pos, start, start + size, maxPages);
    pos = start + size;
  }
  return bytes;
}

function rewriteMemorySection(bytes: Uint8Array, sectionPos: number, start: number, end: number, maxPages: number): Uint8Array {
  const [count, countLen] = readLeb(bytes, start);
  let p = start + countLen;
  const body: number[] = [...writeLeb(count)];
  for (let i = 0; i < count; i++) {
    const flags = bytes[p++];
    if (flags & 4) throw new WeftError(ErrorCodes.WASM_INVALID_MODULE, 'memory64 is not supported');
    const [min, minLen] = readLeb(bytes, p);
    p += minLen;
    let max = maxPages;
    if (flags & 1) {
      const [declared, maxLen] = readLeb(bytes, p);
      p += maxLen;
      max = Math.min(declared, maxPages);
    }
    if (min > maxPages) {
      throw new WeftError(ErrorCodes.WASM_INVALID_MODULE, `module needs ${min} memory pages, over the cap of ${maxPages}`);
    }
    body.push((flags & 2) | 1, ...writeLeb(min), ...writeLeb(max));
  }
  const section = [5, ...writeLeb(body.length), ...body];
  const out = new Uint8Array(sectionPos + section.length + (bytes.length - end));
  out.set(bytes.subarray(0, sectionPos), 0);
  out.set(section, sectionPos);
  out.set(bytes.subarray(end), sectionPos + section.length);
  return out;
}

function readLeb(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  let len = 0;
  for (;;) {
    const byte = bytes[pos + len++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [result, len];
  }
}

function writeLeb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}
