// The identity endpoints' shapes, shared by the plane and the proxy: join with a token, renew with a proof, what comes back.
import { createHash } from 'node:crypto';

export const JOIN_PATH = '/v1/identity/join';
export const RENEW_PATH = '/v1/identity/renew';
export const BUNDLE_PATH = '/v1/trust-bundle';

/** First certificate: a CSR for a key made on the proxy, and the one-time join token that names its workload. */
export interface JoinRequest {
  token: string;
  csr: string;
}

/**
 * Renewal: a CSR for a fresh key, the current certificate, and `proof`, a signature with the current
 * certificate's key over renewalMessage(csr): only the holder of that key can renew its identity.
 * A replayed request only gets a certificate for a key the replayer does not hold.
 */
export interface RenewRequest {
  csr: string;
  cert: string;
  /** base64 ECDSA-SHA256 signature, IEEE P1363 (r||s) as WebCrypto makes it. */
  proof: string;
}

/** What a join or a renewal returns. */
export interface IssuedCertificate {
  spiffeId: string;
  /** The leaf, PEM. */
  cert: string;
  /** Certificates between the leaf and its root (intermediates), PEM, leaf's issuer first; often none. */
  chain: string[];
  /** Every root the mesh trusts now, PEM: two during a root rotation. */
  bundle: string[];
  notBefore: number;
  notAfter: number;
}

/** Domain-separates the proof from anything else the key signs (TLS CertificateVerify messages carry their own context). */
const RENEWAL_CONTEXT = 'weft identity renewal v1\0';

/** The bytes a renewal proof signs: the context and the sha256 of the CSR's PEM text. */
export function renewalMessage(csrPem: string): Buffer {
  return Buffer.concat([Buffer.from(RENEWAL_CONTEXT), createHash('sha256').update(csrPem.trim()).digest()]);
}
