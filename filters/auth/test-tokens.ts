// Signs JWTs for the auth filter's tests with node:crypto: HS256 secrets, RS256 and ES256 key pairs and their JWKs.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface SigningKey {
  alg: 'HS256' | 'RS256' | 'ES256';
  kid: string;
  /** What verifies: the public JWK (or the oct JWK of an HMAC secret), as it goes into a JWKS. */
  jwk: Record<string, unknown>;
  sign(data: Buffer): Buffer;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function hmacKey(kid: string, secret: string): SigningKey {
  return {
    alg: 'HS256', kid,
    jwk: { kty: 'oct', kid, alg: 'HS256', k: base64url(secret) },
    sign: (data) => createHmac('sha256', secret).update(data).digest(),
  };
}

function pairKey(alg: 'RS256' | 'ES256', kid: string, privateKey: KeyObject, publicKey: KeyObject): SigningKey {
  return {
    alg, kid,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
    sign: (data) => sign('sha256', data, alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey),
  };
}

export function rsaKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return pairKey('RS256', kid, privateKey, publicKey);
}

export function ecKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return pairKey('ES256', kid, privateKey, publicKey);
}

/** A compact JWS of `claims` signed with `key`; `header` overrides header fields (a wrong kid, alg "none"). */
export function signToken(key: SigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${base64url(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header }))}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${base64url(key.sign(Buffer.from(input)))}`;
}

/** Seconds since the epoch, as JWT times are written. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
