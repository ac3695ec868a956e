// HTTP/1.1 to one endpoint on keep-alive connections of our own (net/tls sockets, llhttp), as an undici Dispatcher: a proxied request costs one write and llhttp's parse, not undici's request machinery.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Dispatcher, buildConnector } from 'undici';
import { EndpointDispatcher } from './endpoint-dispatcher.ts';
import { ResponseParser } from './h1-parser.ts';
import type { ResponseHeaders, ResponseSink } from './h1-parser.ts';

type Options = Dispatcher.DispatchOptions & { servername?: string | null };
type Tagged<T> = T & { [CALL]?: H1Call };
const CALL = Symbol('weft.h1call');

/** Idle keep-alive time when the upstream names none (undici's default), and the cap on what it names. */
const KEEP_ALIVE_MS = 4_000;
const KEEP_ALIVE_MAX_MS = 60_000;
/** A connection is let go this long before the upstream said it would close it, so the two never cross. */
const KEEP_ALIVE_MARGIN_MS = 1_000;

class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
const CLOSED = (): Error => new CodedError('UND_ERR_SOCKET', 'the upstream closed the connection');
const HEADERS_TIMEOUT = new CodedError('UND_ERR_HEADERS_TIMEOUT', 'no response headers in time');
const BODY_TIMEOUT = new CodedError('UND_ERR_BODY_TIMEOUT', 'the response body stalled');
const LENGTH_MISMATCH = new CodedError('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'the request body does not match its content-length');
const POOL_CLOSED = new CodedError('UND_ERR_DESTROYED', 'the upstream pool was closed');

/** What undici refuses to send; the request path answers 400 for it (errors.ts). */
function invalid(message: string): Error {
  return new CodedError('UND_ERR_INVALID_ARG', message);
}
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\0\r\n]/;
const BAD_PATH = /[^\u0021-\u00ff]/;

/** Methods whose request is retried on a fresh connection when a kept-alive one turns out closed before any answer. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** How a kept-alive connection the upstream already closed fails the next request written to it. */
const STALE = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
/** Methods that announce an empty body with content-length: 0, as undici and curl do. */
const EXPECTS_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** One endpoint's connections: at most `connections` open; requests past that wait in order. */
export class H1Pool extends EndpointDispatcher {
  readonly host: string;
  private readonly url: URL;
  private readonly connector: buildConnector.connector;
  private readonly max: number;
  private readonly idle: H1Connection[] = [];
  private readonly waiting: H1Call[] = [];
  private readonly all = new Set<H1Connection>();
  /** Connections open or being opened. */
  private open = 0;
  private closing: (() => void) | undefined;
  closed = false;

  constructor(origin: string, options: { connections: number | null; connect: buildConnector.connector }) {
    super();
    this.url = new URL(origin);
    this.host = this.url.host;
    this.connector = options.connect;
    this.max = options.connections ?? Infinity;
  }

  override dispatch(opts: Options, handler: Dispatcher.DispatchHandler): boolean {
    const call = new H1Call(this, opts, handler);
    if (this.closed) call.fail(POOL_CLOSED);
    else if (!call.settled) this.run(call, false); // settled already: the request could not be written
    return true;
  }

  get stats(): { connected: number; free: number; pending: number } {
    return { connected: this.open, free: this.idle.length, pending: this.waiting.length };
  }

  /** A call takes the most recently used idle connection (its TCP window is warm), else a new one, else waits. */
  run(call: H1Call, fresh: boolean): void {
    if (!fresh) {
      for (let c = this.idle.pop(); c !== undefined; c = this.idle.pop()) {
        if (c.usable()) return c.start(call, true);
      }
    }
    if (this.open < this.max) return this.dial(call);
    this.waiting.push(call);
  }

  private dial(call: H1Call): void {
    this.open++;
    const u = this.url;
    const options = { hostname: u.hostname, host: u.host, protocol: u.protocol, port: u.port, servername: call.servername };
    this.connector(options as buildConnector.Options, (err, socket) => {
      if (err || !socket) {
        this.open--;
        call.fail(err ?? CLOSED());
        this.next();
        return;
      }
      const conn = new H1Connection(this, socket as Socket);
      this.all.add(conn);
      if (this.closed || call.settled) return conn.release();
      conn.start(call, false);
    });
  }

