// HTTP/1.1 without node:http for the common case: bodiless GET and HEAD requests, read by a strict parser and answered straight on the socket. A request outside that case hands its connection to node:http from that request on.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { OutgoingHttpHeaders } from 'node:http';
import { STATUS_CODES } from './node-http.ts';
import { flattenHeaders } from './header-list.ts';
import { isToken, TOKEN_CHAR } from '../wasm/header-check.ts';

const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');
const NO_FIELDS: readonly string[] = [];

/** Characters of an origin-form target taken here (RFC 3986 pchar, '/' and '?'); any other goes to node:http. */
const TARGET = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%") TARGET[c.charCodeAt(0)] = 1;
/** What node:http refuses to write in a header value (its checkInvalidHeaderChar). */
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** A request head this parser takes: the request line's parts and the fields as they came. */
interface Head {
  method: string;
  url: string;
  raw: string[];
  close: boolean;
}

/**
 * A head as the lean path takes it, or undefined for node:http to read: a method other than GET or HEAD, another
 * version, a target not in origin form, a body (Content-Length, Transfer-Encoding), Upgrade, Expect, a Connection
 * option other than keep-alive or close, obs-fold, a control or non-ASCII byte. None of these is refused here:
 * node:http answers each as it always has.
 */
function parseHead(head: string): Head | undefined {
  const sp = head.indexOf(' ');
  const method = sp === 3 && head.startsWith('GET') ? 'GET' : sp === 4 && head.startsWith('HEAD') ? 'HEAD' : '';
  if (method === '') return undefined;
  let eol = head.indexOf('\r\n');
  if (eol < 0) eol = head.length;
  const sp2 = eol - 9;
  if (sp2 <= sp + 1 || head.charCodeAt(sp2) !== 0x20 || !head.startsWith('HTTP/1.1', sp2 + 1)) return undefined;
  if (head.charCodeAt(sp + 1) !== 0x2f /* / */) return undefined;
  for (let i = sp + 2; i < sp2; i++) if (TARGET[head.charCodeAt(i)] !== 1) return undefined;
  const raw: string[] = [];
  let close = false;
  for (let at = eol + 2; at < head.length;) {
    let end = head.indexOf('\r\n', at);
    if (end < 0) end = head.length;
    const colon = head.indexOf(':', at);
    if (colon <= at || colon > end) return undefined;
    for (let i = at; i < colon; i++) if (TOKEN_CHAR[head.charCodeAt(i)] !== 1) return undefined;
    let from = colon + 1;
    let to = end;
    while (from < to && (head.charCodeAt(from) === 0x20 || head.charCodeAt(from) === 0x09)) from++;
    while (to > from && (head.charCodeAt(to - 1) === 0x20 || head.charCodeAt(to - 1) === 0x09)) to--;
    for (let i = from; i < to; i++) {
      const c = head.charCodeAt(i);
      if ((c < 0x20 && c !== 0x09) || c > 0x7e) return undefined;
    }
    const name = head.slice(at, colon);
    const value = head.slice(from, to);
    const n = name.length;
    if (n === 6 || n === 7 || n === 10 || n === 14 || n === 17) {
      const lower = name.toLowerCase();
      if (lower === 'connection') {
        const option = value.toLowerCase();
        if (option === 'close') close = true;
        else if (option !== 'keep-alive') return undefined;
      } else if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'upgrade' || lower === 'expect' || lower === 'http2-settings') {
        return undefined;
      }
    }
    raw.push(name, value);
    at = end + 2;
  }
  return { method, url: head.slice(sp + 1, sp2), raw, close };
}

/** The response date, formatted once a second as node:http does. */
let date = '';
let dateSecond = 0;
export function utcDate(): string {
  const now = Date.now();
  if (now - dateSecond >= 1000) {
    dateSecond = now - (now % 1000);
    date = new Date(dateSecond).toUTCString();
  }
  return date;
}

/** What the request path reads of node:http's IncomingMessage. A lean request has no body. */
export class LeanRequest {
  readonly method: string;
  url: string;
  readonly rawHeaders: string[];
  readonly socket: Socket;
  readonly httpVersion = '1.1';
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  readonly complete = true;
  readonly trailers: Record<string, string> = {};
  #headers: Record<string, string> | undefined = undefined;

