// Host functions for properties: plugin_* names, then the stream's, then node-level ones; values in Envoy's encoding.
import { Status } from './abi.ts';
import { Interner } from './intern.ts';
import { utf8 } from './memory.ts';
import type { PropertyValue } from './stream-host.ts';
import type { WasmVm } from './vm.ts';

/** Property paths as filters encode them: the same few on every request. */
const propertyPaths = new Interner(256, false);

export const propertiesHost = {
  proxy_get_property(this: WasmVm, pathPtr: number, pathLen: number, ptrPtr: number, sizePtr: number): number {
    const path = splitPath(propertyPaths.get(this.mem, pathPtr, pathLen));
    const value = lookup(this, path);
    if (value === undefined) return Status.NotFound;
    if (typeof value === 'string') return this.returnString(value, ptrPtr, sizePtr);
    if (typeof value === 'number' && Number.isSafeInteger(value)) return this.returnInt64(value, ptrPtr, sizePtr);
    return this.returnBytes(encodeProperty(value), ptrPtr, sizePtr);
  },

  proxy_set_property(this: WasmVm, pathPtr: number, pathLen: number, valuePtr: number, valueLen: number): number {
    const path = splitPath(propertyPaths.get(this.mem, pathPtr, pathLen));
    const s = this.stream;
    if (!s) return Status.NotFound;
    s.sink.setProperty(path, this.mem.copy(valuePtr, valueLen));
    return Status.Ok;
  },
};

/** Split paths by their raw text: filters ask for the same few properties on every request. Shared, so never mutated. */
const pathCache = new Map<string, readonly string[]>();

/** Path segments are joined by NUL; a trailing NUL is optional. Dotted paths ("request.path") are accepted too. */
export function splitPath(raw: string): readonly string[] {
  let path = pathCache.get(raw);
  if (path === undefined) {
    const trimmed = raw.endsWith('\0') ? raw.slice(0, -1) : raw;
    path = trimmed.includes('\0') ? trimmed.split('\0') : trimmed.split('.');
    if (pathCache.size >= 1024) pathCache.clear();
    pathCache.set(raw, path);
  }
  return path;
}

function lookup(vm: WasmVm, path: readonly string[]): PropertyValue | undefined {
  if (path.length === 1) {
    const root = vm.root;
    if (path[0] === 'plugin_name') return root?.name;
    if (path[0] === 'plugin_root_id') return root?.rootId;
    if (path[0] === 'plugin_vm_id') return vm.vmId;
  }
  const s = vm.stream;
  const fromStream = s ? s.sink.property(path) : undefined;
  if (fromStream !== undefined) return fromStream;
  return vm.services.properties ? vm.services.properties(path) : undefined;
}

/** Envoy's encoding: strings raw, integers as 8-byte LE int64, other numbers as float64, booleans as one byte. */
export function encodeProperty(value: PropertyValue): Uint8Array {
  if (typeof value === 'string') return utf8(value);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'boolean') return Uint8Array.of(value ? 1 : 0);
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  if (typeof value === 'bigint') dv.setBigInt64(0, value, true);
  else if (Number.isInteger(value)) dv.setBigInt64(0, BigInt(value), true);
  else dv.setFloat64(0, value, true);
  return out;
}
