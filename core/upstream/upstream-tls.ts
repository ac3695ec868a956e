// TLS to endpoints outside the mesh: the client options a cluster's TLS settings become (one secure context, built when the cluster is), and why a handshake failed, in words.
import type { ConnectionOptions, SecureContext } from 'node:tls';
import type { UpstreamTlsSettings } from '../config/settings.ts';
import { ErrorCodes } from '../errors.ts';
import type { Logger } from '../observe/log.ts';

let defaultRoots: string[] | undefined;
let defaultContext: SecureContext | undefined;

/**
 * The CAs trusted without a caFile: the system's store (what curl and the OS trust) and Node's own (its bundled
 * Mozilla roots and NODE_EXTRA_CA_CERTS), so a host without a ca-certificates package still verifies public sites.
 * Read once per thread, when the first such cluster is built: the system store takes ~150 ms to load.
 */
function trustedRoots(): string[] {
  const { getCACertificates } = process.getBuiltinModule('node:tls');
  defaultRoots ??= [...new Set([...getCACertificates('system'), ...getCACertificates('default')])];
  return defaultRoots;
}

/**
 * The options every connection to a cluster's endpoints is opened with. The secure context is built here, once:
 * given only `ca`, node:tls would build one (parsing every root) for each connection. Clusters with neither a
 * caFile nor a client certificate share one context per thread.
 */
export function egressOptions(t: UpstreamTlsSettings): ConnectionOptions {
  // node:tls loads with the first TLS cluster: a thread that proxies plain HTTP never holds it (~1.7 MiB).
  const { createSecureContext } = process.getBuiltinModule('node:tls');
  const verify = !t.insecureSkipVerify;
  let secureContext: SecureContext;
  if (verify && t.ca === undefined && t.cert === undefined) secureContext = defaultContext ??= createSecureContext({ ca: trustedRoots() });
  else secureContext = createSecureContext({ ca: verify ? t.ca ?? trustedRoots() : undefined, cert: t.cert, key: t.key });
  return { secureContext, rejectUnauthorized: verify };
}

const UNKNOWN_AUTHORITY = 'unknown authority';
const NAME_MISMATCH = 'name mismatch';
const REFUSED_CERT = 'certificate refused';

/**
 * What each failure means to an operator, by the code Node gives it: the verification results of OpenSSL (as
 * node:tls names them), Node's own name check, the alerts a server sends, and a sidecar's identity check.
 */
const REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not yet valid',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'not yet valid',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNKNOWN_AUTHORITY,
  UNABLE_TO_GET_ISSUER_CERT: UNKNOWN_AUTHORITY,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNKNOWN_AUTHORITY,
  SELF_SIGNED_CERT_IN_CHAIN: UNKNOWN_AUTHORITY,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNKNOWN_AUTHORITY,
  CERT_UNTRUSTED: UNKNOWN_AUTHORITY,
  ERR_TLS_CERT_ALTNAME_INVALID: NAME_MISMATCH,
  HOSTNAME_MISMATCH: NAME_MISMATCH,
  CERT_REVOKED: 'revoked',
  CERT_SIGNATURE_FAILURE: 'bad signature',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'bad signature',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'bad signature',
  INVALID_CA: REFUSED_CERT,
  INVALID_PURPOSE: REFUSED_CERT,
  PATH_LENGTH_EXCEEDED: REFUSED_CERT,
  CERT_CHAIN_TOO_LONG: REFUSED_CERT,
  CERT_REJECTED: REFUSED_CERT,
  // The server's side: TLS 1.3 servers say "certificate required"; TLS 1.2 ones end the handshake.
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'client certificate required',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'handshake failure (a client certificate required?)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'client certificate refused',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'client certificate refused (unknown authority)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'client certificate refused (expired)',
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: 'no common protocol (ALPN)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not TLS (the endpoint answered in plain text?)',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'not TLS (the endpoint answered in plain text?)',
  // core/identity/tls.ts: a sidecar proved another workload identity than the registry says.
  ERR_TLS_PEER_IDENTITY: 'wrong workload identity',
};

/** A failure of the TLS handshake or of the peer's certificate: the endpoint cannot be used, as if it had refused the connection. */
export function isTlsFailure(code: string): boolean {
  return code in REASONS || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_');
}

/** "expired: certificate has expired (CERT_HAS_EXPIRED)": the reason, then Node's words and code. */
export function tlsFailureDetail(err: Error): string {
  const code = (err as { code?: string }).code ?? '';
  return `${REASONS[code] ?? 'handshake failed'}: ${err.message} (${code})`;
}

/** What an endpoint remembers of its last TLS failure, so one that keeps failing logs a line per reason every 10 s rather than per request. */
export interface TlsFailing {
  readonly origin: string;
  tlsFailure: string;
  tlsFailureLoggedAt: number;
  tlsFailuresUnlogged: number;
}

const TLS_LOG_INTERVAL_MS = 10_000;

/** Logs (warn) why a try's handshake with `e` failed, unless that reason was logged for it in the last 10 s; returns the detail. */
export function reportTlsFailure(e: TlsFailing, cluster: string, err: Error, log: Logger): string {
  const detail = tlsFailureDetail(err);
  const now = performance.now();
  if (detail === e.tlsFailure && now - e.tlsFailureLoggedAt < TLS_LOG_INTERVAL_MS) {
    e.tlsFailuresUnlogged++;
    return detail;
  }
  log.warn({ cluster, endpoint: e.origin, error: ErrorCodes.UPSTREAM_TLS, detail, suppressed: e.tlsFailuresUnlogged || undefined }, 'upstream TLS handshake failed');
  e.tlsFailure = detail;
  e.tlsFailureLoggedAt = now;
  e.tlsFailuresUnlogged = 0;
  return detail;
}
