// Foreign functions filters call through proxy_call_foreign_function; verify_signature checks JWS-style signatures with node:crypto.
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

/** Splits `u32 LE length + bytes` fields; throws on a malformed buffer. */
export function readFields(args: Uint8Array, count: number): Uint8Array[] {
  const dv = new DataView(args.buffer, args.byteOffset, args.byteLength);
  const out: Uint8Array[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > args.length) throw new RangeError('foreign function arguments: truncated length');
    const len = dv.getUint32(pos, true);
    pos += 4;
    if (pos + len > args.length) throw new RangeError('foreign function arguments: truncated field');
    out.push(args.subarray(pos, pos + len));
    pos += len;
  }
  return out;
}

/** Encodes fields as `u32 LE length + bytes` each (the argument format of verify_signature). */
export function writeFields(fields: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, f) => n + 4 + f.length, 0));
  const dv = new DataView(out.buffer);
  let pos = 0;
  for (const f of fields) {
    dv.setUint32(pos, f.length, true);
    out.set(f, pos + 4);
    pos += 4 + f.length;
  }
  return out;
}

const decoder = new TextDecoder();
const HASHES: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** verify_signature(alg, key, data, signature) → [1] valid, [0] invalid; throws on bad arguments. */
export function verifySignature(args: Uint8Array): Uint8Array {
  const [algBytes, key, data, signature] = readFields(args, 4);
  const alg = decoder.decode(algBytes);
  const hash = HASHES[alg.slice(2)];
  if (alg === 'EdDSA') return Uint8Array.of(verify(null, data, publicKey(key), signature) ? 1 : 0);
  if (!hash) throw new RangeError(`verify_signature: unsupported algorithm ${alg}`);
  switch (alg.slice(0, 2)) {
    case 'HS': {
      const mac = createHmac(hash, key).update(data).digest();
      return Uint8Array.of(mac.length === signature.length && timingSafeEqual(mac, signature) ? 1 : 0);
    }
    case 'RS':
      return Uint8Array.of(verify(hash, data, publicKey(key), signature) ? 1 : 0);
    case 'PS':
      return Uint8Array.of(verify(hash, data, { key: publicKey(key), padding: 6, saltLength: -1 }, signature) ? 1 : 0);
    case 'ES':
      // JWS carries ECDSA signatures as raw r||s, not DER.
      return Uint8Array.of(verify(hash, data, { key: publicKey(key), dsaEncoding: 'ieee-p1363' }, signature) ? 1 : 0);
    default:
      throw new RangeError(`verify_signature: unsupported algorithm ${alg}`);
  }
}

/** A public key from PEM (or a private key's PEM), a JWK JSON object, or DER SPKI. */
function publicKey(key: Uint8Array): KeyObject {
  const text = decoder.decode(key).trim();
  if (text.startsWith('-----')) return createPublicKey(text);
  if (text.startsWith('{')) return createPublicKey({ key: JSON.parse(text) as JsonWebKey, format: 'jwk' });
  return createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' });
}
