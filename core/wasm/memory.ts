// Typed access to a module's linear memory that survives memory growth (views are rebuilt when the buffer changes).

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class GuestMemory {
  readonly memory: WebAssembly.Memory | null;
  #buffer: ArrayBuffer | null = null;
  /** A shared memory grows without detaching: its buffer has to be read every time. */
  readonly #shared: boolean;
  #u8 = new Uint8Array(0);
  #dv = new DataView(new ArrayBuffer(0));
  /** Buffer view of the same bytes: its native utf8 read/write skips the copies TextEncoder/TextDecoder make. */
  #buf = Buffer.alloc(0);

  /** `null` while the module's start function runs: its exports, memory included, do not exist yet. */
  constructor(memory: WebAssembly.Memory | null) {
    this.memory = memory;
    this.#shared = memory !== null && !(memory.buffer instanceof ArrayBuffer);
  }

  /** The current byte view; any call into the module may grow memory and detach earlier views. */
  get u8(): Uint8Array {
    this.#refresh();
    return this.#u8;
  }

  get dv(): DataView {
    this.#refresh();
    return this.#dv;
  }

  #refresh(): void {
    // Growing a (non-shared) memory detaches its old buffer, which empties the views over it: only then is
    // `memory.buffer`, a call into the engine on every host call, worth reading again.
    if (this.#u8.length !== 0 && !this.#shared) return;
    if (this.memory === null) throw new Error('host call from the start function: the module memory is not reachable yet');
    const buffer = this.memory.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#u8 = new Uint8Array(buffer);
      this.#dv = new DataView(buffer);
      this.#buf = Buffer.from(buffer);
    }
  }

  /** A view of guest bytes, valid until the next call into the module. Pointers and sizes are unsigned. */
  view(ptr: number, len: number): Uint8Array {
    const p = ptr >>> 0;
    return this.checked(p, len).subarray(p, p + (len >>> 0));
  }

  /** The whole memory's bytes once `len` bytes at `ptr` are known to lie inside it: a bounds check without a new view. */
  checked(ptr: number, len: number): Uint8Array {
    const p = ptr >>> 0;
    const n = len >>> 0;
    const u8 = this.u8;
    if (p + n > u8.length) throw new RangeError(`guest memory access out of bounds: ${p}+${n} > ${u8.length}`);
    return u8;
  }

  /** Copies the first `size` bytes of `data` (all by default) into guest memory at `ptr`. */
  write(ptr: number, data: Uint8Array, size = data.length): void {
    copyBytes(this.checked(ptr, size), ptr >>> 0, data, 0, size);
  }

  /** A copy of guest bytes. */
  copy(ptr: number, len: number): Uint8Array {
    const p = ptr >>> 0;
    return this.checked(p, len).slice(p, p + (len >>> 0));
  }

  string(ptr: number, len: number): string {
    if (len === 0) return '';
    const p = ptr >>> 0;
    const end = p + (len >>> 0);
    this.#refresh();
    if (end > this.#buf.length) throw new RangeError(`guest memory access out of bounds: ${p}+${len >>> 0} > ${this.#buf.length}`);
    return this.#buf.toString('utf8', p, end);
  }

  /** Writes `text` as UTF-8 at `ptr`; `bytes` is its encoded length (Buffer.byteLength), already allocated by the module. */
  writeUtf8(ptr: number, text: string, bytes: number): void {
    this.checked(ptr, bytes);
    this.#buf.write(text, ptr >>> 0, bytes, 'utf8');
  }

  u32(ptr: number): number {
    return this.dv.getUint32(ptr >>> 0, true);
  }

  setU32(ptr: number, value: number): void {
    this.dv.setUint32(ptr >>> 0, value >>> 0, true);
  }

  setU64(ptr: number, value: bigint): void {
    this.dv.setBigUint64(ptr >>> 0, BigInt.asUintN(64, value), true);
  }
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * UTF-8 bytes as text. Short values a filter hands over (a property, such as the router's cluster) are small copies
 * that V8 keeps on its heap: a native decoder first moves them to a backing store of their own (~1 µs each), so
 * ASCII is read in JS.
 */
export function fromUtf8(bytes: Uint8Array): string {
  if (bytes.length > 64) return decoder.decode(bytes);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 127) return decoder.decode(bytes);
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

// Up to this many bytes are copied one by one: a subarray to copy them with set() would cost more than the copy.
const SMALL_COPY = 64;

/** Copies `len` bytes of `src` at `srcAt` to `dst` at `dstAt` (a shared-data value, a key: mostly a few bytes). */
export function copyBytes(dst: Uint8Array, dstAt: number, src: Uint8Array, srcAt: number, len: number): void {
  if (len > SMALL_COPY) dst.set(src.subarray(srcAt, srcAt + len), dstAt);
  else for (let j = 0; j < len; j++) dst[dstAt + j] = src[srcAt + j];
}
