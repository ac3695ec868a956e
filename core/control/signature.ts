// ed25519 signatures over filter module bytes: the push command signs, a proxy with --trust-key verifies.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ErrorCodes, WeftError } from '../errors.ts';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** base64 signature of the module bytes with an ed25519 private key (PEM). */
export function signModule(bytes: Uint8Array, privateKeyPem: string): string {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new WeftError(ErrorCodes.USAGE, `signing key must be ed25519, got ${key.asymmetricKeyType}`, 2);
  return sign(null, bytes, key).toString('base64');
}

/** Reads ed25519 public keys (PEM); a private key is accepted and its public half used. */
export function loadTrustKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new WeftError(ErrorCodes.USAGE, `trust key must be ed25519, got ${key.asymmetricKeyType}`, 2);
  return key;
}

/** Throws WEFT_ERR_MODULE_UNTRUSTED unless one of the keys signed these bytes. */
export function checkSignature(bytes: Uint8Array, signature: string | undefined, keys: readonly KeyObject[], label: string): void {
  if (keys.length === 0) return;
  if (!signature) throw new WeftError(ErrorCodes.MODULE_UNTRUSTED, `${label}: module is unsigned and this proxy requires a trusted signature`);
  const sig = Buffer.from(signature, 'base64');
  if (!keys.some((k) => verify(null, bytes, k, sig))) {
    throw new WeftError(ErrorCodes.MODULE_UNTRUSTED, `${label}: signature does not match any trusted key`);
  }
}
