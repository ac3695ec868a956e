// Join and renewal: a CSR for a key made on the proxy, authorised by a one-time join token or by a proof made with the current certificate's key.
import { createPublicKey, verify } from 'node:crypto';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import { renewalMessage } from '../../core/identity/protocol.ts';
import type { IssuedCertificate, JoinRequest, RenewRequest } from '../../core/identity/protocol.ts';
import { x509 } from '../../core/identity/x509.ts';
import type { Store } from '../store/store.ts';
import type { Authority } from './authority.ts';
import { consumeJoinToken } from './tokens.ts';

function badRequest(message: string): WeftError {
  return new WeftError(ErrorCodes.IDENTITY_REQUEST_INVALID, message);
}

/** The CSR's public key, once its self-signature proves the sender holds the key and the key is P-256. */
async function csrKey(pem: unknown): Promise<x509.PublicKey> {
  if (typeof pem !== 'string') throw badRequest('csr must be a PEM PKCS#10 certificate request');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch (err) {
    throw badRequest(`csr does not parse: ${(err as Error).message}`);
  }
  const alg = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256') throw badRequest(`csr key must be ECDSA P-256, got ${alg.name ?? '?'} ${alg.namedCurve ?? ''}`.trim());
  if (!await csr.verify()) throw badRequest('csr signature does not verify');
  return csr.publicKey;
}

/** First certificate: the token names the workload and is used up; the CSR's subject and extensions are ignored. */
export async function join(ca: Authority, store: Store, body: Partial<JoinRequest>, bundle: string[], now: number): Promise<IssuedCertificate> {
  if (typeof body.token !== 'string') throw new WeftError(ErrorCodes.IDENTITY_REFUSED, 'a join needs {token, csr}');
  const publicKey = await csrKey(body.csr);
  const workload = await consumeJoinToken(store, body.token, now);
  return { ...await ca.issue(publicKey, { namespace: workload.namespace, service: workload.service }, now), bundle };
}

/** Renewal: the same workload as the current certificate, for the CSR's (new) key, if the current key signed the CSR. */
export async function renew(ca: Authority, body: Partial<RenewRequest>, bundle: string[], now: number): Promise<IssuedCertificate> {
  if (typeof body.cert !== 'string' || typeof body.proof !== 'string') throw new WeftError(ErrorCodes.IDENTITY_REFUSED, 'a renewal needs {csr, cert, proof}');
  const publicKey = await csrKey(body.csr);
  const workload = ca.verifyLeaf(body.cert, bundle, now);
  const current = createPublicKey(body.cert);
  if (!verify('sha256', renewalMessage(body.csr as string), { key: current, dsaEncoding: 'ieee-p1363' }, Buffer.from(body.proof, 'base64'))) {
    throw new WeftError(ErrorCodes.IDENTITY_REFUSED, "the renewal proof was not made with the current certificate's key");
  }
  return { ...await ca.issue(publicKey, { namespace: workload.namespace, service: workload.service }, now), bundle };
}
