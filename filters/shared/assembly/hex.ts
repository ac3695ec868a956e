// Lower-case hex encoding, for digests and trace ids.

const digits = "0123456789abcdef";

/** A string of `length` code units for the caller to fill: one allocation, where appending digit by digit made two per digit. */
function blankString(length: i32): string {
  return changetype<string>(__new(<usize>length << 1, idof<string>()));
}

function putDigit(text: string, at: i32, value: i32): void {
  store<u16>(changetype<usize>(text) + (<usize>at << 1), <u16>digits.charCodeAt(value));
}

/** Each byte as two lower-case hex digits. */
export function toHex(bytes: Uint8Array): string {
  const out = blankString(bytes.length << 1);
  for (let i = 0; i < bytes.length; i++) {
    putDigit(out, i << 1, bytes[i] >> 4);
    putDigit(out, (i << 1) + 1, bytes[i] & 15);
  }
  return out;
}

/** `bytes` random bytes as lower-case hex, never all zeros (an invalid id in both W3C and B3). */
export function randomHex(bytes: i32): string {
  const out = blankString(bytes << 1);
  let zero = true;
  while (zero) {
    for (let i = 0; i < bytes << 1; i++) {
      const value = <i32>(Math.random() * 16);
      putDigit(out, i, value);
      zero = zero && value == 0;
    }
  }
  return out;
}

/** True when `text` is `length` lower-case hex digits. */
export function isLowerHex(text: string, length: i32): bool {
  if (text.length != length) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) return false;
  }
  return true;
}
