// Workload SPIFFE IDs (spiffe://TRUST-DOMAIN/ns/NAMESPACE/sa/SERVICE): built, parsed, and read from a peer's certificate.
import type { PeerCertificate } from 'node:tls';

export interface WorkloadId {
  trustDomain: string;
  namespace: string;
  service: string;
}

/** SPIFFE trust domains are lowercase letters, digits, dots, dashes and underscores. */
export const TRUST_DOMAIN_PATTERN = /^[a-z0-9._-]+$/;
/** Path segments: letters, digits, dots, dashes, underscores; "." and ".." are not segments. */
export const SEGMENT_PATTERN = /^(?!\.\.?$)[A-Za-z0-9._-]+$/;

export const DEFAULT_NAMESPACE = 'default';

export function spiffeId(id: WorkloadId): string {
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.service}`;
}

/** The workload an ID names, or undefined when it is not a valid workload SPIFFE ID. */
export function parseSpiffeId(uri: string): WorkloadId | undefined {
  const m = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(uri);
  if (!m || !TRUST_DOMAIN_PATTERN.test(m[1]) || !SEGMENT_PATTERN.test(m[2]) || !SEGMENT_PATTERN.test(m[3])) return undefined;
  return { trustDomain: m[1], namespace: m[2], service: m[3] };
}

/**
 * The URI SANs of node's `subjectaltname` text ("DNS:a, URI:spiffe://…"); node quotes a value that holds
 * a comma or quote as a JSON string, so values are tokenized rather than split on commas.
 */
export function uriSans(subjectAltName: string | undefined): string[] {
  const out: string[] = [];
  for (const m of (subjectAltName ?? '').matchAll(/(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    if (m[1] === 'URI') out.push(m[2].startsWith('"') ? JSON.parse(m[2]) as string : m[2]);
  }
  return out;
}

/**
 * The SPIFFE ID of a verified peer, checked as an X.509-SVID leaf (not a CA, exactly one URI SAN, a workload ID);
 * undefined when the certificate is none of that. Chain verification is TLS's job and happens before.
 */
export function peerSpiffeId(cert: PeerCertificate | undefined): string | undefined {
  if (!cert?.raw || cert.ca) return undefined;
  const uris = uriSans(cert.subjectaltname);
  return uris.length === 1 && parseSpiffeId(uris[0]) ? uris[0] : undefined;
}
