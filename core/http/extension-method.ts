// Methods Node's HTTP/1.1 parser does not know (any RFC 9110 token, such as FOO): found where the parser stopped, read by a second parser as GET, and given back to the request.
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { SocketDuplex } from './socket-duplex.ts';
import { TOKEN_CHAR } from '../wasm/header-check.ts';
import { METHODS } from './node-http.ts';

// llhttp only parses the methods it was built with, and Node has no option for others. When it stops on one, the
// request's bytes from its method on are in the chunk it failed in: the connection is then read by a new parser
// (a second, never-listening server's) from that request on, with the method replaced by GET, which frames a
// request exactly as any other method does; the request gets its real method back before it is routed.

/** Methods llhttp knows only for RTSP: over HTTP/1.x it refuses them after reading the whole request line. */
const RTSP_ONLY = ['DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD', 'FLUSH'];
/** Every method in llhttp's table: it reads a prefix of one of these before it fails on an unknown method. */
const KNOWN = [...METHODS, 'PRI', ...RTSP_ONLY];
const LONGEST = Math.max(...KNOWN.map((m) => m.length));
const PLACEHOLDER = Buffer.from('GET', 'latin1');
const SP = 0x20;
const LF = 0x0a;


/** What Node attaches to a parse error: the chunk being parsed and where in it the parser stopped. */
export interface ParseError extends Error {
  code?: string;
  rawPacket?: unknown;
  bytesParsed?: unknown;
}

export interface ExtensionRequest {
  method: string;
  /** The connection's bytes from the request on, its method replaced by the placeholder. */
  bytes: Buffer;
}

/** The token at `at` if a space follows it within the chunk, else undefined. */
function tokenAt(chunk: Buffer, at: number): string | undefined {
  let end = at;
  while (end < chunk.length && TOKEN_CHAR[chunk[end]] === 1) end++;
  return end > at && chunk[end] === SP ? chunk.toString('latin1', at, end) : undefined;
}

function knownPrefix(text: string): boolean {
  for (const m of KNOWN) if (m.startsWith(text)) return true;
  return false;
}

function request(chunk: Buffer, start: number, method: string): ExtensionRequest {
  return { method, bytes: Buffer.concat([PLACEHOLDER, chunk.subarray(start + method.length)]) };
}

/**
 * The request a parse error stopped on, when the error is an unknown method that is a valid token; undefined for
 * any other error, and when the method cannot be told for certain (then the request is refused as malformed).
 * The parser stopped either inside the method, after reading a prefix of a method it knows (HPE_INVALID_METHOD),
 * or after the whole request line of an RTSP method (HPE_INVALID_CONSTANT at the version). The request starts
 * where that prefix starts: every start that explains the stop is tried, and one must stand out. The bytes before
 * the chunk are gone: a method split across two reads of a pipelining client can only be read from the chunk.
 */
export function extensionRequest(err: ParseError): ExtensionRequest | undefined {
  const chunk = err.rawPacket;
  const at = err.bytesParsed;
  if (!Buffer.isBuffer(chunk) || typeof at !== 'number' || at > chunk.length) return undefined;
  if (err.code === 'HPE_INVALID_METHOD') return stoppedInMethod(chunk, at);
  if (err.code === 'HPE_INVALID_CONSTANT') return stoppedAtVersion(chunk, at);
  return undefined;
}

