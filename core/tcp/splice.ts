// Two byte streams joined both ways: backpressure by pipe, half-close passed on, an idle timeout, one report at the end.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** How a spliced connection ended, for its metrics and access-log line. */
export interface SpliceEnd {
  /** Bytes the TCP socket read (from its peer) and wrote (to it). */
  bytesRead: number;
  bytesWritten: number;
  /** `idle`: the idle timeout cut it; `reset`: one side failed or was destroyed before both had ended. */
  outcome: 'closed' | 'idle' | 'reset';
}

/**
 * Joins a TCP socket and the stream it is tunnelled over (an HTTP/2 CONNECT stream). Each side's end (FIN,
 * END_STREAM) ends the other's writing only, so a client that half-closes still gets its answer; each `pipe`
 * pauses its source while the other side's buffer is full. The idle timeout is the socket's own (every byte
 * either way crosses it). `abort` tears the tunnel side down with a reset; `done` is called once both have closed.
 */
export function splice(socket: Socket, tunnel: Duplex, idleMs: number, abort: () => void, done: (end: SpliceEnd) => void): void {
  let outcome: SpliceEnd['outcome'] = 'closed';
  let open = 2;
  const closed = () => {
    if (--open === 0) done({ bytesRead: socket.bytesRead, bytesWritten: socket.bytesWritten, outcome });
  };
  // A side that closes before both directions ended was reset or failed: the other cannot finish, so it is cut.
  const whole = (s: Duplex) => s.readableEnded && s.writableFinished;
  socket.once('close', () => {
    if (!whole(socket)) {
      if (outcome === 'closed') outcome = 'reset';
      if (!tunnel.destroyed) abort();
    }
    closed();
  });
  tunnel.once('close', () => {
    if (!whole(tunnel)) {
      if (outcome === 'closed') outcome = 'reset';
      if (!socket.destroyed) socket.resetAndDestroy();
    }
    closed();
  });
  // Errors end in 'close' above; without a listener they would be thrown.
  socket.on('error', noop);
  tunnel.on('error', noop);
  socket.setTimeout(idleMs, () => {
    outcome = 'idle';
    socket.destroy();
    abort();
  });
  socket.pipe(tunnel);
  tunnel.pipe(socket);
}

function noop(): void {}
