// The downstream listener: HTTP/1.1 (Node's strict parser) and HTTP/2 on one port, with limits, timeouts and clean refusals.
import type http from 'node:http';
import type https from 'node:https';
import net from 'node:net';
import type { Socket } from 'node:net';
import type { ServerHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { LimitSettings, TlsSettings } from '../config/settings.ts';
import { ErrorCodes } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { localReply, rawReject, STATUS_OF } from './local-reply.ts';
import { tooManyHeaders } from './headers.ts';
import { handleRequest, type WorkerContext } from './request-path.ts';
import { handleUpgrade } from './upgrade.ts';
import { H2Server } from './h2-server.ts';
import { acceptsH2cUpgrade, isH2cUpgrade, upgradeToH2c } from './h2c-upgrade.ts';
import { createServer, STATUS_CODES } from './node-http.ts';
import { sniffProtocol, sniffRequestLine, sniffTls } from './preface.ts';
import type { FirstBytes } from './preface.ts';
import { malformed } from './malformed.ts';
import { extensionRequest, restoreMethod } from './extension-method.ts';
import type { ParseError } from './extension-method.ts';
import { afterResponses, handOver, lastAllowed, readingBody } from './http1-connection.ts';
import type { Http1Socket } from './http1-connection.ts';
import { stampClientCert } from './client-cert.ts';
import { LeanHttp1 } from './lean-http1.ts';
import type { Identity } from '../identity/identity.ts';
import { contextOptions, serverOptions } from '../identity/tls.ts';

const { readFileSync } = process.getBuiltinModule('node:fs');

/** Why Node's parser refused a request → what the client is told. */
function refusal(err: NodeJS.ErrnoException): ErrorCode | undefined {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW': return ErrorCodes.HEADERS_TOO_LARGE;
    case 'ERR_HTTP_REQUEST_TIMEOUT': return ErrorCodes.REQUEST_TIMEOUT;
    case 'ECONNRESET': case 'EPIPE': return undefined;
    default: return ErrorCodes.BAD_REQUEST;
  }
}

/** Answers a connection with `code`'s status, unparsed or no longer parsable, and closes it. */
function refuseConnection(ctx: WorkerContext, socket: Socket, code: ErrorCode): void {
  ctx.metrics.rejectedDownstream(code);
  const status = STATUS_OF[code]!;
  if (!socket.writable) return void socket.destroy();
  socket.end(rawReject(status, STATUS_CODES[status]!, code));
  // Whatever the client still sends is dropped: its side ends, and the socket closes, when the client closes.
  socket.resume();
}

/** A parsed request refused before it is routed: answered with `code`, and the connection closed after it. */
function refuseRequest(ctx: WorkerContext, res: http.ServerResponse, code: ErrorCode, detail: string): void {
  ctx.metrics.rejectedDownstream(code);
  res.shouldKeepAlive = false;
  localReply(res, code, detail);
}

/** Connections whose parser stopped and that are being refused or handed on. */
const settled = new WeakSet<Socket>();

/**
 * What Node's parser refused. An error in the body of the request being read is that request's: it is answered
 * now if its answer has not begun (else the connection is cut). An error where a new request begins leaves the
 * requests before it whole: their answers go out first, then the refusal and the close; or, for a method the
 * parser does not know, the connection goes on with the extension parser from that request.
 */
function onParseError(ctx: WorkerContext, err: ParseError, socket: Http1Socket, extension: http.Server): void {
  if (settled.has(socket)) return;
  const code = refusal(err);
  if (code === undefined) return void socket.destroy();
  const broken = readingBody(socket);
  if (broken !== undefined) {
    const res = socket._httpMessage;
    if (!res || (res.req === broken && !res.headersSent)) refuseConnection(ctx, socket, code);
    else socket.destroy();
    return;
  }
  // Node's parser keeps failing on whatever else arrives: those errors are this one's.
  settled.add(socket);
  const next = code === ErrorCodes.BAD_REQUEST ? extensionRequest(err) : undefined;
  if (next !== undefined) return handOver(socket, next, extension);
  afterResponses(socket, () => refuseConnection(ctx, socket, code));
}

