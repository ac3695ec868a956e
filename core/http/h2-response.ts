// HTTP/2 request and response objects for the request path: Node's compatibility API, plus what gRPC needs of the framing.
import http2 from 'node:http2';
import type { OutgoingHttpHeaders } from 'node:http';
import { flattenHeaders } from './header-list.ts';

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2); Node throws on them, an HTTP/1.1 upstream may still send them. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

type Head = OutgoingHttpHeaders | readonly string[];
type Held = { status: number; headers: readonly string[] };

/** A request as the compatibility API gives it, plus the gRPC status its response carried (for the metrics). */
export class H2Request extends http2.Http2ServerRequest {
  grpcStatus: string | undefined = undefined;
}

/**
 * The compatibility response, with two differences. A head that carries grpc-status is a gRPC trailers-only
 * answer (a refusal, a proxied error, Weft's own reply): it is held until the body or the end, so that
 * `writeHead(); end()` leaves as one HEADERS frame with END_STREAM, the one form gRPC clients read a status from.
 * And connection-specific headers are dropped instead of throwing.
 */
export class H2Response extends http2.Http2ServerResponse<H2Request> {
  #held: Held | undefined = undefined;

  override writeHead(statusCode: number, a?: string | Head, b?: Head): this {
    const headers = typeof a === 'string' ? b : a;
    if (headers === undefined) return super.writeHead(statusCode);
    const { clean, grpcStatus } = inspect(headers);
    if (grpcStatus !== undefined) {
      this.req.grpcStatus = grpcStatus;
      this.#held = { status: statusCode, headers: clean };
      return this;
    }
    return super.writeHead(statusCode, clean);
  }

  override write(chunk: string | Uint8Array, encoding?: unknown, cb?: unknown): boolean {
    this.#release();
    return (super.write as (...args: unknown[]) => boolean)(chunk, encoding, cb);
  }

  override end(chunk?: unknown, encoding?: unknown, cb?: unknown): this {
    const held = this.#held;
    if (held !== undefined && isEmpty(chunk)) {
      // Set rather than sent: end() then writes the head with END_STREAM.
      this.#held = undefined;
      this.statusCode = held.status;
      const h = held.headers;
      for (let i = 0; i < h.length; i += 2) {
        const prior = this.getHeader(h[i]);
        this.setHeader(h[i], prior === undefined ? h[i + 1] : [...(Array.isArray(prior) ? prior : [String(prior)]), h[i + 1]]);
      }
      return (super.end as (...args: unknown[]) => this)(undefined, undefined, typeof chunk === 'function' ? chunk : cb);
    }
    this.#release();
    return (super.end as (...args: unknown[]) => this)(chunk, encoding, cb);
  }

  override addTrailers(trailers: OutgoingHttpHeaders): void {
    const status = trailers['grpc-status'];
    if (status !== undefined) this.req.grpcStatus = String(status);
    super.addTrailers(trailers);
  }

  /** A held head goes out as is once a body follows it. */
  #release(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    super.writeHead(held.status, held.headers);
  }
}

function isEmpty(chunk: unknown): boolean {
  return chunk === undefined || chunk === null || typeof chunk === 'function' || (chunk as { length: number }).length === 0;
}

/**
 * One pass over a head: its grpc-status, and the head as a flat list without connection-specific headers. The
 * request path writes flat lists, which pass through uncopied; objects come from Weft's own rarer replies.
 */
function inspect(headers: Head): { clean: readonly string[]; grpcStatus: string | undefined } {
  const flat = Array.isArray(headers) ? headers as readonly string[] : flattenHeaders(headers as OutgoingHttpHeaders);
  let grpcStatus: string | undefined;
  let forbidden = false;
  for (let i = 0; i < flat.length; i += 2) {
    const lower = flat[i].toLowerCase();
    if (lower === 'grpc-status') grpcStatus = flat[i + 1];
    else if (CONNECTION_SPECIFIC.has(lower)) forbidden = true;
  }
  if (!forbidden) return { clean: flat, grpcStatus };
  const clean: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (!CONNECTION_SPECIFIC.has(flat[i].toLowerCase())) clean.push(flat[i], flat[i + 1]);
  return { clean, grpcStatus };
}

