// Strings a filter hands the host on every request (header names, property paths) made from its bytes once, then found again by them.

import type { GuestMemory } from './memory.ts';

// FNV-1a; a slot holds the last string whose bytes hashed to it.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * A small table of strings read from guest memory. A filter names the same few headers and
 * properties on every request; decoding each name again (and lower-casing it) costs a native
 * call and a new string each time, where hashing and comparing its few bytes costs neither.
 * Only ASCII is kept: other bytes are decoded as before, every time.
 */
export class Interner {
  readonly #slots: (string | undefined)[];
  readonly #mask: number;
  readonly #lowerCase: boolean;

  /** `slots`: a power of two; `lowerCase`: strings are ASCII-lower-cased (header names). */
  constructor(slots: number, lowerCase: boolean) {
    this.#slots = new Array<string | undefined>(slots).fill(undefined);
    this.#mask = slots - 1;
    this.#lowerCase = lowerCase;
  }

  /** The text of `len` bytes at `ptr` in the module's memory, lower-cased if this table does that. */
  get(mem: GuestMemory, ptr: number, len: number): string {
    const u8 = mem.checked(ptr, len);
    const at = ptr >>> 0;
    const end = at + (len >>> 0);
    const lower = this.#lowerCase;
    let h = FNV_OFFSET;
    for (let i = at; i < end; i++) {
      const b = u8[i];
      if (b > 127) return this.#decode(mem, ptr, len);
      h = Math.imul(h ^ (lower && b >= 65 && b <= 90 ? b + 32 : b), FNV_PRIME);
    }
    const slot = (h >>> 0) & this.#mask;
    const held = this.#slots[slot];
    if (held !== undefined && held.length === end - at && sameAscii(held, u8, at, lower)) return held;
    const made = this.#decode(mem, ptr, len);
    this.#slots[slot] = made;
    return made;
  }

  #decode(mem: GuestMemory, ptr: number, len: number): string {
    const text = mem.string(ptr, len);
    return this.#lowerCase ? text.toLowerCase() : text;
  }
}

function sameAscii(text: string, u8: Uint8Array, at: number, lower: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const b = u8[at + i];
    if ((lower && b >= 65 && b <= 90 ? b + 32 : b) !== text.charCodeAt(i)) return false;
  }
  return true;
}
