// HTTP/1.1 responses parsed by llhttp (the parser of node:http and undici), as undici ships it compiled to WebAssembly: one instance per thread, one parser per upstream connection.
import llhttpWasm from './llhttp-wasm.cjs';
import { maxHeaderSize } from '../http/node-http.ts';

/** llhttp's return codes this file acts on (llhttp's `ERROR` table). */
const OK = 0;
const PAUSED = 21;
const RESPONSE = 2;
/** on_headers_complete's answer "this message has no body" (a HEAD response). */
const SKIP_BODY = 1;
/** A callback's refusal: llhttp stops with a CB_* error. */
const STOP = -1;

export type ResponseHeaders = Record<string, string | string[]>;

/** What a parser reports to: its connection. Each callback returns whether parsing goes on. */
export interface ResponseSink {
  /** Status and headers, `keepAlive` as the response allows; returns false to stop. */
  onHead(status: number, headers: ResponseHeaders, keepAlive: boolean): boolean;
  onBody(chunk: Buffer): boolean;
  /** The response ended; trailers (chunked only) may be empty. */
  onEnd(trailers: ResponseHeaders): void;
}

/** The exports of undici's llhttp build this file and bench/h1-server-cost.ts (request mode) call. */
export interface Llhttp {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(ptr: number): void;
  llhttp_alloc(type: number): number;
  llhttp_free(ptr: number): void;
  llhttp_execute(ptr: number, data: number, len: number): number;
  llhttp_finish(ptr: number): number;
  llhttp_resume(ptr: number): void;
  llhttp_get_error_pos(ptr: number): number;
  llhttp_get_error_reason(ptr: number): number;
  llhttp_get_errno(ptr: number): number;
  llhttp_errno_name(errno: number): number;
  llhttp_get_method(ptr: number): number;
  llhttp_method_name(method: number): number;
}

/** The parser running now (llhttp calls back synchronously inside execute), and where its input sits. */
let current: ResponseParser | undefined;
let input: Buffer = Buffer.alloc(0);
/** The input is a shared buffer that the next read overwrites: a body piece passed on is copied. */
let borrowed = false;
let inputPtr = 0;
let bufferPtr = 0;
let bufferSize = 0;
let bufferView: Uint8Array | undefined;
let llhttp: Llhttp | undefined;

/**
 * Small body pieces are copied into slabs of this size. `Buffer.from` would slice Node's shared pool, whose 64 KiB
 * slab lives through about a thousand small bodies: longer than two scavenges, so each slab is promoted and waits
 * dead in the old generation for the next mark-compact (5–7 MiB of them per serving thread under load). An 8 KiB
 * slab is done with before the next scavenge; a buffer of its own per piece costs an ArrayBuffer each (~2 µs).
 */
const SLAB = 8 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB);
let slabUsed = 0;

function ownCopy(piece: Buffer): Buffer {
  const size = piece.length;
  let copy: Buffer;
  if (size > SLAB >> 1) copy = Buffer.allocUnsafeSlow(size);
  else {
    if (slabUsed + size > SLAB) {
      slab = Buffer.allocUnsafeSlow(SLAB);
      slabUsed = 0;
    }
    copy = slab.subarray(slabUsed, slabUsed + size);
    // 8-byte aligned, as Node aligns its pool, so a typed array over the copy stays legal.
    slabUsed = (slabUsed + size + 7) & ~7;
  }
  copy.set(piece);
  return copy;
}

function enter(parser: ResponseParser | undefined): void {
  current = parser;
}

function instance(): Llhttp {
  if (llhttp) return llhttp;
  // Callbacks hand offsets into the copy in Wasm memory; they are read from the socket's own chunk instead.
  const env = {
    wasm_on_url: () => 0,
    wasm_on_status: () => 0,
    wasm_on_message_begin: () => current!.begin(),
    wasm_on_header_field: (_p: number, at: number, len: number) => current!.field(at - inputPtr, len),
    wasm_on_header_value: (_p: number, at: number, len: number) => current!.value(at - inputPtr, len),
    wasm_on_headers_complete: (_p: number, status: number, _upgrade: number, keepAlive: number) => current!.headersComplete(status, keepAlive === 1),
    wasm_on_body: (_p: number, at: number, len: number) => current!.body(at - inputPtr, len),
    wasm_on_message_complete: () => current!.complete(),
  };
  const module = new WebAssembly.Module(llhttpWasm.bytes);
  llhttp = new WebAssembly.Instance(module, { env }).exports as unknown as Llhttp;
  return llhttp;
}

/** A response that llhttp refused: 502 WEFT_ERR_UPSTREAM_PROTOCOL by its HPE_* code. */
export class ResponseParseError extends Error {
  readonly code: string;
  constructor(code: string, reason: string) {
    super(`the upstream's response is not valid HTTP/1.1: ${reason}`);
    this.code = code;
  }
}


function cString(ll: Llhttp, ptr: number): string {
  if (!ptr) return '';
  const bytes = new Uint8Array(ll.memory.buffer, ptr);
  return Buffer.from(bytes.subarray(0, bytes.indexOf(0))).toString('latin1');
}

export class ResponseParser {
  private readonly sink: ResponseSink;
  private ptr: number;
  /** Names and values as they arrive (a name or value split across reads comes in pieces). */
  private fields: string[] = [];
  private headerBytes = 0;
  /** The message being read is a 1xx: the final response follows on the same connection. */
  private interim = false;
  /** The request was a HEAD: its response has no body whatever its headers say. */
  skipBody = false;
  /** The message ended inside the last execute and bytes followed it in the same read. */
  leftover = 0;
  error: Error | undefined;

