// What each TCP connection through a sidecar leaves behind: counters, bytes both ways, its duration and one access-log line.
import type { Logger } from '../observe/log.ts';
import type { MetricJson } from '../observe/filter-metrics.ts';
import { Family, Histogram } from '../observe/series.ts';
import type { SpliceEnd } from './splice.ts';

/** Connections live from milliseconds (a health probe) to hours (a database pool). */
const DURATION_BUCKETS = [0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 14400];

/** `outbound`: a caller's bound port (client → tunnel); `inbound`: the service's sidecar (tunnel → app). */
export type TcpSide = 'outbound' | 'inbound';

/** One connection as it is reported. */
export interface TcpConnection {
  side: TcpSide;
  service: string;
  /** The caller: its SPIFFE ID inbound, its address outbound. */
  peer: string;
  /** Where the bytes went: the peer sidecar's origin, or the app's address; empty when nothing was reached. */
  upstream: string;
  startedAt: number;
}

export class TcpMetrics {
  readonly #connections = new Family('weft_tcp_connections_total',
    'TCP connections carried through the mesh (opaque TCP services), by service, side (outbound: a bound port; inbound: to the app) and result (ok, or the error code that refused it)');
  readonly #bytes = new Family('weft_tcp_bytes_total',
    'Bytes carried by TCP connections, by service, side and direction (upstream: from the client toward the app; downstream: back)');
  readonly #duration = new Histogram('weft_tcp_connection_duration_seconds', 'How long TCP connections lasted, from accept to close, by service and side', DURATION_BUCKETS);
  readonly #accessLog: Logger | undefined;

  constructor(accessLog: Logger | undefined) {
    this.#accessLog = accessLog;
  }

  /** The three families in prom-client's JSON shape, for /metrics. */
  json(): MetricJson[] {
    return [this.#connections.json(), this.#bytes.json(), this.#duration.json()];
  }

  /**
   * A connection that was carried: `up`/`down` are the bytes toward the app and back (which of the socket's read and
   * written counts is which depends on the side).
   */
  carried(c: TcpConnection, up: number, down: number, end: SpliceEnd): void {
    const seconds = (Date.now() - c.startedAt) / 1000;
    this.#connections.inc({ service: c.service, side: c.side, result: 'ok' });
    this.#bytes.inc({ service: c.service, side: c.side, direction: 'upstream' }, up);
    this.#bytes.inc({ service: c.service, side: c.side, direction: 'downstream' }, down);
    this.#duration.observe({ service: c.service, side: c.side }, seconds);
    this.#accessLog?.info({ protocol: 'tcp', ...c, startedAt: undefined, durationMs: Math.round(seconds * 1000), bytesIn: up, bytesOut: down, end: end.outcome });
  }

  /** A connection refused or failed before any byte was carried: `code` says why, `detail` the circumstances. */
  refused(c: TcpConnection, code: string, detail: string): void {
    const seconds = (Date.now() - c.startedAt) / 1000;
    this.#connections.inc({ service: c.service, side: c.side, result: code });
    this.#duration.observe({ service: c.service, side: c.side }, seconds);
    this.#accessLog?.info({ protocol: 'tcp', ...c, startedAt: undefined, durationMs: Math.round(seconds * 1000), bytesIn: 0, bytesOut: 0, error: code, detail });
  }
}