  /** A connection is free again: the next waiting call takes it, else it idles. */
  released(conn: H1Connection): void {
    const next = this.nextWaiting();
    if (next !== undefined) return conn.start(next, true);
    if (this.closed) return conn.destroy();
    this.idle.push(conn);
    this.maybeClosed();
  }

  /** A connection ended: one fewer open, and room for a waiting call. */
  gone(conn: H1Connection): void {
    this.open--;
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    this.next();
    this.maybeClosed();
  }

  private next(): void {
    const next = this.nextWaiting();
    if (next !== undefined) this.run(next, false);
  }

  /** The oldest waiting call still wanted (an aborted one has settled). */
  private nextWaiting(): H1Call | undefined {
    let call = this.waiting.shift();
    while (call !== undefined && call.settled) call = this.waiting.shift();
    return call;
  }

  private maybeClosed(): void {
    if (this.closing && this.open === this.idle.length && this.waiting.length === 0) {
      for (const c of this.idle.splice(0)) c.destroy();
      this.closing();
    }
  }

  protected override shutdown(): Promise<void> {
    this.closed = true;
    return new Promise<void>((resolve) => {
      this.closing = resolve;
      this.maybeClosed();
    });
  }

  protected override abortAll(): void {
    this.closed = true;
    for (const call of this.waiting.splice(0)) call.fail(POOL_CLOSED);
    for (const c of this.all) c.destroy();
  }
}

/** One keep-alive connection: one request at a time on it (no pipelining), its own llhttp parser. */
class H1Connection implements ResponseSink {
  private readonly pool: H1Pool;
  readonly socket: Tagged<Socket>;
  private readonly parser: ResponseParser;
  call: H1Call | undefined;
  private keepAliveMs = KEEP_ALIVE_MS;
  /**
   * Inactivity the socket's timer has already counted since the last read or write. One timer, of the shortest
   * limit ahead, serves the headers, body and keep-alive limits: it is set again only when a limit ahead is shorter
   * than it (usually never once the connection is warm), and a phase with a longer limit lets it fire and adds up.
   */
  private idleFor = 0;
  private reusable = false;
  /** A response ended inside the parse under way: the connection is released once that parse returns. */
  private done = false;
  /** The upstream closed its side, or the connection failed: never handed out again. */
  dead = false;

  constructor(pool: H1Pool, socket: Socket) {
    this.pool = pool;
    this.socket = socket;
    this.parser = new ResponseParser(this);
    // A TLS socket's reads come as 'data'; a plain one's go to READ_INTO, and the listener only sets it flowing.
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    socket.on('timeout', onSocketTimeout);
    (socket as unknown as Record<symbol, H1Connection>)[CONN] = this;
  }

  usable(): boolean {
    return !this.dead && !this.socket.destroyed && this.socket.readable;
  }

  start(call: H1Call, reused: boolean): void {
    this.call = call;
    this.reusable = false;
    // The last call may have paused reading (backpressure) and ended before it resumed.
    if (this.socket.isPaused()) this.socket.resume();
    this.parser.skipBody = call.method === 'HEAD';
    this.arm(shortest(limitOf(call.opts.headersTimeout), limitOf(call.opts.bodyTimeout), this.keepAliveMs));
    call.started(this, reused);
  }

  write(data: string | Uint8Array, encoding?: BufferEncoding): boolean {
    this.idleFor = 0;
    return encoding ? this.socket.write(data as string, encoding) : this.socket.write(data);
  }

  onHead(status: number, headers: ResponseHeaders, keepAlive: boolean): boolean {
    const call = this.call;
    if (call === undefined) {
      this.fail(CLOSED());
      return false;
    }
    if (status < 200) return true; // 1xx are hop-local; the final response follows
    this.reusable = keepAlive;
    if (keepAlive) {
      const named = headers['keep-alive'];
      const m = typeof named === 'string' ? /timeout=(\d+)/i.exec(named) : null;
      this.keepAliveMs = m ? Math.min(Number(m[1]) * 1000 - KEEP_ALIVE_MARGIN_MS, KEEP_ALIVE_MAX_MS) : KEEP_ALIVE_MS;
      if (this.keepAliveMs <= 0) this.reusable = false;
    }
    this.arm(shortest(limitOf(call.opts.bodyTimeout), this.keepAliveMs, 0));
    call.response(status, headers);
    return this.call === call && !call.settled;
  }

