// Key-value data shared by every instance of the filter in the process, with compare-and-swap writes.
import { proxyGetSharedData, proxySetSharedData } from "./abi/imports";
import {
  outPointer, outSize, outWide, resetOut, room, roomFor, stage, stageBegin, stagedSize, stageValue, takeOutBuffer,
} from "./abi/memory";
import { Status } from "./types";

/** A shared value and the version (`cas`) it was read at. */
export class SharedValue {
  constructor(public readonly value: ArrayBuffer, public readonly cas: u32) {}

  /** The value decoded as UTF-8. */
  toString(): string {
    return String.UTF8.decode(this.value);
  }
}

/** The value stored under `key` and its version, or null when the key was never set. */
export function getSharedData(key: string): SharedValue | null {
  stageBegin(room(key));
  const encoded = stage(key);
  resetOut();
  if (proxyGetSharedData(encoded, stagedSize, outPointer, outSize, outWide) != Status.Ok) return null;
  const cas = load<u32>(outWide);
  return new SharedValue(takeOutBuffer(), cas);
}

/**
 * Stores a value under `key`. With `cas` 0 the write always wins; with the version from
 * `getSharedData` it succeeds only if nobody wrote since, else returns `Status.CasMismatch`, so a
 * read-modify-write loop (a rate-limit bucket) never loses an update made by another worker.
 */
export function setSharedData<T>(key: string, value: T, cas: u32 = 0): Status {
  stageBegin(room(key) + roomFor<T>(value));
  const encoded = stage(key);
  const encodedSize = stagedSize;
  const bytes = stageValue<T>(value);
  return proxySetSharedData(encoded, encodedSize, bytes, stagedSize, cas);
}
