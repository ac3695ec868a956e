// Lower-case hex encoding, for digests and trace ids.

const digits = "0123456789abcdef";

/** Each byte as two lower-case hex digits. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    out += digits.charAt(bytes[i] >> 4) + digits.charAt(bytes[i] & 15);
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
