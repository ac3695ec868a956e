// How an endpoint's connections are opened (plain, h2c, or TLS with its options and server name), and the connection side of a cluster's circuit breaker: every new upstream connection passes here, counted and capped.
import type { buildConnector } from 'undici';
import build from 'undici/lib/core/connect.js';
import type { ClusterState } from './cluster-state.ts';
import { CONNECTIONS } from './breaker-table.ts';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { OnReadOpts } from 'node:net';
import { isTlsFailure } from './upstream-tls.ts';

/** Refused by a circuit breaker; the request is answered 503 at once, not retried, and not held against the endpoint. */
export class UpstreamOverflow extends Error {
  readonly code = 'WEFT_UPSTREAM_OVERFLOW';
}
const CONNECTIONS_FULL = new UpstreamOverflow('cluster at its maxConnections');

export interface Connected {
  readonly state: ClusterState;
  /** Open connections to this endpoint from this worker. */
  connections: number;
}

/**
 * The client side of TLS to one endpoint. `options` is asked at each new connection: a sidecar's workload
 * certificate is renewed while its pools live, and a new object means new options; a cluster outside the mesh
 * returns the same object always. `servername` is sent as SNI and verified ('' for none: an IP address).
 */
export interface DialTls {
  options: () => ConnectionOptions;
  servername: string;
}

/**
 * undici's own connector for one endpoint; it runs once per new connection, never per request. Without `tls`:
 * plain TCP, speaking HTTP/2 from the first byte when `h2`, its reads going to `onread` when given (net's own
 * option). With it: TLS whose ALPN offers h2 first when `h2`, else http/1.1 alone, and whose server name is the
 * endpoint's whatever Host the request that opened it carried.
 */
export function dialer(timeoutMs: number, h2: boolean, tls?: DialTls, onread?: OnReadOpts): buildConnector.connector {
  // useH2c is a connector option undici's types leave out; the others go to net.connect as they are.
  if (!tls) return build({ timeout: timeoutMs, useH2c: h2, onread } as buildConnector.BuildOptions);
  let connect: buildConnector.connector | undefined;
  let builtFor: ConnectionOptions | undefined;
  const servername = tls.servername;
  return (options, callback) => {
    let current: ConnectionOptions;
    try {
      current = tls.options();
    } catch (err) {
      return callback(err as Error, null);
    }
    if (connect === undefined || current !== builtFor) {
      connect = build({ ...current, timeout: timeoutMs, allowH2: h2, preferH2: h2 } as buildConnector.BuildOptions);
      builtFor = current;
    }
    connect({ ...options, servername }, (err, socket) => {
      if (err) return callback(err, null);
      socket!.on('error', endOnTlsAlert);
      callback(null, socket!);
    });
  };
}

/**
 * A TLS error after the handshake (TLS 1.3: a server that wanted a client certificate says so only then) ends the
 * connection with that error. Node leaves the socket open after it, and undici would then report the end of the
 * stream ("other side closed": a reset) in its place.
 */
function endOnTlsAlert(this: TLSSocket, err: Error): void {
  if (isTlsFailure((err as { code?: string }).code ?? '')) this.destroy(err);
}

/** `connect`, counted per endpoint and for the whole process, and refused once the cluster is at its maxConnections. */
export function countingConnector(target: Connected, connect: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    const state = target.state;
    const counts = state.counts;
    const max = state.breakers?.maxConnections;
    // Connections of the whole process to the cluster (every worker's row summed).
    if (max !== undefined && counts.total(CONNECTIONS) >= max) {
      state.overflows.connections++;
      return callback(CONNECTIONS_FULL, null);
    }
    counts.add(CONNECTIONS, 1);
    target.connections++;
    connect(options, (err, socket) => {
      if (err) {
        counts.add(CONNECTIONS, -1);
        target.connections--;
        return callback(err, null);
      }
      socket!.once('close', () => {
        counts.add(CONNECTIONS, -1);
        target.connections--;
      });
      callback(null, socket!);
    });
  };
}
