// Reading and writing host properties: request attributes, plugin identity, and values filters hand to the host.
import { proxyGetProperty, proxySetProperty } from "./abi/imports";
import {
  outPointer, outSize, releaseOut, resetOut, room, roomFor, stage, stageBegin, stageByte, stagedSize, stageValue, takeOutBuffer, takeOutString,
} from "./abi/memory";
import { Status } from "./types";

/** The staging room of a path: each segment's, and a separator byte after each. */
function pathRoom(path: string[]): usize {
  let bytes = <usize>path.length;
  for (let i = 0; i < path.length; i++) bytes += room(path[i]);
  return bytes;
}

/**
 * Stages the ABI's path encoding, segments joined by NUL bytes (e.g. ["request", "path"]), after
 * `stageBegin` made room for `pathRoom(path)`; returns where it starts, its size is then `stagedSize`.
 */
function stagePath(path: string[]): usize {
  if (path.length == 0) {
    stagedSize = 0;
    return 0;
  }
  const start = stage(path[0]);
  let size = stagedSize;
  for (let i = 1; i < path.length; i++) {
    stageByte(0);
    stage(path[i]);
    size += 1 + stagedSize;
  }
  stagedSize = size;
  return start;
}

/** Asks the host for a property; true when it has one, whose bytes are then in the out slots. */
function fetchProperty(path: string[]): bool {
  stageBegin(pathRoom(path));
  const encoded = stagePath(path);
  resetOut();
  return proxyGetProperty(encoded, stagedSize, outPointer, outSize) == Status.Ok;
}

/** A property's raw bytes, or null when the host has no such property. */
export function getProperty(path: string[]): ArrayBuffer | null {
  return fetchProperty(path) ? takeOutBuffer() : null;
}

/** A property decoded as UTF-8, or null when the host has no such property. */
export function getPropertyString(path: string[]): string | null {
  return fetchProperty(path) ? takeOutString() : null;
}

/**
 * A property holding a little-endian 8-byte integer (how hosts encode numbers such as
 * `response.code`), or `fallback` when missing or of another size.
 */
export function getPropertyInteger(path: string[], fallback: i64 = 0): i64 {
  if (!fetchProperty(path)) return fallback;
  const value = load<u32>(outSize) == 8 ? load<i64>(load<usize>(outPointer)) : fallback;
  releaseOut();
  return value;
}

/**
 * Sets a property to a string (as UTF-8), an ArrayBuffer or a Uint8Array. This is how a filter
 * hands a decision to the host, e.g. the router sets the cluster the host sends the request to.
 */
export function setProperty<T>(path: string[], value: T): Status {
  stageBegin(pathRoom(path) + roomFor<T>(value));
  const encoded = stagePath(path);
  const encodedSize = stagedSize;
  const bytes = stageValue<T>(value);
  return proxySetProperty(encoded, encodedSize, bytes, stagedSize);
}