  onBody(chunk: Buffer): boolean {
    const call = this.call;
    if (call === undefined || call.settled) return false;
    call.data(chunk);
    return this.call === call && !call.settled;
  }

  onEnd(trailers: ResponseHeaders): void {
    const call = this.call;
    if (call === undefined) return;
    this.call = undefined;
    // A request body still going out when the answer ended leaves the connection mid-message: close it.
    if (!call.bodyDone) this.reusable = false;
    this.done = true;
    call.ended(trailers);
  }

  /** One read; `borrowed`: in READ_INTO's buffer, which the next read overwrites. */
  data(chunk: Buffer, borrowed: boolean): void {
    this.idleFor = 0;
    const ok = this.parser.execute(chunk, borrowed);
    if (this.done) {
      this.done = false;
      // Bytes after the response, with no request outstanding: the connection is out of step with the upstream.
      if (this.parser.leftover > 0) this.reusable = false;
      this.parser.leftover = 0;
      if (this.reusable && this.usable()) this.release();
      else this.destroy();
      return;
    }
    if (!ok) this.fail(this.parser.error!);
  }

  /** The upstream half-closed: a body delimited by the close ends here; anything else was cut short. */
  end(): void {
    this.dead = true;
    if (this.call !== undefined && !this.parser.finish()) return this.fail(this.parser.error!);
    this.done = false;
    if (this.call !== undefined) return this.fail(CLOSED());
    this.destroy();
  }

  fail(err: Error): void {
    this.dead = true;
    const call = this.call;
    this.call = undefined;
    this.destroy();
    call?.lost(err);
  }

  /** The socket's timer fired: the phase's limit is reached, or the timer runs on for what is left of it. */
  timedOut(): void {
    const call = this.call;
    const limit = call === undefined ? this.keepAliveMs : limitOf(call.responded ? call.opts.bodyTimeout : call.opts.headersTimeout);
    if (limit === 0) return; // no limit in this phase: the timer sleeps until the next read or write refreshes it
    const waited = this.idleFor + this.socket.timeout!;
    if (waited < limit) {
      this.idleFor = waited;
      this.socket.setTimeout(limit - waited);
      return;
    }
    if (call === undefined) return this.destroy(); // idle past the keep-alive time
    this.fail(call.responded ? BODY_TIMEOUT : HEADERS_TIMEOUT);
  }

  /**
   * A phase begins (on a read or a write, which refresh the timer): the timer is set again only if it is off or
   * longer than `ms`, the shortest limit from here on; firing sooner is harmless, timedOut adds up.
   */
  private arm(ms: number): void {
    const current = this.socket.timeout ?? 0;
    if (current === 0 ? ms !== 0 : ms === 0 || current > ms) this.socket.setTimeout(ms);
    this.idleFor = 0;
  }

  release(): void {
    this.arm(this.keepAliveMs);
    this.pool.released(this);
  }

  destroy(): void {
    this.dead = true;
    if (!this.socket.destroyed) this.socket.destroy();
  }

  closed(): void {
    this.dead = true;
    this.parser.close();
    const call = this.call;
    this.call = undefined;
    call?.lost(CLOSED());
    this.pool.gone(this);
  }
}

/** A dispatch option's timeout as an inactivity limit: 0 for none. */
function limitOf(ms: number | null | undefined): number {
  return ms !== undefined && ms !== null && ms > 0 ? ms : 0;
}

/** The shortest of the limits that are set (0 for none), 0 when none is. */
function shortest(a: number, b: number, c: number): number {
  let min = 0;
  if (a > 0) min = a;
  if (b > 0 && (min === 0 || b < min)) min = b;
  if (c > 0 && (min === 0 || c < min)) min = c;
  return min;
}

const CONN = Symbol('weft.h1conn');
function connOf(s: Socket): H1Connection {
  return (s as unknown as Record<symbol, H1Connection>)[CONN];
}
function onSocketData(this: Socket, chunk: Buffer): void {
  connOf(this).data(chunk, false);
}

/**
 * Where plain-text upstream connections read (net's `onread`): straight into one buffer per thread, each read
 * parsed before the next, instead of a new buffer per read passed through the socket's Readable.
 */