function stoppedInMethod(chunk: Buffer, at: number): ExtensionRequest | undefined {
  const starts: number[] = [];
  for (let start = at; start >= 0 && at - start <= LONGEST; start--) {
    const read = chunk.toString('latin1', start, at);
    // The parser read `read` as part of a method and then failed on the byte at `at`.
    if (!knownPrefix(read) || (at < chunk.length && knownPrefix(read + String.fromCharCode(chunk[at])))) continue;
    const method = tokenAt(chunk, start);
    if (method !== undefined && start + method.length >= at && !KNOWN.includes(method)) starts.push(start);
  }
  // Several starts explain the stop when the method contains a known one ("GETX" holds "TX" and "X"): a request
  // starts at a line start unless a body without a final newline came before it, so that is the reading kept.
  let start = starts.length === 1 ? starts[0] : -1;
  for (const s of starts.length > 1 ? starts : []) {
    if (s > 0 && chunk[s - 1] !== LF) continue;
    if (start >= 0) return undefined;
    start = s;
  }
  return start < 0 ? undefined : request(chunk, start, tokenAt(chunk, start)!);
}

function stoppedAtVersion(chunk: Buffer, at: number): ExtensionRequest | undefined {
  // `METHOD SP target SP HTTP/`: the parser stops at the version's slash.
  if (at < 5 || chunk.toString('latin1', at - 4, at) !== 'HTTP' || chunk[at - 5] !== SP) return undefined;
  const end = chunk.lastIndexOf(SP, at - 6);
  for (const method of RTSP_ONLY) {
    const start = end - method.length;
    if (start >= 0 && chunk.toString('latin1', start, end) === method) return request(chunk, start, method);
  }
  return undefined;
}

/**
 * The connection as the second parser reads it: `head` (the request, with its placeholder method) and then the
 * socket's bytes; its writes go to the socket. It answers for the socket where the request path asks (addresses,
 * TLS state) and in the calls Node's HTTP server makes on a connection (timeouts).
 */
export class ExtensionConnection extends SocketDuplex {
  /** The method of the first request this connection carries, until that request takes it. */
  method: string | undefined;
  #released = false;
  readonly #onData = (chunk: Buffer) => {
    if (!this.push(chunk)) this.socket.pause();
  };
  readonly #onEnd = () => this.push(null);
  readonly #onClose = () => this.destroy();
  readonly #onTimeout = () => this.emit('timeout');
  readonly #onError = (err: Error) => this.destroy(err);

  constructor(socket: Socket, req: ExtensionRequest) {
    super(socket, { allowHalfOpen: true });
    this.method = req.method;
    this.push(req.bytes);
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    socket.on('timeout', this.#onTimeout);
    socket.on('error', this.#onError);
  }

  /** Stops reading for this connection: a later request is handed to the next one; writes still go out. */
  stopReading(): void {
    this.socket.off('data', this.#onData);
    this.socket.off('end', this.#onEnd);
    this.socket.off('timeout', this.#onTimeout);
  }

  /** Lets go of the socket for good (it serves the next connection): closing this one leaves the socket open. */
  release(): void {
    this.stopReading();
    this.socket.off('close', this.#onClose);
    this.socket.off('error', this.#onError);
    this.#released = true;
    this.destroy();
  }

  protected override keepsSocket(): boolean {
    return this.#released;
  }

  setTimeout(ms: number): this {
    this.socket.setTimeout(ms);
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }

  get remoteAddress(): string | undefined { return this.socket.remoteAddress; }
  get remotePort(): number | undefined { return this.socket.remotePort; }
  get remoteFamily(): string | undefined { return this.socket.remoteFamily; }
  get localAddress(): string | undefined { return this.socket.localAddress; }
  get localPort(): number | undefined { return this.socket.localPort; }
  get encrypted(): boolean { return (this.socket as TLSSocket).encrypted === true; }
  get authorized(): boolean { return (this.socket as TLSSocket).authorized === true; }

  getPeerCertificate(detailed?: boolean): PeerCertificate | object {
    return (this.socket as TLSSocket).getPeerCertificate(detailed as true);
  }
}

/** The first request on an extension connection gets its method back; later ones were parsed as they came. */
export function restoreMethod(req: http.IncomingMessage): void {
  const connection = req.socket as unknown as ExtensionConnection;
  if (connection.method === undefined) return;
  req.method = connection.method;
  connection.method = undefined;
}
