// Key-value data shared by every instance of the filter in the process, with compare-and-swap writes.
import { proxyGetSharedData, proxySetSharedData } from "./abi/imports";
import {
  outPointer, outSize, outWide, releaseOut, resetOut, room, roomFor, stage, stageBegin, stagedSize, stageValue, takeOutBuffer,
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

/** Asks the host for the value under `key`; true when set, its bytes then in the out slots and its version in `outWide`. */
function fetchSharedData(key: string): bool {
  stageBegin(room(key));
  const encoded = stage(key);
  resetOut();
  return proxyGetSharedData(encoded, stagedSize, outPointer, outSize, outWide) == Status.Ok;
}

/** The value stored under `key` and its version, or null when the key was never set. */
export function getSharedData(key: string): SharedValue | null {
  if (!fetchSharedData(key)) return null;
  const cas = load<u32>(outWide);
  return new SharedValue(takeOutBuffer(), cas);
}

/**
 * A reusable place to read a small shared value into. `getSharedData` allocates the value and its
 * `SharedValue` on every read; a filter that reads a value of known size on every request (a
 * rate-limit bucket) keeps one of these instead and allocates nothing per read.
 */
export class SharedValueBuffer {
  /** The first `capacity` bytes of the value last read. */
  readonly bytes: ArrayBuffer;
  /** The whole size of the value last read (more than `bytes` holds when it was larger), -1 when its key was never set. */
  size: i32 = -1;
  /** The version the value was read at, for `setSharedData`'s compare-and-swap. */
  cas: u32 = 0;

  constructor(capacity: i32) {
    this.bytes = new ArrayBuffer(capacity);
  }

  /** Reads the value under `key`; false when the key was never set. */
  read(key: string): bool {
    if (!fetchSharedData(key)) {
      this.size = -1;
      this.cas = 0;
      return false;
    }
    const size = load<u32>(outSize);
    memory.copy(changetype<usize>(this.bytes), load<usize>(outPointer), min<usize>(size, <usize>this.bytes.byteLength));
    releaseOut();
    this.size = <i32>size;
    this.cas = load<u32>(outWide);
    return true;
  }
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