export const READ_INTO = { buffer: Buffer.allocUnsafe(64 * 1024), callback: onSocketRead };
function onSocketRead(this: Socket, bytes: number, buffer: Uint8Array): boolean {
  connOf(this).data((buffer as Buffer).subarray(0, bytes), true);
  return true;
}
function onSocketEnd(this: Socket): void {
  connOf(this).end();
}
function onSocketError(this: Socket, err: Error): void {
  connOf(this).fail(err);
}
function onSocketClose(this: Socket): void {
  connOf(this).closed();
}
function onSocketTimeout(this: Socket): void {
  connOf(this).timedOut();
}

/** One request and the controller its handler drives. */
class H1Call implements Dispatcher.DispatchController {
  readonly opts: Options;
  readonly method: string;
  readonly servername: string | null | undefined;
  /** The request line and headers, ready to write. */
  readonly head: string;
  private readonly pool: H1Pool;
  private readonly handler: Dispatcher.DispatchHandler;
  private readonly declared: number;
  private conn: H1Connection | undefined;
  private sent = 0;
  private chunked = false;
  private reused = false;
  private sentOnce = false;
  responded = false;
  settled = false;
  bodyDone = true;
  aborted = false;
  paused = false;
  reason: Error | null = null;

  constructor(pool: H1Pool, opts: Options, handler: Dispatcher.DispatchHandler) {
    this.pool = pool;
    this.opts = opts;
    this.handler = handler;
    this.method = opts.method;
    this.servername = opts.servername;
    let head = '';
    let declared = -1;
    try {
      const built = requestHead(pool.host, opts);
      head = built.head;
      declared = built.declared;
      this.chunked = built.chunked;
    } catch (err) {
      this.fail(err as Error);
    }
    this.head = head;
    this.declared = declared;
  }

  started(conn: H1Connection, reused: boolean): void {
    this.conn = conn;
    // A request sent again after a stale connection (lost()) has started for its handler already.
    if (!this.sentOnce) this.handler.onRequestStart?.(this, undefined);
    this.sentOnce = true;
    this.reused = reused;
    if (this.aborted || this.settled) return;
    const body = this.opts.body;
    if (body === null || body === undefined) {
      conn.write(this.head, 'latin1');
      return;
    }
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      conn.socket.cork();
      conn.write(this.head, 'latin1');
      conn.write(bytes);
      conn.socket.uncork();
      this.handler.onBodySent?.(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
      return;
    }
    conn.write(this.head, 'latin1');
    this.bodyDone = false;
    const readable = body as Tagged<Readable>;
    readable[CALL] = this;
    readable.on('data', onBodyData);
    readable.once('end', onBodyEnd);
    readable.once('error', onBodyError);
  }

  bodyChunk(readable: Readable, chunk: Buffer): void {
    const conn = this.conn;
    if (conn === undefined || this.settled) return;
    this.sent += chunk.length;
    if (this.declared >= 0 && this.sent > this.declared) return this.abandon(LENGTH_MISMATCH);
    this.handler.onBodySent?.(chunk);
    let flowing: boolean;
    if (this.chunked) {
      conn.socket.cork();
      conn.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      conn.write(chunk);
      flowing = conn.write('\r\n', 'latin1');
      conn.socket.uncork();
    } else {
      flowing = conn.write(chunk);
    }
    if (!flowing) {
      readable.pause();
      conn.socket.once('drain', () => readable.resume());
    }
  }

  bodyEnded(): void {
    this.detachBody();
    if (this.conn === undefined || this.settled) return;
    if (this.declared >= 0 && this.sent !== this.declared) return this.abandon(LENGTH_MISMATCH);
    if (this.chunked) this.conn.write('0\r\n\r\n', 'latin1');
    this.bodyDone = true;
  }

  bodyFailed(): void {
    this.detachBody();
    this.abandon(CLOSED());
  }

  private detachBody(): void {
    const body = this.opts.body as Tagged<Readable> | null;
    if (body && typeof body === 'object' && CALL in body) {
      body.off('data', onBodyData);
      body.off('end', onBodyEnd);
      body.off('error', onBodyError);
      delete body[CALL];
    }
  }

  /** The request cannot go on: its connection goes with it. */
  private abandon(err: Error): void {
    const conn = this.conn;
    if (conn !== undefined) conn.fail(err);
    else this.fail(err);
  }

  response(status: number, headers: ResponseHeaders): void {
    this.responded = true;
    this.handler.onResponseStart?.(this, status, headers, '');
  }

  data(chunk: Buffer): void {
    this.handler.onResponseData?.(this, chunk);
  }

