// An endpoint's upstream HTTP/2 connections: one multiplexed session (another beside it only while it is at the peer's stream limit), GOAWAY honoured, streams handed out to requests.
import type { ClientHttp2Session, ClientHttp2Stream, Settings } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';
import { loadHttp2 } from '../http/http2-lazy.ts';

/** Who waits for a stream; told once, with the stream or with why none could be opened. */
export interface StreamWaiter {
  /** What the stream opens with: pseudo-headers and fields, flat (Node's raw headers). */
  readonly headers: string[];
  /** Nothing follows the headers (END_STREAM goes with them). */
  readonly endStream: boolean;
  opened(stream: ClientHttp2Stream): void;
  refused(err: Error): void;
}

/** The endpoint answered TLS with another ALPN protocol than h2: it speaks HTTP/1.1 only (an older sidecar, a server without HTTP/2). */
export class Http1Only extends Error {
  readonly code = 'WEFT_UPSTREAM_HTTP1_ONLY';
}
const HTTP1_ONLY = new Http1Only('the endpoint did not choose h2');

/** The sessions were closed (the endpoint left the config, or the worker drains): nothing new is opened. */
const CLOSED = Object.assign(new Error('upstream sessions closed'), { code: 'UND_ERR_CLOSED' });

/** Before the peer's SETTINGS say otherwise, as many streams as nghttp2 and most servers allow. */
const ASSUMED_STREAM_LIMIT = 100;
/** A session with no stream this long is closed; below the 60 s after which Weft's own listeners send GOAWAY to an idle one. */
const IDLE_MS = 30_000;
/**
 * Receive windows: 256 KiB per stream (four times HTTP/2's default, for gRPC messages and bodies over a link with
 * latency), and 16 streams' worth for the connection, so streams in full flow do not wait on each other. What a
 * slow reader can make the proxy hold is one stream window per stream.
 */
const STREAM_WINDOW = 256 * 1024;
/**
 * Liveness: a stream opened on a session that has not been probed for PING_EVERY_MS sends a PING; a session whose
 * PING is not answered within PING_TIMEOUT_MS is destroyed, so its streams fail (and are retried per the route)
 * instead of waiting out their timeouts on a connection whose peer is gone (a cut link sends no RST or FIN). Only
 * busy sessions are probed, at most once a second: an idle one is closed by IDLE_MS anyway.
 */
const PING_EVERY_MS = 1_000;
const PING_TIMEOUT_MS = 5_000;
const PING_LOST = 'the peer did not answer an HTTP/2 PING within 5 s: the connection is gone';
const CONNECTION_WINDOW = 16 * STREAM_WINDOW;
const SETTINGS: Settings = { enablePush: false, initialWindowSize: STREAM_WINDOW };

/** One session and what the pool needs to know of it. */
class Live {
  readonly session: ClientHttp2Session;
  readonly owner: H2Sessions;
  /** Streams open on it now. */
  streams = 0;
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (assumed until its SETTINGS arrive). */
  limit = ASSUMED_STREAM_LIMIT;
  /** Took no more streams: GOAWAY received, an error, or closing. */
  retired = false;
  /** When the last PING went out (Date.now()), and whether its answer is awaited. */
  pingAt = 0;
  pinging = false;

  constructor(session: ClientHttp2Session, owner: H2Sessions) {
    this.session = session;
    this.owner = owner;
  }
}

const LIVE = Symbol('weft.h2live');
type Tagged<T> = T & { [LIVE]: Live };

function onRemoteSettings(this: Tagged<ClientHttp2Session>, settings: Settings): void {
  const live = this[LIVE];
  live.limit = settings.maxConcurrentStreams ?? Number.MAX_SAFE_INTEGER;
  live.owner.flush();
}

/** GOAWAY: streams the peer took finish here; new ones go to another session (those it refused come back REFUSED_STREAM). */
function onGoaway(this: Tagged<ClientHttp2Session>): void {
  this[LIVE].owner.retire(this[LIVE]);
}

function onSessionClose(this: Tagged<ClientHttp2Session>): void {
  this[LIVE].owner.forget(this[LIVE]);
}

/** Session errors also end each open stream with its own error; here the session only stops taking streams. */
function onSessionError(this: Tagged<ClientHttp2Session>): void {
  this[LIVE].owner.retire(this[LIVE]);
}

/** Idle by Node's clock (no frames); closed only if no stream is open (a quiet gRPC stream is not idleness). */
function onSessionIdle(this: Tagged<ClientHttp2Session>): void {
  const live = this[LIVE];
  if (live.streams === 0) live.owner.retire(live);
}

function onStreamClose(this: Tagged<ClientHttp2Stream>): void {
  const live = this[LIVE];
  live.streams--;
  live.owner.flush();
}

/**
 * The HTTP/2 connections of one endpoint in one worker. Streams go to the first session below the peer's stream
 * limit; only when every session is at it is another opened (up to `maxSessions`), so a peer normally sees one
 * connection per worker, and long-lived streams (gRPC streaming calls) cannot starve new calls. A session that
 * receives GOAWAY takes no new stream and finishes those the peer accepted; it closes when they end.
 */
export class H2Sessions {
  readonly origin: string;
  private readonly connect: buildConnector.connector;
  private readonly target: buildConnector.Options;
  private readonly maxSessions: number;
  private readonly serving: Live[] = [];
  private readonly all = new Set<Live>();
  private readonly queue: StreamWaiter[] = [];
  private dialling = 0;
  private closed = false;
  /** Set once the endpoint chose HTTP/1.1 over h2 in its TLS handshake; the owner then speaks HTTP/1.1 to it. */
  http1 = false;

