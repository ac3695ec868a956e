// A request body kept while it streams upstream, up to a limit, so that a retry can send it again (a gRPC call retried on UNAVAILABLE, a small POST).
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';

/**
 * Bytes kept per request for a retry (Envoy's default per-request buffer is 1 MiB; gRPC unary calls are mostly far
 * smaller). A body past it streams on as before and is not retried.
 */
export const REPLAY_LIMIT = 64 * 1024;

/**
 * Reads the body from its source once: each try gets a fresh stream of what arrived so far, then of the rest as it
 * arrives. The source is paused while the current try's stream is full, so backpressure holds as without retries.
 */
export class ReplayBody {
  private readonly source: Readable;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private failed: Error | undefined;
  /** Past REPLAY_LIMIT: what arrived is gone, the body cannot be sent again. */
  overflowed = false;
  private current: PassThrough;

  constructor(source: Readable) {
    this.source = source;
    this.current = new PassThrough();
    source.on('data', (chunk: Buffer) => this.data(chunk));
    source.once('end', () => {
      this.ended = true;
      this.current.end();
    });
    source.once('error', (err: Error) => {
      this.failed = err;
      this.current.destroy(err);
    });
  }

  /** The first try's body, or a new one for a retry (the previous try's stream is dropped). */
  next(first: boolean): PassThrough {
    if (first) return this.current;
    const previous = this.current;
    const body = new PassThrough();
    for (const chunk of this.chunks) body.write(chunk);
    if (this.failed) body.destroy(this.failed);
    else if (this.ended) body.end();
    this.current = body;
    previous.destroy();
    // A source paused for the dropped stream's drain would wait forever.
    if (this.source.isPaused()) this.source.resume();
    return body;
  }

  private data(chunk: Buffer): void {
    if (!this.overflowed) {
      this.size += chunk.length;
      if (this.size > REPLAY_LIMIT) {
        this.overflowed = true;
        this.chunks.length = 0;
      } else {
        this.chunks.push(chunk);
      }
    }
    const body = this.current;
    if (!body.write(chunk)) {
      this.source.pause();
      body.once('drain', () => this.source.resume());
    }
  }
}
