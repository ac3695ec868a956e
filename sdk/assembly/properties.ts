// Reading and writing host properties: request attributes, plugin identity, and values filters hand to the host.
import { proxyGetProperty, proxySetProperty } from "./abi/imports";
import { outPointer, outSize, resetOut, takeOutBuffer, toBytes } from "./abi/memory";
import { Status } from "./types";

/** The ABI's path encoding: segments joined by NUL bytes, e.g. ["request", "path"]. */
function encodePath(path: string[]): ArrayBuffer {
  return String.UTF8.encode(path.join("\0"));
}

/** A property's raw bytes, or null when the host has no such property. */
export function getProperty(path: string[]): ArrayBuffer | null {
  const encoded = encodePath(path);
  resetOut();
  if (proxyGetProperty(changetype<usize>(encoded), encoded.byteLength, outPointer, outSize) != Status.Ok) return null;
  return takeOutBuffer();
}

/** A property decoded as UTF-8, or null when the host has no such property. */
export function getPropertyString(path: string[]): string | null {
  const bytes = getProperty(path);
  return bytes === null ? null : String.UTF8.decode(bytes);
}

/**
 * A property holding a little-endian 8-byte integer (how hosts encode numbers such as
 * `response.code`), or `fallback` when missing or of another size.
 */
export function getPropertyInteger(path: string[], fallback: i64 = 0): i64 {
  const bytes = getProperty(path);
  if (bytes === null || bytes.byteLength != 8) return fallback;
  return load<i64>(changetype<usize>(bytes));
}

/**
 * Sets a property to a string (as UTF-8), an ArrayBuffer or a Uint8Array. This is how a filter
 * hands a decision to the host, e.g. the router sets the cluster the host sends the request to.
 */
export function setProperty<T>(path: string[], value: T): Status {
  const encoded = encodePath(path);
  const bytes = toBytes<T>(value);
  return proxySetProperty(changetype<usize>(encoded), encoded.byteLength, changetype<usize>(bytes), bytes.byteLength);
}
