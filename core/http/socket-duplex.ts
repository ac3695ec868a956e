// A connection re-read from a socket's bytes (a second parser's, an upgraded one's): what it writes goes to the socket, reading it resumes the socket.
import { Duplex } from 'node:stream';
import type { DuplexOptions } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * The socket side of such a connection: subclasses push what they read from `socket` (pausing it when the reader is
 * full); this class resumes it when the reader asks for more, writes and ends through it, and destroys it with the
 * connection unless `keepsSocket()` says the socket has been handed on.
 */
export abstract class SocketDuplex extends Duplex {
  readonly socket: Socket;

  constructor(socket: Socket, options?: DuplexOptions) {
    super(options);
    this.socket = socket;
  }

  /** Whether destroying this connection must leave the socket open (it serves a later one). */
  protected keepsSocket(): boolean {
    return false;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.keepsSocket()) this.socket.destroy();
    cb(err);
  }
}
