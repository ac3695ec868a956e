// The outbound end of a TCP tunnel: a bound port's connection carried to one of the service's sidecars as an HTTP/2 CONNECT stream over mTLS (HBONE).
import type * as http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { Identity } from '../identity/identity.ts';
import { WorkloadTls } from '../identity/tls.ts';
import type { Logger } from '../observe/log.ts';
import { ErrorCodes } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { isTlsFailure, tlsFailureDetail } from '../upstream/upstream-tls.ts';
import { cancel, H2Sessions, Http1Only } from '../upstream/h2-sessions.ts';
import { dialer } from '../upstream/connection-limit.ts';
import { splice } from './splice.ts';
import { loadHttp2 } from '../http/http2-lazy.ts';
import type { TcpTarget } from './targets.ts';
import type { TcpConnection, TcpMetrics } from './tcp-metrics.ts';

/** Why one try at a peer failed: the code it is counted under, and its circumstances. */
interface Failure { code: ErrorCode; detail: string; retry: boolean }

/** A peer's answer other than 200 → the failure it stands for; its x-weft-error says best. */
function answerFailure(headers: http2.IncomingHttpHeaders): Failure {
  const status = Number(headers[':status']);
  const named = headers['x-weft-error'];
  const code = (typeof named === 'string' && named.startsWith('WEFT_ERR_') ? named : status === 403 ? ErrorCodes.AUTHZ_DENIED : ErrorCodes.UPSTREAM_CONNECT) as ErrorCode;
  // A refusal by policy, or by a sidecar whose app is HTTP, is the same at every peer; an app that is down may not be.
  return { code, detail: `the peer answered ${status}`, retry: code === ErrorCodes.UPSTREAM_CONNECT || code === ErrorCodes.UPSTREAM_TIMEOUT };
}

/** Why a peer could not be reached: a refused handshake (another identity, an unknown authority) is a TLS failure, as for HTTP. */
function dialFailure(endpoint: string, err: NodeJS.ErrnoException): Failure {
  if (err instanceof Http1Only) return { code: ErrorCodes.UPSTREAM_CONNECT, detail: `${endpoint}: the peer sidecar does not offer HTTP/2 (a Weft older than TCP tunnels?)`, retry: true };
  if (isTlsFailure(err.code ?? '')) return { code: ErrorCodes.UPSTREAM_TLS, detail: `${endpoint}: ${tlsFailureDetail(err)}`, retry: true };
  return { code: ErrorCodes.UPSTREAM_CONNECT, detail: `${endpoint}: ${err.message}`, retry: true };
}

/**
 * One worker's tunnels: a multiplexed HTTP/2 session per peer sidecar (mTLS with this proxy's current certificate,
 * the peer's SPIFFE ID checked), a CONNECT stream per connection. Peers are tried in turn; a connection that fails
 * to reach one (refused, TLS, timeout, the app down) tries the next, up to three.
 */
export class TunnelClient {
  readonly #tls = new WorkloadTls();
  /** By peer endpoint (with the identities and connect timeout it is dialled with). */
  readonly #peers = new Map<string, H2Sessions>();
  readonly #turn = new Map<string, number>();
  readonly #open = new Set<Socket>();
  readonly #metrics: TcpMetrics;
  readonly #log: Logger;

  constructor(metrics: TcpMetrics, log: Logger) {
    this.#metrics = metrics;
    this.#log = log;
  }

  /** A renewed certificate or bundle: connections opened from now on present it; open ones finish their tunnels. */
  useIdentity(identity: Identity | undefined): void {
    this.#tls.use(identity);
  }