/** An upgrade Node should hand to the 'upgrade' event: WebSocket and the like, and h2c only when it can be honoured. */
function shouldUpgradeCleartext(req: http.IncomingMessage): boolean {
  return isH2cUpgrade(req) ? acceptsH2cUpgrade(req) : true;
}

/** h2c is HTTP/2 over cleartext only (RFC 7540 §3.2): over TLS such a request is served as HTTP/1.1. */
function shouldUpgradeTls(req: http.IncomingMessage): boolean {
  return !isH2cUpgrade(req);
}

/** How the port is secured: a certificate from files (config `tls`), a workload identity (mTLS), or neither. */
export interface ListenerSecurity {
  tls?: TlsSettings;
  identity?: Identity;
  /** With an identity: plain-text connections are served too (migration), their callers without an identity. */
  permissive?: boolean;
}

/**
 * With a workload identity the port is mTLS (TLS 1.3, a client certificate chaining to the trust bundle required);
 * either way ALPN offers h2, then http/1.1. Both paths stamp the verified peer on each request (client-cert.ts), and
 * HTTP/2 CONNECT streams on it carry TCP tunnels (core/tcp).
 */
function tlsOptions(tls: TlsSettings | undefined, identity: Identity | undefined): https.ServerOptions | undefined {
  if (identity) return { ...serverOptions(identity), ALPNProtocols: ALPN };
  return tls ? { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ALPNProtocols: ALPN } : undefined;
}

const ALPN = ['h2', 'http/1.1'];

/**
 * The listening server, HTTP/1.1's, whose connections are looked at first: on cleartext the HTTP/2 preface sends
 * a connection to the HTTP/2 server (prior knowledge), and a request with `Upgrade: h2c` switches its connection
 * there; with a certificate, ALPN decides (h2 or http/1.1). Closing it closes the HTTP/2 sessions too (GOAWAY).
 */
export class Listener {
  readonly server: http.Server | https.Server;
  /** Made by the port's first HTTP/2 connection, which loads node:http2 (http2-lazy.ts). */
  #h2: H2Server | undefined;
  /** Where HTTP/2 CONNECT streams go (a sidecar's inbound port: TCP tunnels), set before listening; without it they are answered 405. */
  onConnect: ((stream: ServerHttp2Stream) => void) | undefined = undefined;
  /** Permissive mode: serves the connections that did not start a TLS handshake. */
  private readonly plain: http.Server | undefined;
  /** Serves connections from their first request with a method Node's parser does not know. */
  private readonly extension: http.Server;
  /** Whether the port serves a workload identity (mTLS), which renewals replace. */
  private readonly mtls: boolean;
  /** Bodiless GET and HEAD requests on HTTP/1.1 connections, until one asks for more (lean-http1.ts). */
  private readonly lean: LeanHttp1;