  constructor(sink: ResponseSink) {
    this.sink = sink;
    this.ptr = instance().llhttp_alloc(RESPONSE);
  }

  /** Parses one read of the socket (`lent`: in a buffer the next read reuses); false when the connection cannot go on (see `error`). */
  execute(chunk: Buffer, lent = false): boolean {
    const ll = llhttp!;
    if (chunk.length > bufferSize) {
      if (bufferPtr) ll.free(bufferPtr);
      bufferSize = Math.ceil(chunk.length / 16384) * 16384;
      bufferPtr = ll.malloc(bufferSize);
    }
    if (bufferView === undefined || bufferView.buffer !== ll.memory.buffer || bufferView.byteOffset !== bufferPtr || bufferView.length !== bufferSize) {
      bufferView = new Uint8Array(ll.memory.buffer, bufferPtr, bufferSize);
    }
    bufferView.set(chunk);
    enter(this);
    input = chunk;
    borrowed = lent;
    inputPtr = bufferPtr;
    let ret: number;
    try {
      ret = ll.llhttp_execute(this.ptr, bufferPtr, chunk.length);
    } finally {
      enter(undefined);
    }
    if (ret === OK) return true;
    if (ret === PAUSED) {
      // Paused at the end of a message: anything after it is a response nobody asked for.
      this.leftover = chunk.length - (ll.llhttp_get_error_pos(this.ptr) - bufferPtr);
      ll.llhttp_resume(this.ptr);
      return true;
    }
    this.error ??= this.parseError(ret);
    return false;
  }

  /** The upstream closed the connection: ends a body delimited by the close, or says what was cut short. */
  finish(): boolean {
    const ll = llhttp!;
    enter(this);
    let ret: number;
    try {
      ret = ll.llhttp_finish(this.ptr);
    } finally {
      enter(undefined);
    }
    if (ret === OK || ret === PAUSED) return true;
    this.error ??= this.parseError(ret);
    return false;
  }

  close(): void {
    if (this.ptr) llhttp!.llhttp_free(this.ptr);
    this.ptr = 0;
  }

  private parseError(ret: number): Error {
    const ll = llhttp!;
    return new ResponseParseError(cString(ll, ll.llhttp_errno_name(ret)), cString(ll, ll.llhttp_get_error_reason(this.ptr)));
  }

  begin(): number {
    this.fields = [];
    this.headerBytes = 0;
    return 0;
  }

  field(start: number, len: number): number {
    return this.piece(start, len, false);
  }

  value(start: number, len: number): number {
    return this.piece(start, len, true);
  }

  private piece(start: number, len: number, isValue: boolean): number {
    this.headerBytes += len;
    if (this.headerBytes > maxHeaderSize) {
      this.error = new ResponseParseError('HPE_HEADER_OVERFLOW', `its headers exceed ${maxHeaderSize} bytes`);
      return STOP;
    }
    const text = input.toString('latin1', start, start + len);
    const f = this.fields;
    // Names sit at even places, values at odd ones; a piece of the same kind as the last continues it (a read split it).
    if ((f.length % 2 === 1) === isValue) f.push(text);
    else f[f.length - 1] += text;
    return 0;
  }

  headersComplete(status: number, keepAlive: boolean): number {
    this.interim = status < 200;
    const headers = toHeaders(this.fields);
    this.fields = [];
    this.headerBytes = 0;
    if (!this.sink.onHead(status, headers, keepAlive)) return STOP;
    return this.skipBody || status === 204 || status === 304 ? SKIP_BODY : 0;
  }

  body(start: number, len: number): number {
    const piece = input.subarray(start, start + len);
    return this.sink.onBody(borrowed ? ownCopy(piece) : piece) ? 0 : STOP;
  }

  complete(): number {
    if (this.interim) {
      this.interim = false;
      return 0;
    }
    const trailers = this.fields.length ? toHeaders(this.fields) : NO_TRAILERS;
    this.fields = [];
    this.sink.onEnd(trailers);
    // Pausing here lets execute tell what came after the message.
    return PAUSED;
  }
}

const NO_TRAILERS: ResponseHeaders = Object.freeze({}) as ResponseHeaders;

/**
 * Response names as an upstream spells them, to their lower case: an upstream sends the same few names on every
 * response, and a lookup costs less than toLowerCase's new string plus interning it as a property key. Bounded in
 * count and name length, so an upstream inventing names cannot grow it past a few tens of KiB.
 */
const LOWER = new Map<string, string>();
const LOWER_MAX = 512;
const LOWER_NAME_MAX = 64;

function lowerName(raw: string): string {
  let name = LOWER.get(raw);
  if (name === undefined) {
    name = raw.toLowerCase();
    if (LOWER.size < LOWER_MAX && raw.length <= LOWER_NAME_MAX) LOWER.set(raw, name);
  }
  return name;
}

/** Names lower-cased; a repeated name becomes a list (set-cookie), as node:http and undici give them. */
function toHeaders(f: string[]): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (let i = 0; i < f.length; i += 2) {
    const name = lowerName(f[i]);
    const value = f[i + 1] ?? '';
    const had = out[name];
    if (had === undefined) out[name] = value;
    else if (typeof had === 'string') out[name] = [had, value];
    else had.push(value);
  }
  return out;
}