  accept(socket: Socket, target: TcpTarget): void {
    const c: TcpConnection = { side: 'outbound', service: target.service, peer: `${socket.remoteAddress}:${socket.remotePort}`, upstream: '', startedAt: Date.now() };
    this.#open.add(socket);
    socket.once('close', () => this.#open.delete(socket));
    socket.on('error', noop);
    socket.setNoDelay(true);
    const n = target.endpoints.length;
    if (n === 0) return this.#refuse(socket, c, { code: ErrorCodes.NO_HEALTHY_UPSTREAM, detail: `service "${target.service}" has no live instance`, retry: false });
    const first = this.#turn.get(target.service) ?? 0;
    this.#turn.set(target.service, (first + 1) % n);
    const tries = Math.min(3, n);
    const attempt = (i: number) => {
      const endpoint = target.endpoints[(first + i) % n];
      c.upstream = endpoint;
      this.#dial(socket, endpoint, target, (stream, failure) => {
        if (stream) {
          const abort = () => stream.close(loadHttp2().constants.NGHTTP2_CONNECT_ERROR);
          // Bytes the client's socket reads go toward the app (upstream); those it writes came back (downstream).
          return splice(socket, stream, target.idleTimeoutMs, abort, (end) => this.#metrics.carried(c, end.bytesRead, end.bytesWritten, end));
        }
        if (failure!.retry && i + 1 < tries && !socket.destroyed) return attempt(i + 1);
        this.#refuse(socket, c, failure!);
      });
    };
    attempt(0);
  }

  /** Opens a CONNECT stream to `endpoint` and calls back once with it (200 within the connect timeout) or why not. */
  #dial(socket: Socket, endpoint: string, target: TcpTarget, done: (stream: http2.ClientHttp2Stream | undefined, failure?: Failure) => void): void {
    let settled = false;
    let stream: http2.ClientHttp2Stream | undefined;
    const settle = (open: http2.ClientHttp2Stream | undefined, failure?: Failure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('close', gone);
      if (!open && stream) cancel(stream);
      done(open, failure);
    };
    const timer = setTimeout(() => {
      settle(undefined, { code: ErrorCodes.UPSTREAM_TIMEOUT, detail: `no tunnel to ${endpoint} within ${target.connectTimeoutMs} ms`, retry: true });
    }, target.connectTimeoutMs);
    // The client went away while the tunnel was being set up.
    const gone = () => settle(undefined, { code: ErrorCodes.UPSTREAM_CONNECT, detail: 'the client closed the connection before the tunnel was up', retry: false });
    socket.once('close', gone);
    this.#peer(endpoint, target).open({
      headers: [':method', 'CONNECT', ':authority', target.service],
      endStream: false,
      opened: (s) => {
        stream = s;
        if (settled) return cancel(s);
        s.on('error', noop);
        s.once('response', (headers) => {
          if (headers[':status'] === 200) settle(s);
          else settle(undefined, answerFailure(headers));
        });
        s.once('close', () => settle(undefined, { code: ErrorCodes.UPSTREAM_CONNECT, detail: `${endpoint}: the stream was reset (HTTP/2 error ${s.rstCode})`, retry: true }));
      },
      refused: (err) => settle(undefined, dialFailure(endpoint, err)),
    });
  }

  /** The sessions to one peer: HTTP/2 over mTLS with this worker's current certificate, the peer's SPIFFE ID checked. */
  #peer(endpoint: string, target: TcpTarget): H2Sessions {
    const key = `${endpoint} ${target.identities.join(',')} ${target.connectTimeoutMs}`;
    let peer = this.#peers.get(key);
    if (!peer) {
      const identities = target.identities;
      // Asked at each new connection, so a renewed certificate is used from the next one (WorkloadTls caches per identity).
      // The registry holds the peer's plain address; the connection to it is mTLS.
      peer = new H2Sessions(endpoint.replace(/^http:/, 'https:'), dialer(target.connectTimeoutMs, true, { options: () => this.#tls.clientOptions(identities), servername: '' }));
      this.#peers.set(key, peer);
    }
    return peer;
  }

  #refuse(socket: Socket, c: TcpConnection, f: Failure): void {
    this.#metrics.refused(c, f.code, f.detail);
    this.#log.warn({ service: c.service, upstream: c.upstream, code: f.code, detail: f.detail }, 'TCP connection refused');
    // A reset, not a FIN: the client must not take the closed connection for an answer.
    if (!socket.destroyed) socket.resetAndDestroy();
  }

  /** The drain's end: whatever still runs is cut. */
  closeAll(): void {
    for (const s of this.#open) s.destroy();
    for (const p of this.#peers.values()) void p.close();
    this.#peers.clear();
  }
}

function noop(): void {}
