// A proxy's workload identity as plain strings: what the listeners build their TLS context from, and what crosses to worker threads.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { parseSpiffeId, uriSans } from './spiffe.ts';

export interface Identity {
  spiffeId: string;
  /** PKCS#8 PEM: made on this proxy, never sent anywhere. */
  key: string;
  /** The leaf, PEM. */
  cert: string;
  /** Intermediates between the leaf and its root, PEM, served after the leaf; often none. */
  chain: string[];
  /** The roots peers' certificates must chain to, PEM. */
  bundle: string[];
  notBefore: number;
  notAfter: number;
}

/** An identity from its parts, checked: the certificate parses, matches the key, and names one workload. */
export function identityOf(key: string, cert: string, chain: string[], bundle: string[]): Identity {
  const x = new X509Certificate(cert);
  if (!x.checkPrivateKey(createPrivateKey(key))) throw new Error('the certificate does not match the key');
  const uris = uriSans(x.subjectAltName);
  if (uris.length !== 1 || !parseSpiffeId(uris[0])) throw new Error(`the certificate names no workload (${x.subjectAltName ?? 'no SAN'})`);
  return { spiffeId: uris[0], key, cert, chain, bundle, notBefore: Date.parse(x.validFrom), notAfter: Date.parse(x.validTo) };
}
