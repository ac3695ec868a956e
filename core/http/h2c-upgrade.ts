// Upgrade: h2c (RFC 7540 §3.2): an HTTP/1.1 request switches its connection to HTTP/2 and is answered on stream 1.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SocketDuplex } from './socket-duplex.ts';
import { HTTP2_PREFACE } from './preface.ts';

// Node's HTTP/2 server cannot adopt a request it did not parse (nghttp2's session_upgrade is not exposed), so the
// connection is handed over as if the client had spoken HTTP/2 from the start, the upgrade request arriving as
// stream 1's HEADERS.

const HEADERS = 0x1;
const SETTINGS = 0x4;
const CONTINUATION = 0x9;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
/** SETTINGS_MAX_FRAME_SIZE's initial value: the server has announced nothing larger when the frames are made. */
const MAX_FRAME = 16384;

/** Headers of the HTTP/1.1 hop that are not part of the request stream 1 carries. */
const NOT_FORWARDED = new Set(['host', 'connection', 'upgrade', 'http2-settings', 'keep-alive', 'proxy-connection', 'transfer-encoding']);

function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/**
 * A request the proxy switches to HTTP/2: Upgrade names h2c, exactly one HTTP2-Settings, and no body (a body would
 * have to be read as HTTP/1.1 before the switch; such a request is simply served over HTTP/1.1, as the RFC allows).
 */
export function acceptsH2cUpgrade(req: IncomingMessage): boolean {
  const h = req.headers;
  if (!hasToken(h.upgrade, 'h2c') || typeof h['http2-settings'] !== 'string') return false;
  if (h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')) return false;
  return validSettings(h['http2-settings']);
}

export function isH2cUpgrade(req: IncomingMessage): boolean {
  return hasToken(req.headers.upgrade, 'h2c');
}

/** HTTP2-Settings is a SETTINGS frame's payload in base64url: six bytes per setting. */
function validSettings(value: string): boolean {
  return /^[A-Za-z0-9_-]*={0,2}$/.test(value) && Buffer.from(value, 'base64url').length % 6 === 0;
}

/** One HTTP/2 frame: its 9-byte header, then the payload. */
export function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK string literal, not Huffman-coded: a 7-bit-prefix length, then the bytes. */
function hpackString(text: string, out: number[]): void {
  const bytes = Buffer.from(text, 'latin1');
  let n = bytes.length;
  if (n < 127) {
    out.push(n);
  } else {
    out.push(127);
    n -= 127;
    while (n >= 128) {
      out.push((n & 127) | 128);
      n >>>= 7;
    }
    out.push(n);
  }
  for (const b of bytes) out.push(b);
}

/** The request as an HPACK block of literals without indexing (RFC 7541 §6.2.2): no dynamic table state to share. */
function headerBlock(req: IncomingMessage): Buffer {
  const out: number[] = [];
  const field = (name: string, value: string) => {
    out.push(0);
    hpackString(name, out);
    hpackString(value, out);
  };
  field(':method', req.method!);
  field(':scheme', 'http');
  field(':path', req.url!);
  if (req.headers.host !== undefined) field(':authority', req.headers.host);
  const named = (req.headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim());
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (NOT_FORWARDED.has(name) || named.includes(name)) continue;
    if (name === 'te' && !hasToken(raw[i + 1], 'trailers')) continue;
    field(name, name === 'te' ? 'trailers' : raw[i + 1]);
  }
  return Buffer.from(out);
}

/** Stream 1's HEADERS, with CONTINUATION frames when the block is larger than one frame. */
function requestFrames(req: IncomingMessage): Buffer[] {
  const block = headerBlock(req);
  const frames: Buffer[] = [];
  for (let at = 0; at === 0 || at < block.length; at += MAX_FRAME) {
    const last = at + MAX_FRAME >= block.length;
    const type = at === 0 ? HEADERS : CONTINUATION;
    const flags = (at === 0 ? END_STREAM : 0) | (last ? END_HEADERS : 0);
    frames.push(frame(type, flags, 1, block.subarray(at, at + MAX_FRAME)));
  }
  return frames;
}

/**
 * The upgraded connection as the HTTP/2 server reads it: the client's preface and first SETTINGS frame, then the
 * upgrade request as stream 1, then the rest of the client's bytes. Stream 1 goes in after the SETTINGS frame
 * because a preface must come first, and it is the client's own SETTINGS rather than one made from
 * HTTP2-Settings because Node acknowledges every SETTINGS frame it reads, and a client counts the ACKs it gets.
 */
class UpgradedConnection extends SocketDuplex {
  #stream1: Buffer[] | undefined;
  /** The client's opening read so far, until its first SETTINGS frame is whole. */
  #opening: Buffer = Buffer.alloc(0);

  constructor(socket: Socket, stream1: Buffer[], head: Buffer) {
    super(socket);
    this.#stream1 = stream1;
    socket.on('data', (chunk: Buffer) => this.#incoming(chunk));
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
    if (head.length) this.#incoming(head);
  }

  #incoming(chunk: Buffer): void {
    const stream1 = this.#stream1;
    if (stream1 !== undefined) {
      const seen = Buffer.concat([this.#opening, chunk]);
      const p = HTTP2_PREFACE.length;
      const checked = Math.min(seen.length, p);
      if (seen.compare(HTTP2_PREFACE, 0, checked, 0, checked) !== 0 || (seen.length > p + 3 && seen[p + 3] !== SETTINGS)) {
        this.destroy(new Error('h2c upgrade: the client did not open with the HTTP/2 preface and SETTINGS'));
        return;
      }
      const end = seen.length >= p + 9 ? p + 9 + seen.readUIntBE(p, 3) : Infinity;
      if (seen.length < end) {
        this.#opening = seen;
        return;
      }
      this.#stream1 = undefined;
      this.#opening = Buffer.alloc(0);
      chunk = Buffer.concat([seen.subarray(0, end), ...stream1, seen.subarray(end)]);
    }
    if (!this.push(chunk)) this.socket.pause();
  }
}

/** Answers 101 and hands the connection to the HTTP/2 server, which answers the request on stream 1. */
export function upgradeToH2c(req: IncomingMessage, socket: Socket, head: Buffer, accept: (connection: Duplex) => void): void {
  socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: h2c\r\n\r\n');
  accept(new UpgradedConnection(socket, requestFrames(req), head));
}
