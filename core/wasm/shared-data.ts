// Shared data (with CAS) and shared queues in one SharedArrayBuffer, so every worker thread of a process sees the same store.
import { Status } from './abi.ts';
import { copyBytes } from './memory.ts';

// Layout (Int32 slots): 0 lock, 1 last cas, 2 arena top (bytes), 3 queues in use, 4 size (bytes);
// then BUCKETS kv chain heads; then MAX_QUEUES × QUEUE_SLOTS queue descriptors; then the arena.
const LOCK = 0;
const CAS = 1;
const TOP = 2;
const QUEUES = 3;
const BUCKETS = 4096;
const BUCKET_BASE = 16;
const MAX_QUEUES = 256;
const QUEUE_BASE = BUCKET_BASE + BUCKETS;
const QUEUE_SLOTS = 8; // name offset, name length, ring offset, ring capacity, read position, used bytes, notify sequence, spare
const ARENA_START = (QUEUE_BASE + MAX_QUEUES * QUEUE_SLOTS) * 4;
/** Bytes of ring buffer each queue gets; an enqueue that does not fit fails with INTERNAL_FAILURE. */
export const QUEUE_CAPACITY = 64 * 1024;
// kv entry header: next entry, cas, key length, value length, value capacity (Int32 each).
const ENTRY_HEADER = 20;

const encoder = new TextEncoder();

export interface SharedValue {
  value: Uint8Array;
  cas: number;
}

/**
 * A VM's part of the store: the bytes each of its keys is stored under begins with (its vm_id and a
 * NUL) and their hash so far, computed once per VM rather than joined to the key on every call.
 */
export class SharedScope {
  readonly prefix: Uint8Array;
  readonly hash: number;

  constructor(vmId: string) {
    this.prefix = encoder.encode(`${vmId}\0`);
    this.hash = hashInto(FNV_OFFSET, this.prefix, 0, this.prefix.length);
  }
}

export class SharedState {
  readonly buffer: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  /** The value `read` found: its first `size` bytes, valid until the next read. One buffer for every read, grown as needed. */
  lastValue = new Uint8Array(64);
  /** The version of the value `read` found. */
  lastCas = 0;

