// The one registry of Weft's stable error codes: each code is documented in docs/errors.md and never reused.

/** Every code Weft may put in an `x-weft-error` header, a log line or an exit message. */
export const ErrorCodes = {
  /** A request matched no route. HTTP 404. */
  NO_ROUTE: 'WEFT_ERR_NO_ROUTE',
  /** The chosen cluster has no endpoint to send to. HTTP 503. */
  NO_HEALTHY_UPSTREAM: 'WEFT_ERR_NO_HEALTHY_UPSTREAM',
  /** Connecting to the upstream endpoint failed or timed out. HTTP 503. */
  UPSTREAM_CONNECT: 'WEFT_ERR_UPSTREAM_CONNECT',
  /** The upstream did not answer within the route timeout. HTTP 504. */
  UPSTREAM_TIMEOUT: 'WEFT_ERR_UPSTREAM_TIMEOUT',
  /** The upstream reset the connection before the response began. HTTP 502. */
  UPSTREAM_RESET: 'WEFT_ERR_UPSTREAM_RESET',
  /** The mTLS handshake with another sidecar failed: its certificate does not chain to the bundle or names another SPIFFE ID. HTTP 503. */
  UPSTREAM_TLS: 'WEFT_ERR_UPSTREAM_TLS',
  /** The upstream sent a response Weft could not parse. HTTP 502. */
  UPSTREAM_PROTOCOL: 'WEFT_ERR_UPSTREAM_PROTOCOL',
  /** The downstream request was malformed (bad request line, header, framing). HTTP 400. */
  BAD_REQUEST: 'WEFT_ERR_BAD_REQUEST',
  /** The downstream request asked for a tunnel (CONNECT), which the proxy does not open. HTTP 405. */
  METHOD_NOT_ALLOWED: 'WEFT_ERR_METHOD_NOT_ALLOWED',
  /** The downstream request headers exceeded the limit. HTTP 431. */
  HEADERS_TOO_LARGE: 'WEFT_ERR_HEADERS_TOO_LARGE',
  /** The downstream client was too slow to send its headers or request. HTTP 408. */
  REQUEST_TIMEOUT: 'WEFT_ERR_REQUEST_TIMEOUT',
  /** A caller's TLS handshake on an mTLS listener failed (no certificate, one the trust bundle does not vouch for, plain text). No HTTP answer. */
  TLS_HANDSHAKE_FAILED: 'WEFT_ERR_TLS_HANDSHAKE_FAILED',
  /** The proxy is draining and refuses new work. HTTP 503. */
  DRAINING: 'WEFT_ERR_DRAINING',
  /** A configuration file or flag failed validation. Exit code 2. */
  CONFIG_INVALID: 'WEFT_ERR_CONFIG_INVALID',
  /** A listen or admin address could not be bound. Exit code 1. */
  LISTEN_FAILED: 'WEFT_ERR_LISTEN_FAILED',
  /** The command line was wrong: an unknown command, subcommand or flag, a missing or extra argument, a bad value. Exit code 2. */
  USAGE: 'WEFT_ERR_USAGE',
  /** A file or folder named on the command line could not be read or written (missing, of the wrong kind, no permission). Exit code 1. */
  FILE_ACCESS: 'WEFT_ERR_FILE_ACCESS',
  /** A failure Weft did not foresee (a bug, or a condition it does not name yet): one line with this code; --debug shows the stack. Exit code 1. */
  INTERNAL: 'WEFT_ERR_INTERNAL',
  /** A data dir (--data-dir, or the default under ~/.local/state/weft) cannot be used: open to other users, not a directory, not writable, or without the file asked for. Exit 1. */
  DATA_DIR: 'WEFT_ERR_DATA_DIR',
  /** A worker thread died; the supervisor restarts it. */
  WORKER_DIED: 'WEFT_ERR_WORKER_DIED',
  /** A filter module imports a function the proxy-wasm host does not provide; the load fails naming it. */
  WASM_UNKNOWN_IMPORT: 'WEFT_ERR_WASM_UNKNOWN_IMPORT',
  /** A filter module is not valid WebAssembly, lacks a proxy-wasm ABI marker or exceeds the memory cap. */
  WASM_INVALID_MODULE: 'WEFT_ERR_WASM_INVALID_MODULE',
  /** A filter's start-up (_start, on_vm_start, on_configure) returned false or trapped; the load fails naming it. */
  WASM_START_FAILED: 'WEFT_ERR_WASM_START_FAILED',
  /** A filter held the request (paused it) past the route timeout. HTTP 504. */
  FILTER_TIMEOUT: 'WEFT_ERR_FILTER_TIMEOUT',
  /** A filter trapped (or ran out of fuel) while handling the request and fails closed. HTTP 503. */
  WASM_TRAP: 'WEFT_ERR_WASM_TRAP',
  /** A filter handed the host a header that cannot go on the wire (a control character, CR, LF or NUL in a value, a name that is not a token, a :status outside 100-599, a bad local reply) and fails closed. HTTP 503. */
  WASM_INVALID_HEADER: 'WEFT_ERR_WASM_INVALID_HEADER',
  /** A bearer token was missing or wrong on a plane API call. HTTP 401. */
  PLANE_UNAUTHORIZED: 'WEFT_ERR_PLANE_UNAUTHORIZED',
  /** No plane given by --plane / WEFT_PLANE could be reached (a client command or a proxy's watch). */
  PLANE_UNREACHABLE: 'WEFT_ERR_PLANE_UNREACHABLE',
  /** The plane API has no such filter, version, service or resource. HTTP 404. */
  PLANE_NOT_FOUND: 'WEFT_ERR_PLANE_NOT_FOUND',
  /** `weft explain ID`: no proxy watching the plane remembers a request with that x-request-id. HTTP 404. */
  REQUEST_NOT_FOUND: 'WEFT_ERR_REQUEST_NOT_FOUND',
  /** A dashboard write (login, logout, abort rollout with the session cookie) sent from another site's page: Origin or Sec-Fetch-Site says it did not come from the plane's own pages. HTTP 403. */
  PLANE_CROSS_SITE: 'WEFT_ERR_PLANE_CROSS_SITE',
  /** A request body over its plane endpoint's cap (16 KiB unauthenticated, 1 MiB JSON, 4 MiB documents, 32 MiB modules); refused as it arrives. HTTP 413. */
  PLANE_BODY_TOO_LARGE: 'WEFT_ERR_PLANE_BODY_TOO_LARGE',
  /** The plane's store (SQLite file or etcd) failed or could not be reached. HTTP 503. */
  STORE_FAILED: 'WEFT_ERR_STORE_FAILED',
  /** A pushed filter failed the plane's sandbox check (compile, instrument, on_vm_start, on_configure). HTTP 422. */
  FILTER_REJECTED: 'WEFT_ERR_FILTER_REJECTED',
  /** `weft filter build`: the compiler reported errors (printed above the failure line), or the module lacks the ABI marker. Exit code 1. */
  FILTER_BUILD_FAILED: 'WEFT_ERR_FILTER_BUILD_FAILED',
  /** `weft filter test`: a filter's tests failed (node --test's report is printed above the failure line). Exit code 1. */
  FILTER_TESTS_FAILED: 'WEFT_ERR_FILTER_TESTS_FAILED',
  /** `weft filter inspect`: the module exports no Weft metadata (another SDK built it, or it never called describeFilter). Exit code 1. */
  FILTER_NO_METADATA: 'WEFT_ERR_FILTER_NO_METADATA',
  /** A filter version was pushed again with different bytes; versions are immutable. HTTP 409. */
  FILTER_VERSION_EXISTS: 'WEFT_ERR_FILTER_VERSION_EXISTS',
  /** A filter version in use (current, pinned in the mesh config, or in a rollout) cannot be deleted. HTTP 409. */
  FILTER_IN_USE: 'WEFT_ERR_FILTER_IN_USE',
  /** A rollout cannot start (one is running, or the version is unknown) or there is none to abort. HTTP 409. */
  ROLLOUT_CONFLICT: 'WEFT_ERR_ROLLOUT_CONFLICT',
  /** Module bytes fetched from the plane do not hash to the digest the snapshot names; the proxy NACKs. */
  MODULE_DIGEST_MISMATCH: 'WEFT_ERR_MODULE_DIGEST_MISMATCH',
  /** A proxy started with --trust-key got an unsigned or wrongly signed module; it NACKs and keeps its version. */
  MODULE_UNTRUSTED: 'WEFT_ERR_MODULE_UNTRUSTED',
  /** A join token that is unknown, used, expired or malformed, or a renewal whose certificate or proof the plane's CA does not accept. HTTP 403. */
  IDENTITY_REFUSED: 'WEFT_ERR_IDENTITY_REFUSED',
  /** A certificate request the plane cannot sign: not a PKCS#10 CSR, not an ECDSA P-256 key, or a bad self-signature. HTTP 400. */
  IDENTITY_REQUEST_INVALID: 'WEFT_ERR_IDENTITY_REQUEST_INVALID',
  /** A proxy has no usable certificate: none on disk and no join token, or its certificate expired before a renewal succeeded. */
  IDENTITY_UNAVAILABLE: 'WEFT_ERR_IDENTITY_UNAVAILABLE',
  /** The plane's CA files (--ca-cert/--ca-key or <data-dir>/ca) are unreadable, mismatched or not a CA. Exit 2. */
  CA_INVALID: 'WEFT_ERR_CA_INVALID',
  /** A CA rotation step that cannot run now: retiring while certificates of an old root may still be valid, or rotating a supplied CA. HTTP 409. */
  CA_CONFLICT: 'WEFT_ERR_CA_CONFLICT',
  /** A cluster's circuit breaker (connections, pending or active requests) is full; answered at once, not queued. HTTP 503. */
  UPSTREAM_OVERFLOW: 'WEFT_ERR_UPSTREAM_OVERFLOW',
  /** The service's authorization policy denied the request (a deny rule, or no allow rule and default deny). HTTP 403. */
  AUTHZ_DENIED: 'WEFT_ERR_AUTHZ_DENIED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error that carries a stable code and, for the CLI, the exit status it ends the process with. */
export class WeftError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, exitCode = 1) {
    super(message);
    this.name = 'WeftError';
    this.code = code;
    this.exitCode = exitCode;
  }
}
