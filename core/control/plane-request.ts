// HTTP requests to the plane (the watch, ACKs, modules, certificates, registration) on node:http's client, already loaded on every thread: undici's Agent and Client (~6 MiB, and node:http2 with them) stay off a sidecar's main thread.
import type { Agent, AgentOptions, ClientRequest, IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';
import { ErrorCodes, WeftError } from '../errors.ts';
import { Agent as HttpAgent, request as httpRequest } from '../http/node-http.ts';

/** undici's defaults, which the calls to the plane had before. */
const DEFAULT_TIMEOUT_MS = 300_000;

export interface PlaneRequestOptions {
  /** GET unless told. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** How long until the response head, from the call (connecting included). */
  headersTimeout?: number;
  /** How long the response body may go without a byte: a watch stream's pings keep it alive. */
  bodyTimeout?: number;
  /** Which keep-alive connections carry it: a process-wide PlaneAgent when not given. */
  agent?: PlaneAgent;
}

export interface PlaneResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: PlaneBody;
}

/**
 * Keep-alive connections to the planes, at most `connections` to each, an idle one closed after `keepAliveMs` (or a
 * second before the plane's own keep-alive timeout, when it says a shorter one). node:https, and node:tls with it,
 * loads with the first https:// plane.
 */
export class PlaneAgent {
  readonly #options: AgentOptions;
  #http: Agent | undefined;
  #https: Agent | undefined;

  constructor({ connections, keepAliveMs = 10_000 }: { connections?: number; keepAliveMs?: number } = {}) {
    this.#options = { keepAlive: true, timeout: keepAliveMs, maxSockets: connections };
  }

  for(protocol: string): Agent {
    if (protocol === 'https:') return this.#https ??= new (process.getBuiltinModule('node:https').Agent)(this.#options);
    return this.#http ??= new HttpAgent(this.#options);
  }

  /** Closes every connection, idle or carrying a request (a watch): those requests fail. */
  close(): void {
    this.#http?.destroy();
    this.#https?.destroy();
  }
}

let shared: PlaneAgent | undefined;

/** A request to the plane at `url` (no user info in it); resolves with the response head, its body still to read. */
export function planeRequest(url: string, options: PlaneRequestOptions = {}): Promise<PlaneResponse> {
  const { method = 'GET', headers, body, signal, headersTimeout = DEFAULT_TIMEOUT_MS, bodyTimeout = DEFAULT_TIMEOUT_MS } = options;
  const u = new URL(url);
  const agent = (options.agent ?? (shared ??= new PlaneAgent())).for(u.protocol);
  const send = u.protocol === 'https:' ? process.getBuiltinModule('node:https').request : httpRequest;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const req: ClientRequest = send(u, { method, headers, agent } satisfies RequestOptions);
    let res: IncomingMessage | undefined;
    const headTimer = setTimeout(() => {
      req.destroy(new WeftError(ErrorCodes.PLANE_UNREACHABLE, `the plane sent no response within ${seconds(headersTimeout)}`));
    }, headersTimeout);
    const onAbort = () => {
      const reason = abortReason(signal!);
      if (res) res.destroy(reason);
      else req.destroy(reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(headTimer);
      signal?.removeEventListener('abort', onAbort);
    };
    req.on('error', (err) => {
      if (!res) {
        done();
        reject(described(err));
      } else if (!res.complete) res.destroy(err);
    });
    req.on('response', (r) => {
      res = r;
      clearTimeout(headTimer);
      // Nobody may be reading when the body fails (a timeout, an abort): its readers get the error from the stream itself.
      r.on('error', () => undefined);
      r.on('close', done);
      r.setTimeout(bodyTimeout, () => {
        // A body that has all arrived waits for a slow reader, not for the plane.
        if (!r.complete) r.destroy(new WeftError(ErrorCodes.PLANE_UNREACHABLE, `the plane's response stalled for ${seconds(bodyTimeout)}`));
      });
      resolve({ statusCode: r.statusCode!, headers: r.headers, body: new PlaneBody(r) });
    });
    req.end(body);
  });
}

/** The response body, read once in one of these ways, as undici's. */
export class PlaneBody implements AsyncIterable<Buffer> {
  readonly #res: IncomingMessage;

  constructor(res: IncomingMessage) {
    this.#res = res;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for await (const chunk of this.#res) yield chunk as Buffer;
    } catch (err) {
      throw described(err as Error);
    }
  }

  /** Reads the body to its end and drops it, so its connection can carry the next request; never rejects. */
  async dump(): Promise<void> {
    const res = this.#res;
    if (res.destroyed) return;
    await new Promise<void>((resolve) => {
      res.once('close', resolve);
      res.resume();
    });
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return (await this.#bytes()).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async #bytes(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the request to the plane was aborted');
}

/** node:http's words for a connection the plane closed ("socket hang up", "aborted"), as sentences. */
function described(err: Error): Error {
  if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') return err;
  if (err.message === 'socket hang up') return new WeftError(ErrorCodes.PLANE_UNREACHABLE, 'the plane closed the connection before answering');
  if (err.message === 'aborted') return new WeftError(ErrorCodes.PLANE_UNREACHABLE, 'the plane closed the connection before the response ended');
  return err;
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