  /**
   * `divert`: offered each cleartext connection first; taking it (true) keeps it from HTTP altogether (a bound port
   * whose service speaks TCP).
   */
  constructor(limits: LimitSettings, getContext: () => WorkerContext, security: ListenerSecurity, divert?: (socket: Socket) => boolean) {
    const { identity } = security;
    this.mtls = identity !== undefined;
    const tls = tlsOptions(security.tls, identity);
    const options: http.ServerOptions = {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Slow-header clients must be checked often enough for headersTimeout to bite promptly.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
      noDelay: true,
      // malformed.ts checks Host itself, so that the refusal carries x-weft-error like every other.
      requireHostHeader: false,
      // A request without Content-Length or Transfer-Encoding has no body: Node then hands it over already ended,
      // sparing the Readable's end, resume and close steps per request (the request path reads no body it lacks).
      optimizeEmptyRequests: true,
      shouldUpgradeCallback: tls ? shouldUpgradeTls : shouldUpgradeCleartext,
    };
    const maxRequests = limits.maxRequestsPerConnection;
    const stamp = identity ? (req: http.IncomingMessage) => stampClientCert(req, identity.spiffeId) : () => undefined;
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (tooManyHeaders(req.rawHeaders, limits.maxHeaderCount)) {
        return refuseRequest(getContext(), res, ErrorCodes.HEADERS_TOO_LARGE, `more than ${limits.maxHeaderCount} header fields`);
      }
      const bad = malformed(req);
      if (bad !== undefined) return refuseRequest(getContext(), res, ErrorCodes.BAD_REQUEST, bad);
      if (maxRequests > 0) lastAllowed(req.socket, res, maxRequests);
      stamp(req);
      handleRequest(getContext(), req, res);
    };
    const h2 = (): H2Server => {
      if (this.#h2) return this.#h2;
      const made = (this.#h2 = new H2Server(limits, getContext, stamp));
      made.onConnect = this.onConnect;
      return made;
    };
    // Requests with a method Node's parser does not know are read by this second parser (extension-method.ts).
    const extension = createServer({ ...options, shouldUpgradeCallback: shouldUpgradeTls });
    extension.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      restoreMethod(req);
      onRequest(req, res);
    });
    extension.on('upgrade', restoreMethod);
    this.extension = extension;
    const lean = new LeanHttp1({
      maxHeaderSize: limits.maxHeaderSize,
      keepAliveTimeoutMs: limits.keepAliveTimeoutMs,
      onRequest: onRequest as unknown as ConstructorParameters<typeof LeanHttp1>[0]['onRequest'],
    });
    this.lean = lean;
    /**
     * Where a connection goes once its first line is read: HTTP/1.x to the lean side, which hands what it does not
     * take to node:http's server by `nodeHttp`; anything else refused at once.
     */
    const firstBytes = (nodeHttp: (socket: Socket) => void): FirstBytes => ({
      http1: (socket) => lean.accept(socket, (rest) => {
        nodeHttp(rest);
        rest.resume();
      }),
      http2: (socket) => h2().accept(socket),
      refuse: (socket, timedOut) => refuseConnection(getContext(), socket, timedOut ? ErrorCodes.REQUEST_TIMEOUT : ErrorCodes.BAD_REQUEST),
    });
    const maxLine = limits.maxHeaderSize;
    let server: http.Server | https.Server;
    if (tls) {
      // node:https, and node:tls with it, loads with the first TLS port: a thread that serves plain HTTP never holds them (~1.7 MiB).
      server = process.getBuiltinModule('node:https').createServer({ ...options, ...tls }, onRequest);
      const http1 = takeListener(server, 'secureConnection');
      const to = firstBytes((socket) => http1.call(server, socket));
      server.on('secureConnection', (socket: TLSSocket) => {
        if (socket.alpnProtocol === 'h2') h2().accept(socket);
        else sniffRequestLine(socket, limits.headersTimeoutMs, maxLine, to);
      });
    } else {
      server = createServer(options, onRequest);
      const http1 = takeListener(server, 'connection');
      const to = firstBytes((socket) => http1.call(server, socket));
      server.on('connection', (socket: Socket) => {
        if (!divert?.(socket)) sniffProtocol(socket, limits.headersTimeoutMs, maxLine, to);
      });
    }
    const serveHttp1 = (http1: http.Server | https.Server) => {
      // One more than allowed, so a request over the limit is seen (Node drops fields past this count silently).
      http1.maxHeadersCount = limits.maxHeaderCount + 1;
      // A client that half-closes after its request still gets the answer (RFC 9112 §9.6): Node's default ends the
      // socket at the client's FIN. The switch is a Server property Node reads but does not document or type.
      (http1 as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
      http1.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
        const bad = malformed(req);
        if (bad !== undefined) refuseConnection(getContext(), socket, ErrorCodes.BAD_REQUEST);
        else if (isH2cUpgrade(req)) upgradeToH2c(req, socket, head, (connection) => h2().accept(connection, socket));
        else {
          stamp(req);
          handleUpgrade(getContext(), req, socket, head);
        }
      });
      // CONNECT asks for a tunnel, which the proxy does not open: answered rather than dropped (Node's default).
      http1.on('connect', (_req: http.IncomingMessage, socket: Http1Socket) => {
        afterResponses(socket, () => refuseConnection(getContext(), socket, ErrorCodes.METHOD_NOT_ALLOWED));
      });
      http1.on('clientError', (err: ParseError, socket: Http1Socket) => onParseError(getContext(), err, socket, extension));
    };
    serveHttp1(server);
    serveHttp1(extension);
    // Node starts tracking connections (request and header timeouts) when a server starts listening; these never do.
    extension.emit('listening');
    if (identity && security.permissive) {
      // Connections are told apart by their first byte: a TLS handshake record, or anything else as plain HTTP/1.1.
      const plain = createServer({ ...options, shouldUpgradeCallback: shouldUpgradeTls }, onRequest);
      serveHttp1(plain);
      plain.emit('listening');
      const handshake = takeListener(server, 'connection');
      const toPlain = firstBytes((socket) => plain.emit('connection', socket));
      server.on('connection', (socket: Socket) => sniffTls(socket, limits.headersTimeoutMs, () => handshake.call(server, socket), () => {
        sniffRequestLine(socket, limits.headersTimeoutMs, maxLine, toPlain);
      }));
      this.plain = plain;
    }
    if (identity) {
      // Refused handshakes (no certificate, one from another trust domain, plain text on an mTLS port) are counted.
      server.on('tlsClientError', () => getContext().metrics.rejectedDownstream(ErrorCodes.TLS_HANDSHAKE_FAILED));
    }
    this.server = server;
  }

  /** A renewed certificate or a new bundle: new connections take it, open ones keep theirs; other listeners ignore it. */
  useIdentity(identity: Identity): void {
    if (this.mtls) (this.server as https.Server).setSecureContext(contextOptions(identity));
  }

  listen(options: { host: string; port: number; reusePort: boolean }, cb: () => void): void {
    this.server.listen(options, cb);
  }

  address(): ReturnType<http.Server['address']> {
    return this.server.address();
  }

  onError(fn: (err: NodeJS.ErrnoException) => void): void {
    this.server.once('error', fn);
  }

  /**
   * Stops accepting; HTTP/2 connections get GOAWAY and finish their streams, HTTP/1.1 ones close as they turn idle,
   * those idle now at once. With `keepIdle` (a handover: another process accepts now) those stay open until their
   * next response, which says Connection: close, so a client that sends on one as it would have closed loses
   * nothing; closeIdleConnections() later ends any that stay idle.
   */
  close(cb: () => void, keepIdle = false): void {
    // http.Server's close() closes the idle connections too; net.Server's only stops accepting.
    const close = (server: net.Server, done: () => void) => (keepIdle ? net.Server.prototype.close.call(server, done) : server.close(done));
    close(this.server, cb);
    // Never listening, they only stop their timers here ("not running" is expected).
    if (this.plain) close(this.plain, () => undefined);
    close(this.extension, () => undefined);
    if (keepIdle) {
      this.#h2?.closeIdleConnections();
      this.lean.closeAfterNextAnswer();
    } else {
      this.closeIdleConnections();
    }
  }

  closeIdleConnections(): void {
    this.server.closeIdleConnections();
    this.plain?.closeIdleConnections();
    this.extension.closeIdleConnections();
    this.#h2?.closeIdleConnections();
    this.lean.closeIdleConnections();
  }

  closeAllConnections(): void {
    this.server.closeAllConnections();
    this.plain?.closeAllConnections();
    this.extension.closeAllConnections();
    this.#h2?.closeAllConnections();
    this.lean.closeAllConnections();
  }
}

/**
 * Removes the connection listener Node's HTTP server installed for `event`, to be called for the connections that
 * stay HTTP/1.1: Node offers no other way to serve one port with its HTTP/1.1 and HTTP/2 servers together.
 */
function takeListener(server: http.Server | https.Server, event: 'connection' | 'secureConnection'): (this: unknown, socket: Socket) => void {
  const listeners = server.listeners(event);
  if (listeners.length !== 1) throw new Error(`expected Node's one HTTP/1.1 '${event}' listener, found ${listeners.length}`);
  server.removeListener(event, listeners[0] as (...args: unknown[]) => void);
  return listeners[0] as (this: unknown, socket: Socket) => void;
}
