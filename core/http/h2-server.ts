// The HTTP/2 side of the listener: one http2 server fed connections the listener recognised, with the listener's limits.
import type * as http2 from 'node:http2';
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LimitSettings } from '../config/settings.ts';
import { ErrorCodes } from '../errors.ts';
import { handleRequest, type WorkerContext } from './request-path.ts';
import { H2Request, H2Response } from './h2-downstream.ts';
import { tooManyHeaders } from './headers.ts';
import { loadHttp2 } from './http2-lazy.ts';

/** The pseudo-headers a request carries at most: :method, :scheme, :path, :authority (and :protocol). */
const PSEUDO_HEADERS = 5;

/** A client that never acknowledged the proxy's SETTINGS: GOAWAY with SETTINGS_TIMEOUT, counted as too slow. */
function onSettingsTimeout(session: http2.ServerHttp2Session, getContext: () => WorkerContext): void {
  getContext().metrics.rejectedDownstream(ErrorCodes.REQUEST_TIMEOUT);
  session.goaway(loadHttp2().constants.NGHTTP2_SETTINGS_TIMEOUT);
  session.destroy();
}

/**
 * A stream whose request is still arriving (a body) and stays silent for the request timeout is reset; the request
 * path sees the client go away. A request whose HEADERS ended its stream is whole, as node:http's requestTimeout
 * judges HTTP/1.1's, and costs no timer (it would be armed and refreshed at every frame).
 */
function onStreamIdle(this: http2.ServerHttp2Stream): void {
  this.close(loadHttp2().constants.NGHTTP2_CANCEL);
}

/**
 * Node serves a session over a stream that is not a socket through a socket of its own that cannot look up
 * addresses; it reports the ones it was given in its _peername and _sockname, which the TCP socket provides.
 */
function lendAddresses(session: http2.ServerHttp2Session, tcp: Socket): void {
  const inner = session.socket as unknown as { _peername?: object; _sockname?: object };
  inner._peername = { address: tcp.remoteAddress, port: tcp.remotePort, family: tcp.remoteFamily };
  inner._sockname = { address: tcp.localAddress, port: tcp.localPort, family: tcp.localFamily };
}

/** A header list's size as HTTP/2 counts it (RFC 9113 §6.5.2): name and value octets plus 32 per field. */
function headerListSize(raw: string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) n += raw[i].length;
  return n + 16 * raw.length;
}

function refuseHeaders(ctx: WorkerContext, stream: http2.ServerHttp2Stream): void {
  ctx.metrics.rejectedDownstream(ErrorCodes.HEADERS_TOO_LARGE);
  stream.respond({ ':status': 431, 'content-length': '0', 'x-weft-error': ErrorCodes.HEADERS_TOO_LARGE }, { endStream: true });
}

/** Stream errors (a reset from the client, a response cut short) reach the request path as the stream's close. */
function ignore(): void {}

/** What the request path listens for on a stream (its close, its body, trailers, backpressure). */
const REQUEST_EVENTS = ['close', 'data', 'end', 'trailers', 'wantTrailers', 'drain'] as const;

/**
 * A closed stream can stay reachable until V8's next full collection: one promoted while its request lasted, or one an
 * object in old space still points to (V8 allocates there from a site whose objects survived, unless pretenuring is
 * off as the bin's flags turn it off). Whatever the stream still references then dies in old space too. The request
 * path's listeners close over the whole exchange (its filter streams, upstream call, headers), so they are dropped
 * once the stream closed, after which nothing is emitted on it (ARCHITECTURE.md, "Memory budget": weft-sidecar
 * promoted 4–5 MiB/s at 1,000 req/s before).
 */
function releaseRequest(this: http2.ServerHttp2Stream): void {
  for (const event of REQUEST_EVENTS) this.removeAllListeners(event);
}

/** The socket a session's requests report: the one the listener handed over, not node:http2's proxy of it. */
const sockets = new WeakMap<http2.Http2Session, Socket>();

export class H2Server {
  readonly server: http2.Http2Server;
  readonly #sessions = new Set<http2.ServerHttp2Session>();
  /** The connection being handed over and, for an h2c upgrade, the TCP socket under it; see accept. */
  #connection: Duplex | undefined;
  #under: Socket | undefined;
  /** Where CONNECT streams go (a sidecar's inbound side: TCP tunnels); without it they are answered 405. */
  onConnect: ((stream: http2.ServerHttp2Stream) => void) | undefined = undefined;

