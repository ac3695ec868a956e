// Strings a filter hands the host on every request (header names, property paths) made from its bytes once, then found again by them.

import type { GuestMemory } from './memory.ts';

/**
 * A small table of strings read from guest memory. A filter names the same few headers and
 * properties on every request; decoding each name again (and lower-casing it) costs a native
 * call and a new string each time, where comparing its few bytes with the string held costs neither.
 * Only ASCII is kept: other text is decoded as before, every time.
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
    const n = len >>> 0;
    if (n === 0) return '';
    const lower = this.#lowerCase;
    // The slot comes from the length and three of the bytes: names that share all four are rare, and the
    // comparison below is what decides; hashing every byte first would read the name twice.
    const slot = (n * 31 + fold(u8[at], lower) * 7 + fold(u8[at + (n >> 1)], lower) * 3 + fold(u8[at + n - 1], lower)) & this.#mask;
    const held = this.#slots[slot];
    if (held !== undefined && held.length === n && sameAscii(held, u8, at, lower)) return held;
    const made = this.#decode(mem, ptr, len);
    // Only ASCII is kept: a held string's characters then stand for its bytes one to one.
    if (made.length === n && isAscii(made)) this.#slots[slot] = made;
    return made;
  }

  #decode(mem: GuestMemory, ptr: number, len: number): string {
    const text = mem.string(ptr, len);
    return this.#lowerCase ? text.toLowerCase() : text;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/** A byte, lower-cased if `lower` and an ASCII capital. */
function fold(b: number, lower: boolean): number {
  return lower && b >= 65 && b <= 90 ? b + 32 : b;
}

/** Whether `text` (ASCII) is the bytes at `at`, compared lower-cased if `lower`; a byte beyond ASCII never matches. */
function sameAscii(text: string, u8: Uint8Array, at: number, lower: boolean): boolean {
  for (let i = 0; i < text.length; i++) if (fold(u8[at + i], lower) !== text.charCodeAt(i)) return false;
  return true;
}