  constructor(head: Head, socket: Socket) {
    this.method = head.method;
    this.url = head.url;
    this.rawHeaders = head.raw;
    this.socket = socket;
  }

  /** Fields by lower-case name, repeated ones joined, built when first asked (local replies read content-type). */
  get headers(): Record<string, string> {
    if (this.#headers !== undefined) return this.#headers;
    const headers: Record<string, string> = {};
    const raw = this.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i].toLowerCase();
      headers[name] = headers[name] === undefined ? raw[i + 1] : `${headers[name]}, ${raw[i + 1]}`;
    }
    return (this.#headers = headers);
  }
}

/**
 * What the request path uses of node:http's ServerResponse, written as node:http writes it: the head waits for the
 * first write or the end and leaves with it, a body without Content-Length is chunked, and the head says whether
 * the connection stays open (Connection, Keep-Alive) and when it was made (Date).
 */
export class LeanResponse extends EventEmitter {
  readonly req: LeanRequest;
  statusCode = 200;
  shouldKeepAlive: boolean;
  headersSent = false;
  #connection: LeanConnection;
  #head = '';
  #extra = '';
  #chunked = false;
  #bodiless: boolean;
  #trailers: OutgoingHttpHeaders | undefined = undefined;
  #ended = false;
  #closed = false;

  constructor(connection: LeanConnection, req: LeanRequest, keepAlive: boolean) {
    super();
    this.#connection = connection;
    this.req = req;
    this.shouldKeepAlive = keepAlive;
    this.#bodiless = req.method === 'HEAD';
  }

  get writableNeedDrain(): boolean {
    return this.#connection.socket.writableNeedDrain;
  }

  setHeader(name: string, value: string): this {
    this.#extra += headerLine(name, value);
    return this;
  }

