// Typed access to the host's header and trailer maps, and the ABI's pairs encoding they travel in.
import {
  proxyAddHeaderMapValue, proxyGetHeaderMapPairs, proxyGetHeaderMapValue,
  proxyRemoveHeaderMapValue, proxyReplaceHeaderMapValue, proxySetHeaderMapPairs,
} from "./abi/imports";
import { outPointer, outSize, resetOut, room, stage, stageBegin, stagedSize, takeOutBuffer, takeOutString } from "./abi/memory";
import { MapType, Status } from "./types";

/** One header: a name (lower-case on the wire) and its value. Maps keep order and duplicates. */
export class HeaderPair {
  constructor(public name: string, public value: string) {}
}

/**
 * Encodes pairs as the ABI wants them: a u32 count, then each pair's key and value sizes as u32s,
 * then every key and value followed by a NUL byte. All integers little-endian.
 */
export function encodePairs(pairs: HeaderPair[]): ArrayBuffer {
  const count = pairs.length;
  const names = new Array<ArrayBuffer>(count);
  const values = new Array<ArrayBuffer>(count);
  let total = 4 + 8 * count;
  for (let i = 0; i < count; i++) {
    names[i] = String.UTF8.encode(pairs[i].name);
    values[i] = String.UTF8.encode(pairs[i].value);
    total += names[i].byteLength + values[i].byteLength + 2;
  }
  const buffer = new ArrayBuffer(total);
  const base = changetype<usize>(buffer);
  store<u32>(base, count);
  let sizes = base + 4;
  let data = base + 4 + 8 * count;
  for (let i = 0; i < count; i++) {
    const name = names[i];
    const value = values[i];
    store<u32>(sizes, name.byteLength);
    store<u32>(sizes + 4, value.byteLength);
    sizes += 8;
    memory.copy(data, changetype<usize>(name), name.byteLength);
    data += name.byteLength;
    store<u8>(data++, 0);
    memory.copy(data, changetype<usize>(value), value.byteLength);
    data += value.byteLength;
    store<u8>(data++, 0);
  }
  return buffer;
}

/** Decodes the ABI's pairs encoding; an empty or one-byte buffer is an empty map. Stops at the first inconsistency. */
export function decodePairs(buffer: ArrayBuffer): HeaderPair[] {
  const pairs = new Array<HeaderPair>();
  const size = <usize>buffer.byteLength;
  if (size < 4) return pairs;
  const base = changetype<usize>(buffer);
  const count = <usize>load<u32>(base);
  const sizesEnd: usize = 4 + 8 * count;
  if (sizesEnd > size) return pairs;
  let data = base + sizesEnd;
  const end = base + size;
  for (let i: usize = 0; i < count; i++) {
    const nameSize = <usize>load<u32>(base + 4 + (i << 3));
    const valueSize = <usize>load<u32>(base + 8 + (i << 3));
    if (data + nameSize + valueSize + 2 > end) break;
    const name = String.UTF8.decodeUnsafe(data, nameSize);
    data += nameSize + 1;
    const value = String.UTF8.decodeUnsafe(data, valueSize);
    data += valueSize + 1;
    pairs.push(new HeaderPair(name, value));
  }
  return pairs;
}

/** One of the host's header or trailer maps; which stream it belongs to is the host's current context. */
export class HeaderMap {
  constructor(public readonly mapType: MapType) {}

  /** The value of a header, or null when absent. With duplicates the host returns the first. */
  get(name: string): string | null {
    stageBegin(room(name));
    const key = stage(name);
    resetOut();
    if (proxyGetHeaderMapValue(this.mapType, key, stagedSize, outPointer, outSize) != Status.Ok) return null;
    return takeOutString();
  }

  /** Whether the header is present. */
  has(name: string): bool {
    return this.get(name) !== null;
  }

  /** Sets a header, replacing every value it had (adds it when absent). */
  set(name: string, value: string): Status {
    stageBegin(room(name) + room(value));
    const key = stage(name);
    const keySize = stagedSize;
    const bytes = stage(value);
    return proxyReplaceHeaderMapValue(this.mapType, key, keySize, bytes, stagedSize);
  }

  /** Adds a value to a header, keeping the values it already has. */
  add(name: string, value: string): Status {
    stageBegin(room(name) + room(value));
    const key = stage(name);
    const keySize = stagedSize;
    const bytes = stage(value);
    return proxyAddHeaderMapValue(this.mapType, key, keySize, bytes, stagedSize);
  }

  /** Removes a header and all its values; removing an absent header is not an error. */
  remove(name: string): Status {
    stageBegin(room(name));
    const key = stage(name);
    return proxyRemoveHeaderMapValue(this.mapType, key, stagedSize);
  }

  /** Every header in order, duplicates included; empty when the map is not readable here. */
  pairs(): HeaderPair[] {
    resetOut();
    if (proxyGetHeaderMapPairs(this.mapType, outPointer, outSize) != Status.Ok) return new Array<HeaderPair>();
    return decodePairs(takeOutBuffer());
  }

  /** Replaces the whole map with these pairs. */
  setPairs(pairs: HeaderPair[]): Status {
    const encoded = encodePairs(pairs);
    return proxySetHeaderMapPairs(this.mapType, changetype<usize>(encoded), encoded.byteLength);
  }
}

/** The request headers of the current stream. */
export const requestHeaders = new HeaderMap(MapType.HttpRequestHeaders);
/** The request trailers of the current stream. */
export const requestTrailers = new HeaderMap(MapType.HttpRequestTrailers);
/** The response headers of the current stream. */
export const responseHeaders = new HeaderMap(MapType.HttpResponseHeaders);
/** The response trailers of the current stream. */
export const responseTrailers = new HeaderMap(MapType.HttpResponseTrailers);
/** The headers of the HTTP call response being delivered. */
export const httpCallResponseHeaders = new HeaderMap(MapType.HttpCallResponseHeaders);
/** The trailers of the HTTP call response being delivered. */
export const httpCallResponseTrailers = new HeaderMap(MapType.HttpCallResponseTrailers);
