// undici's Dispatcher over our own HTTP/2 sessions (h2-sessions.ts): the request path's tries, mirrors and filters' callouts to an endpoint that speaks HTTP/2.
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { EndpointDispatcher } from './endpoint-dispatcher.ts';
import { cancel, Http1Only } from './h2-sessions.ts';
import type { H2Sessions, StreamWaiter } from './h2-sessions.ts';
import { flattenHeaders } from '../http/header-list.ts';

/** The peer reset the stream with REFUSED_STREAM, or past its GOAWAY: it never processed the request, so any method may be retried. */
export class RefusedStream extends Error {
  readonly code = 'WEFT_UPSTREAM_REFUSED';
}
const REFUSED = new RefusedStream('the upstream refused the stream before processing it');
const REFUSED_STREAM = 7;
/**
 * How many times a request whose stream the upstream never processed is sent again on a new stream before its
 * caller hears of it. A peer that closes an idle session, restarts or drains sends GOAWAY, and a stream opened as it
 * crossed comes back refused: sent again, it goes to another session. More than twice, the peer refuses everything.
 */
const RESENDS = 2;

class StreamReset extends Error {
  readonly code = 'UND_ERR_SOCKET';
}

class StreamTimeout extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
const HEADERS_TIMEOUT = new StreamTimeout('UND_ERR_HEADERS_TIMEOUT', 'no response headers in time');
const BODY_TIMEOUT = new StreamTimeout('UND_ERR_BODY_TIMEOUT', 'the response body stalled');

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2), Host (sent as :authority), and TE but for `trailers`. */
const NOT_SENT = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings']);
const NO_TRAILERS: IncomingHttpHeaders = {};

type Options = Dispatcher.DispatchOptions & { servername?: string | null };
/** Where the dispatcher counts the requests it sent again (ClusterState.resent, read by /metrics). */
export interface ResendCount { resent: number }
type Tagged<T> = T & { [CALL]?: H2Call };
const CALL = Symbol('weft.h2call');

/**
 * An endpoint that speaks HTTP/2, as a Dispatcher (so request() and the request path's handlers work unchanged).
 * An endpoint that answers TLS with HTTP/1.1 only is spoken to through the pool `http1()` gives from then on.
 */
export class H2Dispatcher extends EndpointDispatcher {
  readonly sessions: H2Sessions;
  readonly scheme: string;
  /** The endpoint's host:port, the :authority of a request that named none. */
  readonly host: string;
  private readonly http1: () => Dispatcher;
  readonly counts: ResendCount;

  constructor(sessions: H2Sessions, http1: () => Dispatcher, counts: ResendCount) {
    super();
    this.sessions = sessions;
    this.counts = counts;
    const url = new URL(sessions.origin);
    this.scheme = url.protocol === 'https:' ? 'https' : 'http';
    this.host = url.host;
    this.http1 = http1;
  }

  override dispatch(opts: Options, handler: Dispatcher.DispatchHandler): boolean {
    if (this.sessions.http1) return this.http1().dispatch(opts, handler);
    this.sessions.open(new H2Call(this, opts, handler));
    return true;
  }

  /** The endpoint chose HTTP/1.1 in its TLS handshake: the request goes to the HTTP/1.1 pool. */
  downgrade(opts: Options, handler: Dispatcher.DispatchHandler): void {
    this.http1().dispatch(opts, handler);
  }

  get stats(): { connected: number; free: number } {
    return this.sessions.stats;
  }

  protected override shutdown(): Promise<void> {
    return this.sessions.close();
  }

  /** GOAWAY already lets what is in flight finish and fails what waits: nothing more to cut. */
  protected override abortAll(): void {}
}

/** One request on one stream: the StreamWaiter the sessions hand a stream, and the controller its handler drives. */
class H2Call implements StreamWaiter, Dispatcher.DispatchController {
  readonly headers: string[];
  readonly endStream: boolean;
  private readonly owner: H2Dispatcher;
  private readonly opts: Options;
  private readonly handler: Dispatcher.DispatchHandler;
  stream: ClientHttp2Stream | undefined;
  private trailers: IncomingHttpHeaders | undefined;
  private error: Error | undefined;
  private responded = false;
  /**
   * DATA that arrived before the response event: node:http2 emits 'response' on the next tick but 'data' as the
   * frame is read, so when HEADERS and DATA come in one read the body would reach the handler before its head.
   */
  private early: Buffer[] | undefined;
  private endedEarly = false;
  private settled = false;
  private resends = 0;
  aborted = false;
  paused = false;
  reason: Error | null = null;

