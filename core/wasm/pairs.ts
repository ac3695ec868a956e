// The proxy-wasm header-pairs wire format: u32 count, count × (u32 key length, u32 value length), then key\0value\0 each.
import type { HeaderList } from './stream-host.ts';

/** Encodes into one buffer: lengths from Buffer.byteLength, strings written in place (no per-string arrays). */
export function encodePairs(list: HeaderList): Uint8Array {
  const n = list.length;
  if (n === 0) return new Uint8Array(0);
  let size = 4 + 8 * n;
  for (let i = 0; i < n; i++) size += Buffer.byteLength(list[i][0], 'utf8') + Buffer.byteLength(list[i][1], 'utf8') + 2;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(n, 0);
  let pos = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const kl = out.write(list[i][0], pos, 'utf8');
    pos += kl + 1;
    const vl = out.write(list[i][1], pos, 'utf8');
    pos += vl + 1;
    out.writeUInt32LE(kl, 4 + 8 * i);
    out.writeUInt32LE(vl, 8 + 8 * i);
  }
  return out;
}

/** Decodes pairs; names are lower-cased as Envoy does. Throws RangeError on a malformed buffer. */
export function decodePairs(bytes: Uint8Array): HeaderList {
  if (bytes.length <= 1) return [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true);
  if (4 + 8 * n > bytes.length) throw new RangeError('header pairs: count exceeds the buffer');
  const out: HeaderList = new Array(n);
  let pos = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const kl = dv.getUint32(4 + 8 * i, true);
    const vl = dv.getUint32(8 + 8 * i, true);
    if (pos + kl + vl + 2 > bytes.length) throw new RangeError('header pairs: sizes exceed the buffer');
    const key = buf.toString('utf8', pos, pos + kl).toLowerCase();
    pos += kl + 1;
    const value = buf.toString('utf8', pos, pos + vl);
    pos += vl + 1;
    out[i] = [key, value];
  }
  return out;
}
