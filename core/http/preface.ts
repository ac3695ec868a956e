// Tells HTTP/2 with prior knowledge from HTTP/1.1 on a cleartext connection by its first bytes.
import type { Socket } from 'node:net';

/** What every HTTP/2 connection starts with (RFC 9113 §3.4); no HTTP/1.1 request line can. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * Reads a new connection until its first bytes decide its protocol, puts them back, and hands the socket on. The
 * first byte settles nearly every HTTP/1.1 connection; a client that sends nothing within `timeoutMs` is dropped.
 */
export function sniffProtocol(socket: Socket, timeoutMs: number, toHttp1: (s: Socket) => void, toHttp2: (s: Socket) => void): void {
  let seen: Buffer | undefined;
  const onData = (chunk: Buffer) => {
    seen = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, HTTP2_PREFACE.length);
    const h2 = seen.compare(HTTP2_PREFACE, 0, n, 0, n) === 0;
    if (h2 && n < HTTP2_PREFACE.length) return;
    socket.removeListener('data', onData);
    socket.removeListener('timeout', onSilent);
    socket.removeListener('error', onError);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(seen);
    if (h2) toHttp2(socket);
    else toHttp1(socket);
  };
  const onSilent = () => socket.destroy();
  const onError = () => socket.destroy();
  socket.on('data', onData);
  socket.on('error', onError);
  socket.setTimeout(timeoutMs, onSilent);
}