  /** `stamp`: what the listener does to every request before routing (the mTLS port's caller identity). */
  constructor(limits: LimitSettings, getContext: () => WorkerContext, stamp: (req: http.IncomingMessage) => void) {
    const maxHeaderSize = limits.maxHeaderSize;
    const maxHeaderCount = limits.maxHeaderCount;
    const requestTimeoutMs = limits.requestTimeoutMs;
    // The core API, not the compatibility one: the request path gets H2Request/H2Response (h2-downstream.ts).
    this.server = loadHttp2().createServer({
      // The header block limit HTTP/1.1 gets as maxHeaderSize: Node resets a stream (ENHANCE_YOUR_CALM) as soon as
      // its block passes it, but only once the client has acknowledged these SETTINGS.
      settings: { maxHeaderListSize: limits.maxHeaderSize },
      // The field count binds from the first frame: a block with more fields than limits.maxHeaderCount is reset
      // as it arrives, before or after the acknowledgement. A request's pseudo-headers and a field or two past
      // the limit still get through, to be answered 431 below as HTTP/1.1's are.
      maxHeaderListPairs: limits.maxHeaderCount + PSEUDO_HEADERS + 2,
    });
    this.server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
      stream.on('error', ignore);
      // First among the close listeners: an emit calls the listeners it found, so the request path's still run.
      stream.on('close', releaseRequest);
      // A CONNECT stream is a TCP tunnel (core/tcp), whose idle timeout is its own.
      if (headers[':method'] === 'CONNECT') {
        if (this.onConnect) this.onConnect(stream);
        else stream.respond({ ':status': 405 }, { endStream: true });
        return;
      }
      if (!stream.endAfterHeaders) stream.setTimeout(requestTimeoutMs, onStreamIdle);
      // nghttp2 announces the header limit but does not hold a client to it: checked here, answered as HTTP/1.1's.
      if (headerListSize(rawHeaders) > maxHeaderSize || tooManyHeaders(rawHeaders, maxHeaderCount)) return refuseHeaders(getContext(), stream);
      // An expectation other than 100-continue cannot be met (RFC 9110 §10.1.1); 100-continue is met at once.
      const expect = headers.expect;
      if (expect !== undefined) {
        if (expect !== '100-continue') return stream.respond({ ':status': 417 }, { endStream: true });
        stream.additionalHeaders({ ':status': 100 });
      }
      const req = new H2Request(stream, headers, rawHeaders, sockets.get(stream.session!)!);
      const request = req as unknown as http.IncomingMessage;
      stamp(request);
      handleRequest(getContext(), request, new H2Response(req) as unknown as http.ServerResponse);
    });
    // An idle connection (no stream for the keep-alive timeout) is sent GOAWAY, as an HTTP/1.1 one is closed.
    this.server.setTimeout(limits.keepAliveTimeoutMs);
    const headersTimeoutMs = limits.headersTimeoutMs;
    this.server.on('session', (session: http2.ServerHttp2Session) => {
      this.#sessions.add(session);
      sockets.set(session, (this.#under ?? this.#connection) as Socket);
      if (this.#under) lendAddresses(session, this.#under);
      // Until the client acknowledges the proxy's SETTINGS, the header size limit does not bind (see above): a
      // client that withholds the acknowledgement past the header timeout is cut off (RFC 9113 §6.5.3).
      const unacknowledged = setTimeout(onSettingsTimeout, headersTimeoutMs, session, getContext);
      session.once('localSettings', () => clearTimeout(unacknowledged));
      session.once('close', () => {
        clearTimeout(unacknowledged);
        this.#sessions.delete(session);
      });
    });
    // Malformed frames end the connection with GOAWAY (nghttp2 does that); they are counted like HTTP/1.1's refusals.
    this.server.on('sessionError', () => getContext().metrics.rejectedDownstream(ErrorCodes.BAD_REQUEST));
  }

  /**
   * Serves HTTP/2 on a connection: a socket whose first bytes are still unread, a TLS socket that chose h2, or a
   * stream wrapped around the TCP socket `under` (h2c upgrade), whose addresses the requests then report.
   */
  accept(connection: Duplex, under?: Socket): void {
    this.#connection = connection;
    this.#under = under;
    try {
      this.server.emit('connection', connection);
    } finally {
      this.#connection = undefined;
      this.#under = undefined;
    }
  }

  /** GOAWAY on every connection: no new streams, those in flight finish. */
  closeIdleConnections(): void {
    for (const s of this.#sessions) s.close();
  }

  closeAllConnections(): void {
    for (const s of this.#sessions) s.destroy();
  }
}
