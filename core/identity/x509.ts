// @peculiar/x509 loaded once behind the Reflect polyfill it needs, and the one key type Weft identities use: ECDSA P-256 with SHA-256.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, webcrypto } from 'node:crypto';

export { splitPem } from './pem.ts';

export { x509 };
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** Workload keys are P-256: every TLS 1.3 stack supports it, and keys and signatures stay small. */
export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** PKCS#8 PEM, what node:tls and openssl read. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export interface SigningKey {
  key: CryptoKey;
  /** What X509CertificateGenerator signs with: the key's own algorithm and hash. */
  algorithm: { name: string; hash: string; namedCurve?: string };
}

/** Curves a supplied CA key may use, with the hash that matches each one's strength. */
const EC_CURVES: Record<string, [string, string]> = { prime256v1: ['P-256', 'SHA-256'], secp384r1: ['P-384', 'SHA-384'], secp521r1: ['P-521', 'SHA-512'] };

/** A private key from PEM (PKCS#8, SEC1 or PKCS#1) as a signing CryptoKey: ECDSA on a NIST curve, or RSA. */
export function importSigningKey(pem: string): SigningKey {
  const key = createPrivateKey(pem);
  const curve = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  let algorithm: SigningKey['algorithm'];
  if (key.asymmetricKeyType === 'ec' && curve) algorithm = { name: 'ECDSA', namedCurve: curve[0], hash: curve[1] };
  else if (key.asymmetricKeyType === 'rsa') algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  else throw new Error(`unsupported key type ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
  return { key: key.toCryptoKey(algorithm, false, ['sign']), algorithm };
}


/** One certificate as PEM text ending with a newline. */
export function certPem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem').trim()}\n`;
}