  constructor(owner: H2Dispatcher, opts: Options, handler: Dispatcher.DispatchHandler) {
    this.owner = owner;
    this.opts = opts;
    this.handler = handler;
    const headers = [':method', opts.method, ':scheme', owner.scheme, ':path', opts.path, ':authority', ''];
    const given = Array.isArray(opts.headers) ? opts.headers as string[] : flattenHeaders(opts.headers as Record<string, string | string[] | undefined> | null | undefined);
    let authority = '';
    for (let i = 0; i < given.length; i += 2) {
      const name = given[i];
      const value = given[i + 1];
      // The request path's names are lower-case already; callouts' may not be.
      const lower = name.charCodeAt(0) < 97 ? name.toLowerCase() : name;
      if (lower === 'host') authority = value;
      else if (!NOT_SENT.has(lower) && (lower !== 'te' || value === 'trailers')) headers.push(lower, value);
    }
    headers[7] = authority || owner.host;
    this.headers = headers;
    this.endStream = opts.body === null || opts.body === undefined;
  }

  opened(stream: ClientHttp2Stream): void {
    // A request sent again (see closed) started once already: its handler is not told twice.
    const again = this.stream !== undefined;
    this.stream = stream;
    (stream as Tagged<ClientHttp2Stream>)[CALL] = this;
    stream.on('response', onResponse);
    stream.on('data', onData);
    stream.on('trailers', onTrailers);
    stream.on('end', onEnd);
    stream.on('error', onStreamError);
    stream.once('close', onClose);
    const headersTimeout = this.opts.headersTimeout ?? 0;
    if (headersTimeout > 0) stream.setTimeout(headersTimeout, onHeadersTimeout);
    if (!again) this.handler.onRequestStart?.(this, undefined);
    if (this.aborted) return cancel(stream);
    this.sendBody(stream);
  }

  refused(err: Error): void {
    // An endpoint found to speak HTTP/1.1 only takes the request there.
    if (err instanceof Http1Only) return this.owner.downgrade(this.opts, this.handler);
    this.fail(err);
  }

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    // Without an open stream (none yet, or waiting to be sent again) it fails now; a stream given later is cancelled.
    if (this.stream !== undefined && !this.stream.closed) cancel(this.stream);
    else this.fail(reason);
  }

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  private sendBody(stream: ClientHttp2Stream): void {
    const body = this.opts.body;
    if (body === null || body === undefined) return;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      stream.end(body);
      this.handler.onBodySent?.(Buffer.isBuffer(body) ? body : Buffer.from(body as Uint8Array));
      return;
    }
    const readable = body as Tagged<Readable>;
    readable[CALL] = this;
    readable.on('data', onBodyData);
    readable.once('end', onBodyEnd);
    readable.once('error', onBodyError);
  }

  response(headers: IncomingHttpHeaders): void {
    const status = Number(headers[':status']);
    const stream = this.stream!;
    this.responded = true;
    stream.setTimeout(this.opts.bodyTimeout ?? 0, onBodyTimeout);
    this.handler.onResponseStart?.(this, status, headers, '');
    const early = this.early;
    if (early === undefined) return;
    this.early = undefined;
    for (const chunk of early) {
      if (this.settled) return;
      this.handler.onResponseData?.(this, chunk);
    }
    if (this.endedEarly) this.ended();
  }

  data(chunk: Buffer): void {
    if (!this.responded) {
      (this.early ??= []).push(chunk);
      return;
    }
    this.handler.onResponseData?.(this, chunk);
  }

  trailed(trailers: IncomingHttpHeaders): void {
    this.trailers = trailers;
  }

  ended(): void {
    if (this.settled) return;
    if (!this.responded) {
      this.endedEarly = true;
      return;
    }
    this.settled = true;
    this.handler.onResponseEnd?.(this, this.trailers ?? NO_TRAILERS);
  }

  errored(err: Error): void {
    this.error ??= err;
  }

  timedOut(err: Error): void {
    this.error = err;
    cancel(this.stream!);
  }

  /** The stream closed; unless the response ended, that is a failure: refused, reset, timed out or abandoned. */
  closed(stream: ClientHttp2Stream): void {
    const body = this.opts.body as Tagged<Readable> | null;
    if (body && typeof body === 'object' && CALL in body) {
      body.off('data', onBodyData);
      body.off('end', onBodyEnd);
      body.off('error', onBodyError);
      delete body[CALL];
    }
    if (this.settled) return;
    if (this.aborted) return this.fail(this.reason!);
    if (!this.responded && !(this.error instanceof StreamTimeout) && unprocessed(stream)) {
      if (this.resends === RESENDS || !this.resendable()) return this.fail(REFUSED);
      // Never processed, so safe whatever the method (RFC 9113 §8.7): sent again, counted, the route's retries untouched.
      this.resends++;
      this.owner.counts.resent++;
      this.error = undefined;
      return this.owner.sessions.open(this);
    }
    this.fail(this.error ?? new StreamReset(`the upstream stream closed (code ${stream.rstCode})`));
  }

  /** The request can go out again as it went: no body, or one held whole (a streamed body was read by the first stream). */
  private resendable(): boolean {
    const body = this.opts.body;
    return body === null || body === undefined || typeof body === 'string' || body instanceof Uint8Array;
  }

  private fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.handler.onResponseError?.(this, err);
  }

  bodyChunk(readable: Readable, chunk: Buffer): void {
    const stream = this.stream!;
    this.handler.onBodySent?.(chunk);
    if (!stream.write(chunk)) {
      readable.pause();
      stream.once('drain', onStreamDrain);
    }
  }

  bodyDrained(): void {
    (this.opts.body as Readable).resume();
  }
}