  /** A zeroed store of `bytes` bytes; create once per process and pass it to every worker. */
  static allocate(bytes = 16 << 20): SharedArrayBuffer {
    const sab = new SharedArrayBuffer(Math.max(bytes, ARENA_START + 4096));
    const i32 = new Int32Array(sab);
    i32[TOP] = ARENA_START;
    i32[4] = sab.byteLength;
    return sab;
  }

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
  }

  get(vmId: string, key: string): SharedValue | null {
    const k = encoder.encode(key);
    const size = this.read(new SharedScope(vmId), k, 0, k.length);
    return size < 0 ? null : { value: this.lastValue.slice(0, size), cas: this.lastCas };
  }

  /** Stores a value; a non-zero `cas` must equal the current one (CAS_MISMATCH otherwise). Returns a status. */
  set(vmId: string, key: string, value: Uint8Array, cas: number): number {
    const k = encoder.encode(key);
    const both = new Uint8Array(k.length + value.length);
    both.set(k);
    both.set(value, k.length);
    return this.write(new SharedScope(vmId), both, 0, k.length, k.length, value.length, cas);
  }

  /**
   * As `get` for the key of `keyLen` bytes at `keyAt` in `src` (a filter's memory): the host's path, which
   * makes no string and no copy of its own. Returns the value's size, -1 when absent; the value is then the
   * first `size` bytes of `lastValue` and its version `lastCas`.
   */
  read(scope: SharedScope, src: Uint8Array, keyAt: number, keyLen: number): number {
    const h = hashInto(scope.hash, src, keyAt, keyLen);
    this.#lock();
    try {
      const entry = this.#find(scope, src, keyAt, keyLen, h);
      if (entry === 0) return -1;
      const i = entry >> 2;
      const start = entry + ENTRY_HEADER + this.#i32[i + 2];
      const size = this.#i32[i + 3];
      if (size > this.lastValue.length) this.lastValue = new Uint8Array(Math.max(size, this.lastValue.length * 2));
      copyBytes(this.lastValue, 0, this.#u8, start, size);
      this.lastCas = this.#i32[i + 1] >>> 0;
      return size;
    } finally {
      this.#unlock();
    }
  }

  /** As `set` for a key (`keyLen` bytes at `keyAt`) and a value (`valueLen` bytes at `valueAt`) both in `src`. */
  write(scope: SharedScope, src: Uint8Array, keyAt: number, keyLen: number, valueAt: number, valueLen: number, cas: number): number {
    const h = hashInto(scope.hash, src, keyAt, keyLen);
    this.#lock();
    try {
      const entry = this.#find(scope, src, keyAt, keyLen, h);
      if (entry !== 0 && cas !== 0 && (this.#i32[(entry >> 2) + 1] >>> 0) !== cas >>> 0) return Status.CasMismatch;
      if (entry !== 0 && this.#i32[(entry >> 2) + 4] >= valueLen) {
        this.#writeValue(entry, src, valueAt, valueLen);
        return Status.Ok;
      }
      const capacity = Math.max(valueLen, entry === 0 ? 16 : this.#i32[(entry >> 2) + 4] * 2);
      const scopedLen = scope.prefix.length + keyLen;
      const fresh = this.#alloc(ENTRY_HEADER + scopedLen + capacity);
      if (fresh === 0) return Status.InternalFailure;
      const i = fresh >> 2;
      this.#i32[i + 2] = scopedLen;
      this.#i32[i + 4] = capacity;
      this.#u8.set(scope.prefix, fresh + ENTRY_HEADER);
      copyBytes(this.#u8, fresh + ENTRY_HEADER + scope.prefix.length, src, keyAt, keyLen);
      this.#writeValue(fresh, src, valueAt, valueLen);
      // The new entry goes first in its chain, hiding (and leaking) any older one for the key.
      const bucket = BUCKET_BASE + (h & (BUCKETS - 1));
      this.#i32[i] = this.#i32[bucket];
      this.#i32[bucket] = fresh;
      if (entry !== 0) this.#unlink(bucket, entry);
      return Status.Ok;
    } finally {
      this.#unlock();
    }
  }

  /** Opens (or creates) a queue; returns its id (≥ 1), or 0 when the table or the arena is full. */
  registerQueue(vmId: string, name: string): number {
    const k = scopedKey(vmId, name);
    this.#lock();
    try {
      const found = this.#findQueue(k);
      if (found !== 0) return found;
      const count = this.#i32[QUEUES];
      if (count >= MAX_QUEUES) return 0;
      const nameAt = this.#alloc(k.length);
      const ringAt = nameAt === 0 ? 0 : this.#alloc(QUEUE_CAPACITY);
      if (ringAt === 0) return 0;
      this.#u8.set(k, nameAt);
      const q = QUEUE_BASE + count * QUEUE_SLOTS;
      this.#i32[q] = nameAt;
      this.#i32[q + 1] = k.length;
      this.#i32[q + 2] = ringAt;
      this.#i32[q + 3] = QUEUE_CAPACITY;
      this.#i32[QUEUES] = count + 1;
      return count + 1;
    } finally {
      this.#unlock();
    }
  }

  /** The id of an existing queue, or 0. */
  resolveQueue(vmId: string, name: string): number {
    const k = scopedKey(vmId, name);
    this.#lock();
    try {
      return this.#findQueue(k);
    } finally {
      this.#unlock();
    }
  }

  enqueue(id: number, value: Uint8Array): number {
    if (!this.#validQueue(id)) return Status.NotFound;
    const q = QUEUE_BASE + (id - 1) * QUEUE_SLOTS;
    this.#lock();
    try {
      const cap = this.#i32[q + 3];
      const used = this.#i32[q + 5];
      if (used + 4 + value.length > cap) return Status.InternalFailure;
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, value.length, true);
      const writeAt = (this.#i32[q + 4] + used) % cap;
      this.#ringWrite(q, writeAt, len);
      this.#ringWrite(q, (writeAt + 4) % cap, value);
      this.#i32[q + 5] = used + 4 + value.length;
    } finally {
      this.#unlock();
    }
    Atomics.add(this.#i32, q + 6, 1);
    Atomics.notify(this.#i32, q + 6);
    return Status.Ok;
  }

  /** The oldest message, or a status: EMPTY, or NOT_FOUND for an unknown queue. */
  dequeue(id: number): Uint8Array | number {
    if (!this.#validQueue(id)) return Status.NotFound;
    const q = QUEUE_BASE + (id - 1) * QUEUE_SLOTS;
    this.#lock();
    try {
      const used = this.#i32[q + 5];
      if (used === 0) return Status.Empty;
      const cap = this.#i32[q + 3];
      const readAt = this.#i32[q + 4];
      const lenBytes = this.#ringRead(q, readAt, 4);
      const len = new DataView(lenBytes.buffer).getUint32(0, true);
      const value = this.#ringRead(q, (readAt + 4) % cap, len);
      this.#i32[q + 4] = (readAt + 4 + len) % cap;
      this.#i32[q + 5] = used - 4 - len;
      return value;
    } finally {
      this.#unlock();
    }
  }

  /** Resolves when a message is enqueued on the queue (from any thread), or after `timeoutMs`. */
  waitForQueue(id: number, timeoutMs: number): Promise<unknown> {
    const index = QUEUE_BASE + (id - 1) * QUEUE_SLOTS + 6;
    const seen = Atomics.load(this.#i32, index);
    const waited = Atomics.waitAsync(this.#i32, index, seen, timeoutMs);
    return waited.async ? waited.value : Promise.resolve(waited.value);
  }

  #validQueue(id: number): boolean {
    return id >= 1 && id <= Atomics.load(this.#i32, QUEUES);
  }

  #findQueue(k: Uint8Array): number {
    const count = this.#i32[QUEUES];
    for (let i = 0; i < count; i++) {
      const q = QUEUE_BASE + i * QUEUE_SLOTS;
      if (this.#i32[q + 1] === k.length && this.#equals(this.#i32[q], k)) return i + 1;
    }
    return 0;
  }

  #ringWrite(q: number, at: number, bytes: Uint8Array): void {
    const base = this.#i32[q + 2];
    const cap = this.#i32[q + 3];
    const first = Math.min(bytes.length, cap - at);
    this.#u8.set(bytes.subarray(0, first), base + at);
    if (first < bytes.length) this.#u8.set(bytes.subarray(first), base);
  }

  #ringRead(q: number, at: number, len: number): Uint8Array {
    const base = this.#i32[q + 2];
    const cap = this.#i32[q + 3];
    const out = new Uint8Array(len);
    const first = Math.min(len, cap - at);
    out.set(this.#u8.subarray(base + at, base + at + first), 0);
    if (first < len) out.set(this.#u8.subarray(base, base + len - first), first);
    return out;
  }

  #writeValue(entry: number, src: Uint8Array, at: number, len: number): void {
    const i = entry >> 2;
    copyBytes(this.#u8, entry + ENTRY_HEADER + this.#i32[i + 2], src, at, len);
    this.#i32[i + 3] = len;
    let cas = (this.#i32[CAS] >>> 0) + 1;
    if (cas > 0xffffffff) cas = 1;
    this.#i32[CAS] = cas | 0;
    this.#i32[i + 1] = cas | 0;
  }

  #find(scope: SharedScope, src: Uint8Array, keyAt: number, keyLen: number, h: number): number {
    const prefix = scope.prefix;
    let entry = this.#i32[BUCKET_BASE + (h & (BUCKETS - 1))];
    while (entry !== 0) {
      const i = entry >> 2;
      if (this.#i32[i + 2] === prefix.length + keyLen && this.#equals(entry + ENTRY_HEADER, prefix) &&
        this.#equalsAt(entry + ENTRY_HEADER + prefix.length, src, keyAt, keyLen)) return entry;
      entry = this.#i32[i];
    }
    return 0;
  }

  #unlink(bucket: number, entry: number): void {
    let prev = -1;
    let cur = this.#i32[bucket];
    while (cur !== 0 && cur !== entry) {
      prev = cur;
      cur = this.#i32[cur >> 2];
    }
    if (cur === 0) return;
    if (prev === -1) this.#i32[bucket] = this.#i32[cur >> 2];
    else this.#i32[prev >> 2] = this.#i32[cur >> 2];
  }

  #equals(at: number, k: Uint8Array): boolean {
    return this.#equalsAt(at, k, 0, k.length);
  }

  #equalsAt(at: number, src: Uint8Array, srcAt: number, len: number): boolean {
    const u8 = this.#u8;
    for (let j = 0; j < len; j++) if (u8[at + j] !== src[srcAt + j]) return false;
    return true;
  }

  /** Bump allocation, 8-byte aligned; 0 when the arena is full. */
  #alloc(bytes: number): number {
    const at = this.#i32[TOP];
    const next = (at + bytes + 7) & ~7;
    if (next > this.buffer.byteLength) return 0;
    this.#i32[TOP] = next;
    return at;
  }

  // The lock word is 0 free, 1 held, 2 held with a thread (maybe) waiting: an uncontended unlock then
  // needs no notify, which costs a call into the runtime (Drepper's "Futexes Are Tricky", mutex 2).
  #lock(): void {
    let seen = Atomics.compareExchange(this.#i32, LOCK, 0, 1);
    if (seen === 0) return;
    if (seen !== 2) seen = Atomics.exchange(this.#i32, LOCK, 2);
    while (seen !== 0) {
      Atomics.wait(this.#i32, LOCK, 2, 1);
      seen = Atomics.exchange(this.#i32, LOCK, 2);
    }
  }

  #unlock(): void {
    if (Atomics.exchange(this.#i32, LOCK, 0) === 2) Atomics.notify(this.#i32, LOCK, 1);
  }
}

function scopedKey(vmId: string, key: string): Uint8Array {
  return encoder.encode(`${vmId}\0${key}`);
}

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a over `len` bytes of `bytes` at `at`, continuing from `h`: a scope's hash continued over a key is the hash of the scoped key. */
function hashInto(h: number, bytes: Uint8Array, at: number, len: number): number {
  for (let i = at; i < at + len; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}
