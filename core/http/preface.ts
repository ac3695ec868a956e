// Tells protocols apart by a new connection's first bytes: HTTP/2 prior knowledge, HTTP/1.x, or neither; TLS or plain text.
import type { Socket } from 'node:net';

/** What every HTTP/2 connection starts with (RFC 9113 §3.4); no HTTP/1.1 request line can. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** A TLS connection starts with a handshake record (content type 22); no HTTP request line can. */
const TLS_HANDSHAKE = 0x16;
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTTP_SLASH = Buffer.from('HTTP/', 'latin1');

/** Where a connection goes once its first bytes are read. */
export interface FirstBytes {
  http1(socket: Socket): void;
  http2(socket: Socket): void;
  /** Not HTTP/1.x (or a line cut off by the timeout, `timedOut`): answered and closed, never parsed. */
  refuse(socket: Socket, timedOut: boolean): void;
}

type Route = (socket: Socket) => void;

/**
 * Reads a new connection until `decide` settles on its first bytes (undefined: read more), puts them back, and
 * hands the paused socket on. A client that sends nothing at all within `timeoutMs` is dropped; one that stops in
 * the middle of what is being read goes to `onTimeout`.
 */
function sniff(socket: Socket, timeoutMs: number, decide: (seen: Buffer) => Route | undefined, onTimeout: Route): void {
  let seen: Buffer | undefined;
  const settle = () => {
    socket.removeListener('data', onData);
    socket.removeListener('timeout', onSilent);
    socket.removeListener('error', onError);
    socket.setTimeout(0);
    socket.pause();
    if (seen !== undefined) socket.unshift(seen);
  };
  const onData = (chunk: Buffer) => {
    seen = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
    const route = decide(seen);
    if (route === undefined) return;
    settle();
    route(socket);
  };
  const onSilent = () => {
    if (seen === undefined) return socket.destroy();
    settle();
    onTimeout(socket);
  };
  const onError = () => socket.destroy();
  socket.on('data', onData);
  socket.on('error', onError);
  socket.setTimeout(timeoutMs, onSilent);
  // A connection handed on by an earlier sniff (TLS or plain text, then the request line) is paused.
  socket.resume();
}

/**
 * Whether `seen` starts with an HTTP/1.x request line: one that ends in its version. A line without one is
 * HTTP/0.9's, whose client would otherwise wait for the header timeout; an empty line is refused too. RFC 9112
 * §2.2 lets a server skip empty lines before a request line so that a stray CRLF after a previous message's body
 * does no harm, and at the start of a connection there is no previous message. A line longer than `maxLine`
 * goes to Node's parser, which answers 431.
 */
function requestLine(seen: Buffer, maxLine: number): boolean | undefined {
  if (seen[0] === CR || seen[0] === LF) return false;
  const lf = seen.indexOf(LF);
  if (lf < 0) return seen.length > maxLine ? true : undefined;
  const end = seen[lf - 1] === CR ? lf - 1 : lf;
  const sp = seen.lastIndexOf(SP, end - 1);
  return sp > 0 && end - sp > HTTP_SLASH.length && seen.compare(HTTP_SLASH, 0, HTTP_SLASH.length, sp + 1, sp + 1 + HTTP_SLASH.length) === 0;
}

/** HTTP/2 prior knowledge, an HTTP/1.x request line, or neither (refused). */
export function sniffProtocol(socket: Socket, timeoutMs: number, maxLine: number, to: FirstBytes): void {
  const decide = (seen: Buffer): Route | undefined => {
    const n = Math.min(seen.length, HTTP2_PREFACE.length);
    if (seen.compare(HTTP2_PREFACE, 0, n, 0, n) === 0) return n < HTTP2_PREFACE.length ? undefined : to.http2;
    const ok = requestLine(seen, maxLine);
    return ok === undefined ? undefined : ok ? to.http1 : refused;
  };
  const refused = (s: Socket) => to.refuse(s, false);
  sniff(socket, timeoutMs, decide, (s) => to.refuse(s, true));
}

/** An HTTP/1.x request line or not, where HTTP/2 is not an option (TLS that chose http/1.1, a plain-text side). */
export function sniffRequestLine(socket: Socket, timeoutMs: number, maxLine: number, to: FirstBytes): void {
  const refused = (s: Socket) => to.refuse(s, false);
  const decide = (seen: Buffer): Route | undefined => {
    const ok = requestLine(seen, maxLine);
    return ok === undefined ? undefined : ok ? to.http1 : refused;
  };
  sniff(socket, timeoutMs, decide, (s) => to.refuse(s, true));
}

/** TLS or plain text (permissive mTLS), by the first byte. */
export function sniffTls(socket: Socket, timeoutMs: number, toTls: Route, toPlain: Route): void {
  sniff(socket, timeoutMs, (seen) => (seen[0] === TLS_HANDSHAKE ? toTls : toPlain), () => socket.destroy());
}
