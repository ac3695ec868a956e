// Tells protocols apart by a new connection's first bytes: HTTP/2 prior knowledge from HTTP/1.1, and TLS from plain text.
import type { Socket } from 'node:net';

/** What every HTTP/2 connection starts with (RFC 9113 §3.4); no HTTP/1.1 request line can. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** A TLS connection starts with a handshake record (content type 22); no HTTP request line can. */
const TLS_HANDSHAKE = 0x16;

/**
 * Reads a new connection until `decide` settles on its first bytes (undefined: read more), puts them back, and
 * hands the paused socket on. A client that sends nothing within `timeoutMs` is dropped.
 */
function sniff(socket: Socket, timeoutMs: number, decide: (seen: Buffer) => boolean | undefined, onTrue: () => void, onFalse: () => void): void {
  let seen: Buffer | undefined;
  const onData = (chunk: Buffer) => {
    seen = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
    const verdict = decide(seen);
    if (verdict === undefined) return;
    socket.removeListener('data', onData);
    socket.removeListener('timeout', onSilent);
    socket.removeListener('error', onError);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(seen);
    if (verdict) onTrue();
    else onFalse();
  };
  const onSilent = () => socket.destroy();
  const onError = () => socket.destroy();
  socket.on('data', onData);
  socket.on('error', onError);
  socket.setTimeout(timeoutMs, onSilent);
}

/** HTTP/2 prior knowledge or HTTP/1.1: the first byte settles nearly every HTTP/1.1 connection. */
export function sniffProtocol(socket: Socket, timeoutMs: number, toHttp1: (s: Socket) => void, toHttp2: (s: Socket) => void): void {
  const isH2 = (seen: Buffer) => {
    const n = Math.min(seen.length, HTTP2_PREFACE.length);
    const h2 = seen.compare(HTTP2_PREFACE, 0, n, 0, n) === 0;
    return h2 && n < HTTP2_PREFACE.length ? undefined : h2;
  };
  sniff(socket, timeoutMs, isH2, () => toHttp2(socket), () => toHttp1(socket));
}

/** TLS or plain text (permissive mTLS), by the first byte. */
export function sniffTls(socket: Socket, timeoutMs: number, toTls: () => void, toPlain: () => void): void {
  sniff(socket, timeoutMs, (seen) => seen[0] === TLS_HANDSHAKE, toTls, toPlain);
}
