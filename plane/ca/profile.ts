// What the plane's certificates contain: a self-signed root per generation, and X.509-SVID workload leaves (SPIFFE X509-SVID §4).
import { EC_P256, x509 } from '../../core/identity/x509.ts';
import type { CryptoKeyPair } from '../../core/identity/x509.ts';

/** Roots outlive every rotation plan; what limits exposure is the short life of the leaves. */
const ROOT_LIFE_MS = 10 * 365 * 24 * 3600_000;
/** A root valid from an hour back, so a proxy whose clock runs behind the plane's accepts a fresh one. */
const ROOT_BACKDATE_MS = 3600_000;

/** Root N of a trust domain: CA, path length 0 (it signs leaves only), key usage certificate and CRL signing, SPIFFE ID of the domain. */
export async function createRoot(trustDomain: string, n: number, keys: CryptoKeyPair, now: number): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned({
    name: `O=weft, CN=${trustDomain} root ${n}`,
    keys, signingAlgorithm: EC_P256,
    notBefore: new Date(now - ROOT_BACKDATE_MS), notAfter: new Date(now + ROOT_LIFE_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://${trustDomain}` }]),
    ],
  });
}

/**
 * A workload leaf: not a CA, key usage digital signature only (critical), both TLS EKUs so one certificate
 * serves and connects, the SPIFFE ID as the one URI SAN (critical, as the subject is empty), and the issuer's
 * key id so chain builders find the signer.
 */
export function leafExtensions(id: string, issuer: x509.X509Certificate): x509.Extension[] {
  const out: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
    new x509.SubjectAlternativeNameExtension([{ type: 'url', value: id }], true),
  ];
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) out.push(new x509.AuthorityKeyIdentifierExtension(ski.keyId));
  return out;
}
