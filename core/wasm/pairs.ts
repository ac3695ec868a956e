// The proxy-wasm header-pairs wire format: u32 count, count × (u32 key length, u32 value length), then key\0value\0 each.
import type { HeaderList } from './stream-host.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePairs(list: HeaderList): Uint8Array {
  const n = list.length;
  if (n === 0) return new Uint8Array(0);
  const keys = new Array<Uint8Array>(n);
  const values = new Array<Uint8Array>(n);
  let size = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    keys[i] = encoder.encode(list[i][0]);
    values[i] = encoder.encode(list[i][1]);
    size += keys[i].length + values[i].length + 2;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n, true);
  let pos = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    dv.setUint32(4 + 8 * i, keys[i].length, true);
    dv.setUint32(8 + 8 * i, values[i].length, true);
    out.set(keys[i], pos);
    pos += keys[i].length + 1;
    out.set(values[i], pos);
    pos += values[i].length + 1;
  }
  return out;
}

/** Decodes pairs; names are lower-cased as Envoy does. Throws RangeError on a malformed buffer. */
export function decodePairs(bytes: Uint8Array): HeaderList {
  if (bytes.length <= 1) return [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true);
  if (4 + 8 * n > bytes.length) throw new RangeError('header pairs: count exceeds the buffer');
  const out: HeaderList = new Array(n);
  let pos = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const kl = dv.getUint32(4 + 8 * i, true);
    const vl = dv.getUint32(8 + 8 * i, true);
    if (pos + kl + vl + 2 > bytes.length) throw new RangeError('header pairs: sizes exceed the buffer');
    const key = decoder.decode(bytes.subarray(pos, pos + kl)).toLowerCase();
    pos += kl + 1;
    const value = decoder.decode(bytes.subarray(pos, pos + vl));
    pos += vl + 1;
    out[i] = [key, value];
  }
  return out;
}
