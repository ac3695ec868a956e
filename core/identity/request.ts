// What a proxy sends the plane for a certificate: a CSR made with a fresh P-256 key and, to renew, a proof signed with the current key.
import { webcrypto } from 'node:crypto';
import { renewalMessage } from './protocol.ts';
import type { JoinRequest, RenewRequest } from './protocol.ts';
import { EC_P256, generateKeyPair, importSigningKey, privateKeyPem, x509 } from './x509.ts';

/** A new key pair and its CSR; the plane ignores the CSR's subject and decides the SPIFFE ID itself. */
async function freshRequest(): Promise<{ key: string; csr: string }> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ keys, signingAlgorithm: EC_P256 });
  return { key: await privateKeyPem(keys.privateKey), csr: csr.toString('pem') };
}

export async function joinRequest(token: string): Promise<{ key: string; body: JoinRequest }> {
  const { key, csr } = await freshRequest();
  return { key, body: { token, csr } };
}

/** A renewal for a new key, proven with the key of the current (still valid) certificate. */
export async function renewRequest(current: { key: string; cert: string }): Promise<{ key: string; body: RenewRequest }> {
  const { key, csr } = await freshRequest();
  const signer = importSigningKey(current.key);
  const proof = Buffer.from(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signer.key, renewalMessage(csr)));
  return { key, body: { csr, cert: current.cert, proof: proof.toString('base64') } };
}
