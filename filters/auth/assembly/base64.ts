// Base64 decoding for JWT segments and JWK members (RFC 4648: url-safe or standard alphabet, padding optional).

function sextet(code: i32): i32 {
  if (code >= 0x41 && code <= 0x5a) return code - 0x41;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 26;
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 52;
  if (code == 0x2d || code == 0x2b) return 62;
  if (code == 0x5f || code == 0x2f) return 63;
  return -1;
}

/** The decoded bytes, or null when `text` is not base64. */
export function base64Decode(text: string): Uint8Array | null {
  let length = text.length;
  while (length > 0 && text.charCodeAt(length - 1) == 0x3d) length--;
  if (length % 4 == 1) return null;
  const out = new Uint8Array((length * 3) >> 2);
  let bits: u32 = 0;
  let count = 0;
  let written = 0;
  for (let i = 0; i < length; i++) {
    const value = sextet(text.charCodeAt(i));
    if (value < 0) return null;
    bits = (bits << 6) | <u32>value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[written++] = <u8>(bits >> count);
    }
  }
  return out;
}

/** The decoded bytes as UTF-8 text, or null when `text` is not base64. */
export function base64DecodeString(text: string): string | null {
  const bytes = base64Decode(text);
  return bytes === null ? null : String.UTF8.decode(bytes.buffer);
}