  /** `connect`: how a connection is opened (connection-limit.ts: counted, TLS with ALPN h2 or plain h2c). */
  constructor(origin: string, connect: buildConnector.connector, maxSessions = Infinity) {
    this.origin = origin;
    this.connect = connect;
    this.maxSessions = maxSessions;
    const url = new URL(origin);
    this.target = { hostname: url.hostname, host: url.host, protocol: url.protocol, port: url.port, servername: undefined, localAddress: null, httpSocket: undefined };
  }

  /** A stream for `w` now if a session has room, else as soon as one has (a new connection if none can). */
  open(w: StreamWaiter): void {
    if (this.closed) return w.refused(CLOSED);
    const live = this.roomy();
    if (live !== undefined) return this.start(live, w);
    this.queue.push(w);
    if (live === undefined && this.dialling === 0 && this.all.size < this.maxSessions) this.dial();
  }

  /** Connections open (taking streams or finishing them), and those of them without a stream. */
  get stats(): { connected: number; free: number } {
    let free = 0;
    for (const live of this.all) if (live.streams === 0) free++;
    return { connected: this.all.size, free };
  }

  /** GOAWAY to every session: streams in flight finish, then the connections close; resolves when all have. */
  close(): Promise<void> {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.refused(CLOSED);
    const closing = [...this.all].map((live) => new Promise<void>((resolve) => {
      if (live.session.closed || live.session.destroyed) return resolve();
      live.session.close(resolve);
    }));
    return Promise.all(closing).then(() => undefined);
  }

  /** Hands queued waiters to sessions with room; called when a stream ends or a peer raises its limit. */
  flush(): void {
    const queue = this.queue;
    while (queue.length > 0) {
      const live = this.roomy();
      if (live === undefined) {
        if (this.dialling === 0 && this.all.size < this.maxSessions) this.dial();
        return;
      }
      this.start(live, queue.shift()!);
    }
  }

  retire(live: Live): void {
    if (live.retired) return;
    live.retired = true;
    const i = this.serving.indexOf(live);
    if (i >= 0) this.serving.splice(i, 1);
    // Node sends our own GOAWAY and closes once the last stream ends.
    if (!live.session.closed && !live.session.destroyed) live.session.close();
    this.flush();
  }

  forget(live: Live): void {
    this.all.delete(live);
    if (!live.retired) return this.retire(live);
    // One fewer connection: at maxSessions, what waits may now dial one.
    this.flush();
  }

  private roomy(): Live | undefined {
    const serving = this.serving;
    for (let i = 0; i < serving.length; i++) if (serving[i].streams < serving[i].limit) return serving[i];
    return undefined;
  }

  private start(live: Live, w: StreamWaiter): void {
    let stream: ClientHttp2Stream;
    try {
      stream = live.session.request(w.headers, { endStream: w.endStream });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ERR_HTTP2_GOAWAY_SESSION' && code !== 'ERR_HTTP2_INVALID_SESSION') return w.refused(err as Error);
      // The session went away between our look and the request: try the next one.
      this.retire(live);
      return this.open(w);
    }
    live.streams++;
    (stream as Tagged<ClientHttp2Stream>)[LIVE] = live;
    stream.once('close', onStreamClose);
    if (!live.pinging && Date.now() - live.pingAt >= PING_EVERY_MS) probe(live);
    w.opened(stream);
  }

  private dial(): void {
    this.dialling++;
    this.connect(this.target, (err, socket) => {
      this.dialling--;
      if (this.closed) return void socket?.destroy();
      // Waiters queued while every session was at its stream limit wait for one of them rather than fail.
      if (err) return this.serving.length === 0 ? this.refuseQueue(err) : undefined;
      const tls = (socket as TLSSocket).encrypted === true;
      if (tls && (socket as TLSSocket).alpnProtocol !== 'h2') {
        this.http1 = true;
        socket!.destroy();
        return this.refuseQueue(HTTP1_ONLY);
      }
      this.adopt(socket!);
      this.flush();
    });
  }

  private adopt(socket: Socket): void {
    const session = loadHttp2().connect(this.origin, {
      createConnection: () => socket,
      settings: SETTINGS,
      peerMaxConcurrentStreams: ASSUMED_STREAM_LIMIT,
    }) as Tagged<ClientHttp2Session>;
    const live = new Live(session, this);
    session[LIVE] = live;
    session.on('remoteSettings', onRemoteSettings);
    session.on('goaway', onGoaway);
    session.on('error', onSessionError);
    session.once('close', onSessionClose);
    session.setTimeout(IDLE_MS, onSessionIdle);
    session.once('connect', () => session.setLocalWindowSize(CONNECTION_WINDOW));
    this.serving.push(live);
    this.all.add(live);
  }

  private refuseQueue(err: Error): void {
    for (const w of this.queue.splice(0)) w.refused(err);
  }
}

/** Sends a PING on `live`'s session; destroys the session if no answer comes within PING_TIMEOUT_MS. */
function probe(live: Live): void {
  const session = live.session;
  live.pinging = true;
  live.pingAt = Date.now();
  const timer = setTimeout(() => {
    if (!session.destroyed) session.destroy(new Error(PING_LOST));
  }, PING_TIMEOUT_MS);
  timer.unref();
  // Answered, or cancelled because the session closed (no verdict on the peer): either way the wait is over.
  const sent = session.ping(() => {
    clearTimeout(timer);
    live.pinging = false;
  });
  if (!sent) {
    clearTimeout(timer);
    live.pinging = false;
  }
}

/** Ends a stream this side no longer wants (the caller left, a timeout): RST_STREAM CANCEL. */
export function cancel(stream: ClientHttp2Stream): void {
  if (!stream.closed && !stream.destroyed) stream.close(loadHttp2().constants.NGHTTP2_CANCEL);
}
