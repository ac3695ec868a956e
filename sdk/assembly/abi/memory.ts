// Moves bytes across the ABI boundary: the out-parameter slots the host writes, and host-allocated buffers.

// Static slots rather than heap cells: a host call never re-enters the SDK except through the
// allocator, which does not touch them, so one set is enough and costs no allocation per call.
export const outPointer: usize = memory.data(4, 4);
export const outSize: usize = memory.data(4, 4);
export const outWide: usize = memory.data(8, 8);

/**
 * Copies the buffer whose address and size the host just wrote to `outPointer`/`outSize` into a
 * managed ArrayBuffer and frees the raw one, which the host allocated through
 * `proxy_on_memory_allocate` and handed over to the module.
 */
export function takeOutBuffer(): ArrayBuffer {
  const pointer = load<usize>(outPointer);
  const size = load<u32>(outSize);
  const copy = new ArrayBuffer(<i32>size);
  if (size > 0) memory.copy(changetype<usize>(copy), pointer, size);
  if (pointer != 0) heap.free(pointer);
  return copy;
}

/** Clears the out slots so a host that reports success without writing them reads as empty. */
export function resetOut(): void {
  store<usize>(outPointer, 0);
  store<u32>(outSize, 0);
  store<u64>(outWide, 0);
}

/** The UTF-8 bytes of a string, or the bytes themselves: the one conversion every byte-taking API uses. */
export function toBytes<T>(data: T): ArrayBuffer {
  if (isString<T>()) {
    return String.UTF8.encode(changetype<string>(data));
  } else if (data instanceof ArrayBuffer) {
    return changetype<ArrayBuffer>(data);
  } else if (data instanceof Uint8Array) {
    return changetype<Uint8Array>(data).slice().buffer;
  } else {
    ERROR("toBytes accepts a string, an ArrayBuffer or a Uint8Array");
    return new ArrayBuffer(0);
  }
}
