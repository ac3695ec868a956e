// The connection side of a cluster's circuit breaker: every new upstream connection passes here, counted and capped.
import { buildConnector } from 'undici';
import type { ClusterState } from './cluster-state.ts';
import { CONNECTIONS } from './breaker-table.ts';
import type { ConnectionOptions } from 'node:tls';

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
 * undici's own connector, wrapped: it runs once per new connection, never per request. `h2c`: speak HTTP/2 from
 * the first byte. `tls`: the client options for mTLS, read per connection so a renewed certificate is used from
 * the next connection on (a new object means new options).
 */
export function countingConnector(target: Connected, timeoutMs: number, h2c = false, tls?: () => ConnectionOptions): buildConnector.connector {
  // useH2c is a connector option undici's types leave out.
  let connect = buildConnector({ timeout: timeoutMs, useH2c: h2c } as buildConnector.BuildOptions);
  let builtFor: ConnectionOptions | undefined;
  return (options, callback) => {
    if (tls) {
      let current: ConnectionOptions;
      try {
        current = tls();
      } catch (err) {
        return callback(err as Error, null);
      }
      if (current !== builtFor) {
        connect = buildConnector({ ...current, timeout: timeoutMs } as buildConnector.BuildOptions);
        builtFor = current;
      }
    }
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
