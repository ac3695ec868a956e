// Moves bytes across the ABI boundary: the out-parameter slots the host writes, the area host calls' string
// arguments are staged in, and where the host's results land.

// Static slots rather than heap cells: a host call never re-enters the SDK except through the
// allocator, which does not touch them, so one set is enough and costs no allocation per call.
export const outPointer: usize = memory.data(4, 4);
export const outSize: usize = memory.data(4, 4);
export const outWide: usize = memory.data(8, 8);

// Most results (a header value, a property, a shared bucket) are small and copied out as soon as
// the call returns, so one static landing area takes them without the allocator; a bigger result,
// or one arriving while the area is taken, gets heap memory as before.
// @ts-ignore: decorator
@inline const landingCapacity: usize = 4096;
const landing: usize = memory.data(<i32>landingCapacity, 16);
let landingTaken = false;

/** Memory for a result the host is about to hand over (`proxy_on_memory_allocate`); the SDK releases it once copied. */
export function allocateForHost(size: usize): usize {
  if (!landingTaken && size <= landingCapacity) {
    landingTaken = true;
    return landing;
  }
  return heap.alloc(size);
}

function release(pointer: usize): void {
  if (pointer == landing) landingTaken = false;
  else if (pointer != 0) heap.free(pointer);
}

/**
 * Copies the buffer whose address and size the host just wrote to `outPointer`/`outSize` into a
 * managed ArrayBuffer and releases the raw one, which the host allocated through
 * `proxy_on_memory_allocate` and handed over to the module.
 */
export function takeOutBuffer(): ArrayBuffer {
  const pointer = load<usize>(outPointer);
  const size = load<u32>(outSize);
  const copy = new ArrayBuffer(<i32>size);
  if (size > 0) memory.copy(changetype<usize>(copy), pointer, size);
  release(pointer);
  return copy;
}

/** Like `takeOutBuffer`, decoding the bytes as UTF-8 straight from where the host put them. */
export function takeOutString(): string {
  const pointer = load<usize>(outPointer);
  const size = load<u32>(outSize);
  const text = size > 0 ? String.UTF8.decodeUnsafe(pointer, size) : "";
  release(pointer);
  return text;
}

/** Releases the result the host handed over, for a caller that read it in place. */
export function releaseOut(): void {
  release(load<usize>(outPointer));
}

/**
 * Clears the out slots so a host that reports success without writing them reads as empty. Every
 * host call that may hand over memory is preceded by this, so a result an earlier call left
 * unclaimed (it failed after allocating) no longer holds the landing area.
 */
export function resetOut(): void {
  store<usize>(outPointer, 0);
  store<u32>(outSize, 0);
  store<u64>(outWide, 0);
  landingTaken = false;
}

// Staging: the UTF-8 of a host call's string arguments (names, keys, paths, values) is written into
// one reusable area rather than a fresh buffer per string, so a header lookup allocates nothing.
// The area keeps up to `stageKeep` bytes between calls; a larger one serves a single call.
// @ts-ignore: decorator
@inline const stageKeep: usize = 65536;
let stageArea: usize = 0;
let stageCapacity: usize = 0;
let stageUsed: usize = 0;

/** The UTF-8 size of the last string `stage` wrote (or of the bytes `stageValue` pointed at). */
export let stagedSize: usize = 0;

/** Starts the arguments of one host call, with room for `bytes` (the sum of `room` of each string to stage). */
export function stageBegin(bytes: usize): void {
  const needed = max<usize>(bytes, 256);
  if (needed > stageCapacity || (stageCapacity > stageKeep && needed <= stageKeep)) {
    if (stageArea != 0) heap.free(stageArea);
    stageArea = heap.alloc(needed);
    stageCapacity = needed;
  }
  stageUsed = 0;
}

/** Appends `text` as UTF-8 to the staged arguments; returns where it starts (its size is then `stagedSize`). */
export function stage(text: string): usize {
  const at = stageArea + stageUsed;
  stagedSize = <usize>String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, at);
  stageUsed += stagedSize;
  return at;
}

/** Appends one byte (a separator) to the staged arguments. */
export function stageByte(value: u8): void {
  store<u8>(stageArea + stageUsed, value);
  stageUsed += 1;
}

/**
 * The room `text` needs in the staging area: for short text the bound of 3 bytes per UTF-16 unit,
 * which costs nothing to compute; for long text its exact UTF-8 size, so a large body is not
 * given three times its size.
 */
export function room(text: string): usize {
  return text.length <= 4096 ? <usize>text.length * 3 : <usize>String.UTF8.byteLength(text);
}

/** The room a `stageValue` argument needs: a string's, none for bytes (they are not copied). */
export function roomFor<T>(data: T): usize {
  return isString<T>() ? room(changetype<string>(data)) : 0;
}

/**
 * A string (staged as UTF-8), an ArrayBuffer or a Uint8Array as a pointer the host reads from; its
 * size is then `stagedSize`. Bytes are passed where they are: the host copies them during the call.
 */
export function stageValue<T>(data: T): usize {
  if (isString<T>()) {
    return stage(changetype<string>(data));
  } else if (data instanceof ArrayBuffer) {
    stagedSize = <usize>changetype<ArrayBuffer>(data).byteLength;
    return changetype<usize>(data);
  } else if (data instanceof Uint8Array) {
    stagedSize = <usize>changetype<Uint8Array>(data).length;
    return changetype<Uint8Array>(data).dataStart;
  } else {
    ERROR("stageValue accepts a string, an ArrayBuffer or a Uint8Array");
    return 0;
  }
}
