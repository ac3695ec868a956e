// Host functions over header and trailer maps: size, pairs, get/add/replace/remove a value; what a filter sets is checked here (checkHeader).
import { Status } from './abi.ts';
import { checkHeader } from './header-check.ts';
import { Interner } from './intern.ts';
import { decodePairs, encodePairs } from './pairs.ts';
import type { HeaderList } from './stream-host.ts';
import type { WasmVm } from './vm.ts';

/** Header names filters add, replace and remove, lower-cased: the same few on every request. */
const headerNames = new Interner(256, true);

export const mapsHost = {
  proxy_get_header_map_size(this: WasmVm, map: number, sizePtr: number): number {
    const list = this.headerMap(map);
    if (list === undefined) return Status.NotFound;
    this.mem.setU32(sizePtr, list ? encodePairs(list).length : 0);
    return Status.Ok;
  },

  proxy_get_header_map_pairs(this: WasmVm, map: number, ptrPtr: number, sizePtr: number): number {
    const list = this.headerMap(map);
    if (list === undefined) return Status.NotFound;
    return this.returnBytes(list ? encodePairs(list) : new Uint8Array(0), ptrPtr, sizePtr);
  },

  proxy_set_header_map_pairs(this: WasmVm, map: number, ptr: number, size: number): number {
    if (this.headerMap(map) === undefined) return Status.NotFound;
    let list: HeaderList;
    try {
      list = decodePairs(this.mem.view(ptr, size));
    } catch {
      return Status.BadArgument;
    }
    for (const [name, value] of list) checkHeader(map, name, value);
    return this.setHeaderMap(map, list) ? Status.Ok : Status.NotFound;
  },

  proxy_get_header_map_value(this: WasmVm, map: number, keyPtr: number, keyLen: number, ptrPtr: number, sizePtr: number): number {
    const list = this.headerMap(map);
    if (list === undefined) return Status.NotFound;
    const i = list ? indexOfKey(this, list, keyPtr, keyLen) : -1;
    if (i >= 0) return this.returnString(list![i][1], ptrPtr, sizePtr);
    // As Envoy: under ABI 0.1.0 a missing header reads as an empty value (that era's SDKs treat NOT_FOUND as fatal).
    return this.abiVersion === '0.1.0' ? this.returnString('', ptrPtr, sizePtr) : Status.NotFound;
  },

  proxy_add_header_map_value(this: WasmVm, map: number, keyPtr: number, keyLen: number, valuePtr: number, valueLen: number): number {
    const list = writable(this, map);
    if (!list) return Status.NotFound;
    const key = headerNames.get(this.mem, keyPtr, keyLen);
    const value = this.mem.string(valuePtr, valueLen);
    checkHeader(map, key, value);
    list.push([key, value]);
    return Status.Ok;
  },

  proxy_replace_header_map_value(this: WasmVm, map: number, keyPtr: number, keyLen: number, valuePtr: number, valueLen: number): number {
    const list = writable(this, map);
    if (!list) return Status.NotFound;
    const key = headerNames.get(this.mem, keyPtr, keyLen);
    const value = this.mem.string(valuePtr, valueLen);
    checkHeader(map, key, value);
    const first = indexOfName(list, key);
    if (first < 0) {
      list.push([key, value]);
      return Status.Ok;
    }
    list[first] = [key, value];
    removeFrom(list, key, first + 1);
    return Status.Ok;
  },

  proxy_remove_header_map_value(this: WasmVm, map: number, keyPtr: number, keyLen: number): number {
    const list = this.headerMap(map);
    if (list === undefined) return Status.NotFound;
    if (list) removeFrom(list, headerNames.get(this.mem, keyPtr, keyLen), 0);
    return Status.Ok;
  },
};

/**
 * The index of the first pair named by the guest's key, -1 when none. Names in a list are lower-case
 * ASCII tokens, so an ASCII key is compared byte by byte (letters lower-cased) where a string would be decoded and
 * lower-cased on every lookup; a key with other bytes takes that path.
 */
function indexOfKey(vm: WasmVm, list: HeaderList, keyPtr: number, keyLen: number): number {
  const u8 = vm.mem.checked(keyPtr, keyLen);
  const p = keyPtr >>> 0;
  const n = keyLen >>> 0;
  for (let j = 0; j < n; j++) {
    if (u8[p + j] > 127) {
      return indexOfName(list, vm.mem.string(keyPtr, keyLen).toLowerCase());
    }
  }
  outer: for (let i = 0; i < list.length; i++) {
    const name = list[i][0];
    if (name.length !== n) continue;
    for (let j = 0; j < n; j++) {
      const b = u8[p + j];
      if ((b >= 65 && b <= 90 ? b + 32 : b) !== name.charCodeAt(j)) continue outer;
    }
    return i;
  }
  return -1;
}

/** The index of the first pair named `key` (lower-case), -1 when none; a plain loop, cheaper than findIndex's callback per pair. */
function indexOfName(list: HeaderList, key: string): number {
  for (let i = 0; i < list.length; i++) if (list[i][0] === key) return i;
  return -1;
}

/** The map's list, created empty (e.g. trailers added by a filter) when absent; null when not accessible. */
function writable(vm: WasmVm, map: number): HeaderList | null {
  const list = vm.headerMap(map);
  if (list === undefined) return null;
  if (list !== null) return list;
  const fresh: HeaderList = [];
  return vm.setHeaderMap(map, fresh) ? fresh : null;
}

function removeFrom(list: HeaderList, key: string, from: number): void {
  let w = from;
  for (let r = from; r < list.length; r++) if (list[r][0] !== key) list[w++] = list[r];
  list.length = w;
}