  ended(trailers: ResponseHeaders): void {
    if (this.settled) return;
    this.settled = true;
    this.conn = undefined;
    this.detachBody();
    this.handler.onResponseEnd?.(this, trailers);
  }

  /**
   * Its connection failed. A kept-alive connection the upstream had closed before this request reached it (no
   * answer, nothing of a body sent) is no fault of the request: an idempotent one goes again on a fresh connection.
   */
  lost(err: Error): void {
    if (this.settled) return;
    const body = this.opts.body;
    if (this.reused && !this.responded && !this.aborted && (body === null || body === undefined) && IDEMPOTENT.has(this.method) && STALE.has((err as CodedError).code)) {
      this.reused = false;
      this.conn = undefined;
      this.pool.run(this, true);
      return;
    }
    this.fail(err);
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.conn = undefined;
    this.detachBody();
    this.handler.onResponseError?.(this, err);
  }

  abort(reason: Error): void {
    if (this.aborted || this.settled) return;
    this.aborted = true;
    this.reason = reason;
    const conn = this.conn;
    this.conn = undefined;
    if (conn !== undefined) {
      conn.call = undefined;
      conn.destroy();
    }
    this.fail(reason);
  }

  pause(): void {
    this.paused = true;
    this.conn?.socket.pause();
  }

  resume(): void {
    this.paused = false;
    this.conn?.socket.resume();
  }
}

function onBodyData(this: Tagged<Readable>, chunk: Buffer): void {
  this[CALL]?.bodyChunk(this, chunk);
}
function onBodyEnd(this: Tagged<Readable>): void {
  this[CALL]?.bodyEnded();
}
function onBodyError(this: Tagged<Readable>): void {
  this[CALL]?.bodyFailed();
}

/** The head requestHead is building, module-wide rather than in a closure per request (it runs synchronously, one at a time). */
let building = '';
let sawHost = false;
let declared = -1;

/** Adds one header line, checked as undici checks it. */
function addHeader(name: string, value: string): void {
  // Only names as long as the four that matter are lower-cased.
  const lower = name.length === 4 || name.length === 14 || name.length === 10 || name.length === 17 ? name.toLowerCase() : '';
  if (lower === 'host') sawHost = true;
  else if (lower === 'content-length') declared = Number(value);
  else if (lower === 'connection' || lower === 'transfer-encoding') throw invalid(`invalid ${lower} header`);
  if (!TOKEN.test(name)) throw invalid(`invalid header name ${JSON.stringify(name)}`);
  if (BAD_VALUE.test(value)) throw invalid(`invalid value of header ${name}`);
  building += `${name}: ${value}\r\n`;
}

/** The request line and headers as one latin1 string, checked as undici checks them; how the body is framed. */
function requestHead(host: string, opts: Options): { head: string; declared: number; chunked: boolean } {
  const method = opts.method;
  const path = opts.path;
  if (!TOKEN.test(method)) throw invalid(`invalid method ${JSON.stringify(method)}`);
  if ((path[0] !== '/' && !/^https?:\/\//i.test(path)) || BAD_PATH.test(path)) throw invalid(`invalid path ${JSON.stringify(path)}`);
  const given = opts.headers;
  building = `${method} ${path} HTTP/1.1\r\n`;
  sawHost = false;
  declared = -1;
  if (Array.isArray(given)) {
    const list = given as string[];
    for (let i = 0; i < list.length; i += 2) addHeader(list[i], list[i + 1]);
  } else if (given) {
    for (const [name, value] of Object.entries(given as Record<string, string | string[] | undefined>)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) addHeader(name, v);
      else addHeader(name, String(value));
    }
  }
  let head = building;
  building = '';
  if (!sawHost) head = `${head}host: ${host}\r\n`;
  const body = opts.body;
  let chunked = false;
  if (body === null || body === undefined) {
    if (declared < 0 && EXPECTS_BODY.has(method)) head += 'content-length: 0\r\n';
  } else if (typeof body === 'string' || body instanceof Uint8Array) {
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (declared < 0) head += `content-length: ${length}\r\n`;
    else if (declared !== length) throw LENGTH_MISMATCH;
    declared = length;
  } else if (declared < 0) {
    head += 'transfer-encoding: chunked\r\n';
    chunked = true;
  }
  return { head: `${head}\r\n`, declared, chunked };
}
