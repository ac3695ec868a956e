// An HTTP/2 stream as the request path's request and response, on node:http2's core stream API (respond, end, sendTrailers).
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { ErrorCodes } from '../errors.ts';
import { isGrpcContentType } from './grpc.ts';
import { flattenHeaders } from './header-list.ts';
import { localReplyParts } from './local-reply.ts';
import { loadHttp2 } from './http2-lazy.ts';

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2); Node throws on them, an HTTP/1.1 upstream may still send them. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
const NO_TRAILERS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_HEADERS: string[] = [];

type Head = OutgoingHttpHeaders | readonly string[];

/**
 * The request: what the request path reads of node:http's IncomingMessage, taken from the stream's HEADERS as
 * Node parsed them (rawHeaders keeps the pseudo-headers first). The body is the stream itself (a Readable).
 */
export class H2Request {
  readonly stream: ServerHttp2Stream;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly method: string;
  readonly url: string;
  /** The connection's socket: the TCP or TLS socket the session runs on (for h2c upgrades, the TCP one under it). */
  readonly socket: Socket;
  readonly httpVersionMajor = 2;
  readonly httpVersionMinor = 0;
  readonly httpVersion = '2.0';
  trailers: Record<string, string> = NO_TRAILERS;
  /** The gRPC status the response carried (for the metrics). */
  grpcStatus: string | undefined = undefined;

  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[], socket: Socket) {
    this.stream = stream;
    this.headers = headers;
    this.rawHeaders = rawHeaders;
    this.method = headers[':method'] as string;
    this.url = headers[':path'] as string;
    this.socket = socket;
    // Trailers end a body; a request whose HEADERS ended the stream has neither.
    if (!stream.endAfterHeaders) stream.once('trailers', (trailers: Record<string, string>) => (this.trailers = trailers));
  }
}

/**
 * The response: the part of node:http's ServerResponse the request path uses, written with the core API. The
 * head waits for the first write or the end (at the latest until the next tick), so a response that arrives
 * whole leaves as HEADERS with END_STREAM, or HEADERS and DATA with END_STREAM, and trailers are asked for
 * (waitForTrailers) only when there are some, or when the head had to leave before the end.
 * A head that carries grpc-status is a gRPC trailers-only answer (a refusal, a proxied error, Weft's own
 * reply): it is held until a body or the end, since gRPC clients read a status only from a HEADERS frame that
 * ends the stream. Connection-specific headers are dropped instead of throwing.
 */
export class H2Response {
  readonly req: H2Request;
  readonly stream: ServerHttp2Stream;
  /** HTTP/2 has no keep-alive per request: a draining worker's sessions get GOAWAY (h2-server.ts). */
  shouldKeepAlive = true;
  /** The head written but not yet sent: :status first, then the fields. */
  #head: string[] | undefined = undefined;
  /** Fields set before writeHead (setHeader), joined to its head. */
  #extra: string[] = NO_HEADERS;
  /** The head holds a grpc-status: it waits for a body or the end, never for the tick. */
  #held = false;
  #trailers: OutgoingHttpHeaders | undefined = undefined;
  #ended = false;

  constructor(req: H2Request) {
    this.req = req;
    this.stream = req.stream;
  }

  get headersSent(): boolean {
    return this.#head !== undefined || this.stream.headersSent;
  }

  get writableNeedDrain(): boolean {
    return this.stream.writableNeedDrain;
  }

  on(event: string, listener: () => void): this {
    this.stream.on(event, listener);
    return this;
  }

  once(event: string, listener: () => void): this {
    this.stream.once(event, listener);
    return this;
  }

  setHeader(name: string, value: string): this {
    if (this.#extra === NO_HEADERS) this.#extra = [];
    this.#extra.push(name, value);
    return this;
  }

  writeHead(status: number, headers?: Head): this {
    if (this.headersSent) return this;
    const head = [':status', String(status)];
    if (this.#extra !== NO_HEADERS) head.push(...this.#extra);
    const flat = headers === undefined ? NO_HEADERS : Array.isArray(headers) ? headers as readonly string[] : flattenHeaders(headers as OutgoingHttpHeaders);
    let held = false;
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i];
      const lower = name.toLowerCase();
      if (CONNECTION_SPECIFIC.has(lower)) continue;
      if (lower === 'grpc-status') {
        this.req.grpcStatus = flat[i + 1];
        held = true;
      }
      head.push(name, flat[i + 1]);
    }
    this.#head = head;
    this.#held = held;
    if (!held) process.nextTick(flushHead, this);
    return this;
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding): boolean {
    const stream = this.stream;
    if (this.#ended || stream.destroyed) return false;
    if (!stream.headersSent) this.send(false, true);
    // A response that may have no body (HEAD, 204, 304) ended with its head.
    if (stream.writableEnded) return true;
    return encoding === undefined ? stream.write(chunk) : stream.write(chunk, encoding);
  }

  end(chunk?: string | Uint8Array, encoding?: BufferEncoding): this {
    if (this.#ended) return this;
    this.#ended = true;
    const stream = this.stream;
    if (stream.destroyed) return this;
    const body = chunk !== undefined && chunk !== null && chunk.length > 0;
    if (!stream.headersSent) this.send(!body && this.#trailers === undefined, this.#trailers !== undefined);
    if (stream.writableEnded) return this;
    if (!body) stream.end();
    else if (encoding === undefined) stream.end(chunk);
    else stream.end(chunk, encoding);
    return this;
  }

  addTrailers(trailers: OutgoingHttpHeaders): void {
    const status = trailers['grpc-status'];
    if (status !== undefined) this.req.grpcStatus = String(status);
    this.#trailers = this.#trailers === undefined ? trailers : { ...this.#trailers, ...trailers };
  }

  destroy(err?: Error): void {
    this.stream.destroy(err);
  }

  /** Sends the head (200 and no fields if none was written); trailers are asked for when some are or may come. */
  send(endStream: boolean, waitForTrailers: boolean): void {
    const stream = this.stream;
    if (stream.headersSent || stream.destroyed || stream.closed) return;
    const head = this.#head ?? [':status', '200', ...this.#extra];
    this.#head = undefined;
    if (waitForTrailers) stream.once('wantTrailers', () => this.sendTrailers());
    try {
      stream.respond(head, { endStream, waitForTrailers });
    } catch (err) {
      // A head HTTP/2 cannot carry (a field repeated that must be single, like content-type, from an HTTP/1.1
      // upstream): the client gets the upstream's fault, not a head cut down to something else.
      if (waitForTrailers) stream.removeAllListeners('wantTrailers');
      const { status, headers, body } = localReplyParts(ErrorCodes.UPSTREAM_PROTOCOL, (err as Error).message, isGrpcContentType(this.req.headers['content-type']));
      stream.respond({ ...headers, ':status': status }, { endStream: body.length === 0 });
      if (body.length > 0) stream.end(body);
    }
  }

  /** Trailers HTTP/2 cannot carry end the stream with an error, so the response is never taken as complete. */
  sendTrailers(): void {
    try {
      this.stream.sendTrailers(this.#trailers ?? NO_TRAILERS);
    } catch {
      this.stream.close(loadHttp2().constants.NGHTTP2_INTERNAL_ERROR);
    }
  }

  /** The head of a response whose body has not begun by the next tick leaves on its own (a stream that answers later). */
  flushHead(): void {
    if (this.#head !== undefined && !this.#held && !this.#ended) this.send(false, true);
  }
}

function flushHead(res: H2Response): void {
  res.flushHead();
}
