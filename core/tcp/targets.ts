// Where a sidecar's TCP connections go: a bound port's service (its sidecars, over mTLS) and the inbound side's app.

/** A `--bind` port whose service is TCP: each connection is tunnelled to one of the service's sidecars. */
export interface TcpTarget {
  service: string;
  /** The sidecars' inbound origins (http://HOST:PORT from the registry); empty until an instance registers. */
  endpoints: string[];
  /** The SPIFFE IDs their certificates may carry. */
  identities: string[];
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

/** The inbound side of a TCP service's sidecar: CONNECT streams from callers go to the app's port. */
export interface TcpApp {
  service: string;
  host: string;
  port: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}