  writeHead(status: number, headers?: OutgoingHttpHeaders | readonly string[]): this {
    if (this.headersSent) return this;
    this.statusCode = status;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n${this.#extra}`;
    let length = false;
    let dated = false;
    let chunked = false;
    const flat = headers === undefined ? NO_FIELDS : Array.isArray(headers) ? headers as readonly string[] : flattenHeaders(headers as OutgoingHttpHeaders);
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i];
      head += headerLine(name, flat[i + 1]);
      const n = name.length;
      if (n === 4 && name.toLowerCase() === 'date') dated = true;
      else if (n === 14 && name.toLowerCase() === 'content-length') length = true;
      else if (n === 17 && name.toLowerCase() === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(flat[i + 1]);
    }
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) this.#bodiless = true;
    if (chunked) this.#chunked = !this.#bodiless;
    else if (!length && !this.#bodiless) {
      head += 'Transfer-Encoding: chunked\r\n';
      this.#chunked = true;
    }
    if (!dated) head += `Date: ${utcDate()}\r\n`;
    const keepAlive = this.shouldKeepAlive && this.#connection.keepsAlive();
    this.shouldKeepAlive = keepAlive;
    this.#head = `${head}${keepAlive ? this.#connection.keepAliveFields : 'Connection: close\r\n'}\r\n`;
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding): boolean {
    if (this.#ended || this.#closed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const socket = this.#connection.socket;
    socket.cork();
    if (this.#head !== '') this.#flushHead();
    if (!this.#bodiless && chunk.length > 0) this.#writeBody(chunk, encoding);
    socket.uncork();
    return !socket.writableNeedDrain;
  }

  end(chunk?: string | Uint8Array, encoding?: BufferEncoding): this {
    if (this.#ended) return this;
    if (!this.headersSent) this.writeHead(this.statusCode, chunk ? ['Content-Length', String(byteLength(chunk, encoding))] : ['Content-Length', '0']);
    this.#ended = true;
    const socket = this.#connection.socket;
    if (this.#closed || socket.destroyed) return this;
    const body = !this.#bodiless && chunk !== undefined && chunk !== null && chunk.length > 0 ? chunk : undefined;
    const finished = () => this.#finished();
    if (!this.#chunked && (body === undefined || (typeof body === 'string' && encoding === 'latin1'))) {
      // The common end: head and a small body in one latin1 string, one write.
      const text = body === undefined ? this.#head : `${this.#head}${body as string}`;
      this.#head = '';
      if (text === '') process.nextTick(finished);
      else socket.write(text, 'latin1', finished);
      return this;
    }
    socket.cork();
    if (this.#head !== '') this.#flushHead();
    if (body !== undefined) this.#writeBody(body, encoding);
    if (this.#chunked) socket.write(`0\r\n${trailerLines(this.#trailers)}\r\n`, 'latin1', finished);
    else socket.write('', 'latin1', finished);
    socket.uncork();
    return this;
  }

  addTrailers(trailers: OutgoingHttpHeaders): void {
    this.#trailers = trailers;
  }

  destroy(err?: Error): void {
    this.#connection.socket.destroy(err);
  }

  #writeBody(chunk: string | Uint8Array, encoding: BufferEncoding | undefined): void {
    const socket = this.#connection.socket;
    if (this.#chunked) socket.write(`${byteLength(chunk, encoding).toString(16)}\r\n`, 'latin1');
    if (typeof chunk === 'string') socket.write(chunk, encoding ?? 'utf8');
    else socket.write(chunk);
    if (this.#chunked) socket.write('\r\n', 'latin1');
  }

  #flushHead(): void {
    this.#connection.socket.write(this.#head, 'latin1');
    this.#head = '';
  }

  #finished(): void {
    if (this.#closed) return;
    this.emit('finish');
    this.#connection.responded(this);
    this.closed();
  }

  /** The response is over: written, or its connection gone first. */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close');
  }
}

function headerLine(name: string, value: string): string {
  if (!isToken(name)) throw Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: 'ERR_INVALID_HTTP_TOKEN' });
  if (INVALID_VALUE.test(value)) throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' });
  return `${name}: ${value}\r\n`;
}

function trailerLines(trailers: OutgoingHttpHeaders | undefined): string {
  const flat = flattenHeaders(trailers);
  let lines = '';
  for (let i = 0; i < flat.length; i += 2) lines += headerLine(flat[i], flat[i + 1]);
  return lines;
}

function byteLength(chunk: string | Uint8Array, encoding: BufferEncoding | undefined): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding ?? 'utf8') : chunk.byteLength;
}

/** The listener's limits a lean server keeps, and where its requests go (the listener's checks, then the request path). */
export interface LeanOptions {
  maxHeaderSize: number;
  keepAliveTimeoutMs: number;
  onRequest(req: LeanRequest, res: LeanResponse): void;
}

/** One connection, one request at a time: a pipelined request waits in the buffer until the answer before it is out. */
class LeanConnection {
  readonly socket: Socket;
  #server: LeanHttp1;
  #fallback: (socket: Socket) => void;
  #buffered: Buffer | undefined = undefined;
  #res: LeanResponse | undefined = undefined;
  /** When the last answer went out (performance.now()); -1 while a request is being answered. */
  idleSince = -1;
  /** The client ended its side: what it sent is answered, then the connection ends. */
  #ended = false;
  /** The next answer closes the connection (a drain or a handover). */
  #closing = false;

  constructor(server: LeanHttp1, socket: Socket, fallback: (socket: Socket) => void) {
    this.socket = socket;
    this.#server = server;
    this.#fallback = fallback;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    socket.on('error', onError);
    socket.on('drain', this.#onDrain);
    socket.resume();
  }

  keepsAlive(): boolean {
    return !this.#closing && !this.#ended;
  }

  /** The fields of an answer that keeps the connection open. */
  get keepAliveFields(): string {
    return this.#server.keepAliveFields;
  }

  /** The next answer says Connection: close and the connection then ends; `now`: an idle one ends at once. */
  close(now: boolean): void {
    this.#closing = true;
    if (now && this.#res === undefined) this.socket.destroy();
  }

  /** The answer is out: the next request, or the close it announced. */
  responded(res: LeanResponse): void {
    if (this.#res !== res) return;
    this.#res = undefined;
    this.idleSince = performance.now();
    if (!res.shouldKeepAlive) {
      this.#detach();
      this.socket.end();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    if (this.#buffered !== undefined) this.#next();
    else if (this.#ended) this.socket.end();
  }

  #onData = (chunk: Buffer): void => {
    this.#buffered = this.#buffered === undefined ? chunk : Buffer.concat([this.#buffered, chunk]);
    if (this.#res === undefined) this.#next();
    // Pipelined requests beyond one head's worth wait for the answers before them with the socket paused.
    else if (this.#buffered.length > this.#server.options.maxHeaderSize) this.socket.pause();
  };

  #onEnd = (): void => {
    this.#ended = true;
    if (this.#res === undefined) {
      if (this.#buffered !== undefined) this.#handOff();
      else this.socket.end();
    }
  };

  #onClose = (): void => {
    this.#server.connections.delete(this);
    this.#res?.closed();
  };

  #onDrain = (): void => {
    this.#res?.emit('drain');
  };

  /** Reads the buffered request; one this path does not take (or a head cut in two) goes to node:http with its bytes. */
  #next(): void {
    const buffered = this.#buffered!;
    const end = buffered.indexOf(END_OF_HEAD);
    const head = end < 0 || end > this.#server.options.maxHeaderSize ? undefined : parseHead(buffered.toString('latin1', 0, end));
    if (head === undefined) return this.#handOff();
    this.#buffered = end + 4 === buffered.length ? undefined : buffered.subarray(end + 4);
    this.idleSince = -1;
    const req = new LeanRequest(head, this.socket);
    const res = new LeanResponse(this, req, !head.close && this.keepsAlive());
    this.#res = res;
    this.#server.options.onRequest(req, res);
  }

  #detach(): void {
    this.#server.connections.delete(this);
    this.socket.removeListener('data', this.#onData);
    this.socket.removeListener('end', this.#onEnd);
    this.socket.removeListener('drain', this.#onDrain);
  }

  #handOff(): void {
    this.#detach();
    this.socket.removeListener('close', this.#onClose);
    this.socket.removeListener('error', onError);
    this.socket.pause();
    if (this.#buffered !== undefined) this.socket.unshift(this.#buffered);
    this.#buffered = undefined;
    this.#fallback(this.socket);
  }
}

function onError(this: Socket): void {
  this.destroy();
}

/**
 * The lean HTTP/1.1 side of a listener: its connections, closed by the keep-alive timeout when idle and by the
 * listener's close. Node's HTTP/1.1 server keeps serving every connection this side hands over.
 */
export class LeanHttp1 {
  readonly options: LeanOptions;
  readonly connections = new Set<LeanConnection>();
  readonly keepAliveFields: string;
  #sweep: NodeJS.Timeout | undefined = undefined;

  constructor(options: LeanOptions) {
    this.options = options;
    // A keep-alive timeout of 0 keeps idle connections open, announced without Keep-Alive, as node:http does.
    const timeout = options.keepAliveTimeoutMs > 0 ? `Keep-Alive: timeout=${Math.floor(options.keepAliveTimeoutMs / 1000)}\r\n` : '';
    this.keepAliveFields = `Connection: keep-alive\r\n${timeout}`;
  }

  /** Serves `socket` (paused, its first bytes put back) until a request this side does not take; `fallback` then gets it. */
  accept(socket: Socket, fallback: (socket: Socket) => void): void {
    this.connections.add(new LeanConnection(this, socket, fallback));
    if (this.#sweep === undefined && this.options.keepAliveTimeoutMs > 0) {
      // One timer for every idle connection, as node:http's connection check does, rather than one per request.
      this.#sweep = setInterval(() => this.#closeExpired(), Math.max(10, Math.min(1000, this.options.keepAliveTimeoutMs / 4)));
      this.#sweep.unref();
    }
  }

  /** Closes the idle connections; the others close after their answer, which says so. */
  closeIdleConnections(): void {
    for (const c of [...this.connections]) c.close(true);
  }

  /** A handover: every connection stays open until its next answer, which says Connection: close. */
  closeAfterNextAnswer(): void {
    for (const c of this.connections) c.close(false);
  }

  closeAllConnections(): void {
    for (const c of [...this.connections]) c.socket.destroy();
  }

  #stop(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  #closeExpired(): void {
    if (this.connections.size === 0) return this.#stop();
    const before = performance.now() - this.options.keepAliveTimeoutMs;
    for (const c of [...this.connections]) if (c.idleSince >= 0 && c.idleSince < before) c.socket.destroy();
  }
}