/**
 * The peer never processed the stream: it refused it (REFUSED_STREAM, also what a GOAWAY's last stream id means for
 * the streams above it), or the stream closed before it had an id, so before its HEADERS left.
 */
function unprocessed(stream: ClientHttp2Stream): boolean {
  return stream.rstCode === REFUSED_STREAM || stream.pending;
}

function onResponse(this: Tagged<ClientHttp2Stream>, headers: IncomingHttpHeaders): void {
  this[CALL]!.response(headers);
}

function onData(this: Tagged<ClientHttp2Stream>, chunk: Buffer): void {
  this[CALL]!.data(chunk);
}

function onTrailers(this: Tagged<ClientHttp2Stream>, trailers: IncomingHttpHeaders): void {
  this[CALL]!.trailed(trailers);
}

function onEnd(this: Tagged<ClientHttp2Stream>): void {
  this[CALL]!.ended();
}

function onStreamError(this: Tagged<ClientHttp2Stream>, err: Error): void {
  this[CALL]!.errored(err);
}

/**
 * Nothing is emitted after 'close', and a closed stream stays reachable until a full collection (node:http2 holds its
 * handle weakly, which a scavenge treats as strong): untagged, so the call and its exchange die young.
 */
function onClose(this: Tagged<ClientHttp2Stream>): void {
  const call = this[CALL]!;
  this[CALL] = undefined;
  call.closed(this);
}

function onHeadersTimeout(this: Tagged<ClientHttp2Stream>): void {
  this[CALL]!.timedOut(HEADERS_TIMEOUT);
}

function onBodyTimeout(this: Tagged<ClientHttp2Stream>): void {
  this[CALL]!.timedOut(BODY_TIMEOUT);
}

function onStreamDrain(this: Tagged<ClientHttp2Stream>): void {
  this[CALL]!.bodyDrained();
}

function onBodyData(this: Tagged<Readable>, chunk: Buffer): void {
  this[CALL]!.bodyChunk(this, chunk);
}

function onBodyEnd(this: Tagged<Readable>): void {
  const stream = this[CALL]!.stream!;
  if (!stream.closed) stream.end();
}

/** The request body failed (its client went away): the upstream stream is cancelled with it. */
function onBodyError(this: Tagged<Readable>): void {
  cancel(this[CALL]!.stream!);
}
