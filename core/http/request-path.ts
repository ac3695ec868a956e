// The request path of one worker, top to bottom: route → upstream headers → filter chain → pick endpoint → send (with retries) → stream the response back → observe.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { H2Request } from './h2-downstream.ts';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { RouteTable, Route } from '../routing/route-table.ts';
import { backoffMs, GRPC_RETRY, isIdempotent, responseOutcome } from '../routing/retry-policy.ts';
import { rawHeader } from '../routing/route-table.ts';
import type { Cluster, UpstreamDispatch } from '../upstream/cluster.ts';
import { Attempt } from '../upstream/attempt.ts';
import type { AttemptOwner, ResponseHeaders } from '../upstream/attempt.ts';
import { classifyUpstreamError } from '../upstream/errors.ts';
import { announcedDeadline, stampDeadline } from '../upstream/deadline.ts';
import { mirror } from '../upstream/mirror.ts';
import { ReplayBody } from '../upstream/replay-body.ts';
import { isGrpcContentType } from './grpc.ts';
import { reportTlsFailure } from '../upstream/upstream-tls.ts';
import type { WorkerMetrics } from '../observe/metrics.ts';
import { rawRequestId } from '../observe/story.ts';
import type { StoryBook } from '../observe/story.ts';
import type { ListenerTraffic, TrafficCell } from '../observe/traffic.ts';
import type { FilterChain } from '../chain/chain.ts';
import type { ChainStream } from '../chain/stream.ts';
import type { Direction, HeaderList, PropertyValue, StreamHost } from '../wasm/stream-host.ts';
import { fromUtf8 } from '../wasm/memory.ts';
import { upstreamRequestHeaders, downstreamResponseHeaders } from './headers.ts';
import type { RequestFacts } from './headers.ts';
import { requestHeaderList, responseHeaderList, splitRequestHeaders, toWriteHead, trailerList, trailerObject } from './header-list.ts';
import { localReply, localReplyParts } from './local-reply.ts';
import { ErrorCodes } from '../errors.ts';
import { authorize, callerIdentity, countedCaller } from './inbound-authz.ts';
import type { Authorizer } from '../authz/authorizer.ts';
import type { ErrorCode } from '../errors.ts';

/** What a worker's request path reads; swapped whole when config changes. */
export interface WorkerContext {
  routes: RouteTable;
  clusters: Map<string, Cluster>;
  metrics: WorkerMetrics;
  /** The worker's recent request stories (`weft explain`), shared by its listeners. */
  stories: StoryBook;
  /** The listener's name in stories: inbound, outbound, bind:SERVICE. */
  listener: string;
  /** The listener's part of the worker's request counts (core/observe/traffic.ts). */
  traffic: ListenerTraffic;
  accessLog: Logger | undefined;
  worker: number;
  /** Set while the worker drains: responses then close their connection. */
  draining: boolean;
  /** A sidecar's inbound side with a policy for its service: every request is checked before it is routed. */
  authz?: Authorizer;
  log: Logger;
}

/** The status recorded when the client went away before the response completed (nginx's convention). */
const CLIENT_CLOSED = 499;
const EMPTY = new Uint8Array(0);
/** Bodies up to this size that arrive in one piece go out in the same write as the head. */
const SMALL_BODY = 16 * 1024;

export function handleRequest(ctx: WorkerContext, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  ctx.metrics.requests++;
  const story = ctx.stories.begin(ctx.listener, req.method!, req.url!, callerIdentity(req), started);

  // 0. Authorization (a sidecar's inbound side): who called, from its certificate, against the service's policy.
  if (ctx.authz !== undefined) {
    const d = authorize(ctx.authz, req, ctx.metrics, ctx.log);
    ctx.stories.authz(story, d);
    if (!d.allowed) {
      // The caller gets the request's id, so the refusal can be explained (`weft explain ID`).
      const id = rawRequestId(req.rawHeaders) || randomUUID();
      ctx.stories.id(story, id);
      res.setHeader('x-request-id', id);
      const status = localReply(res, ErrorCodes.AUTHZ_DENIED, `${d.reason} (rule ${d.rule})`);
      observe(ctx, req, started, ctx.traffic.unrouted(ctx.traffic.name, countedCaller(ctx.traffic, req)), status, '', 0, 0, id, ErrorCodes.AUTHZ_DENIED);
      ctx.stories.end(story, status, ErrorCodes.AUTHZ_DENIED, false);
      return;
    }
  }

  // 1. Route: the first route whose match holds.
  const route = ctx.routes.match(req.method!, req.url!, req.rawHeaders);
  if (!route) {
    ctx.stories.id(story, rawRequestId(req.rawHeaders));
    const status = localReply(res, ErrorCodes.NO_ROUTE);
    observe(ctx, req, started, ctx.traffic.unrouted('', countedCaller(ctx.traffic, req)), status, '', 0, 0, undefined, ErrorCodes.NO_ROUTE);
    ctx.stories.end(story, status, ErrorCodes.NO_ROUTE, false);
    return;
  }
  ctx.stories.route(story, route.name, route.cluster.name);
  if (ctx.draining) res.shouldKeepAlive = false;

  // 2. Upstream headers: hop-by-hop out, x-forwarded-* and x-request-id in.
  const facts = upstreamRequestHeaders(req.rawHeaders, req.socket.remoteAddress ?? '', (req.socket as TLSSocket).encrypted ? 'https' : 'http');
  // HTTP/2 marks a request without a body by ending the stream with its headers; gRPC sends no content-length.
  // (An HTTP/1 request line that claims 2.0 never gets here: the listener refuses it.)
  if (req.httpVersionMajor === 2) facts.hasBody = !(req as unknown as H2Request).stream.endAfterHeaders;
  ctx.stories.id(story, facts.requestId);

  // 3. Filters: the route's chain sees the request first; the upstream side starts when its headers pass every filter.
  const ex = new Exchange(ctx, req, res, route, facts, started, story);
  const canary = route.canary;
  if (canary && Math.random() * 100 < canary.percent) return ex.runChain(canary.chain);
  if (route.chain) return ex.runChain(route.chain);

  // 4-6. Send upstream, retrying per the route; the exchange streams the answer back and observes the outcome.
  ex.attempt();
}

/**
 * One request's journey. Upstream, each try is an Attempt (the undici handler) and the exchange decides per outcome
 * whether to retry, answer locally, or stream the response. With a filter chain, the exchange is also the chain's
 * StreamHost: what leaves the filters (headers, body, trailers, local replies) comes back through it.
 */
class Exchange implements AttemptOwner, StreamHost {
  readonly ctx: WorkerContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: Route;
  readonly facts: RequestFacts;
  readonly started: number;
  /** The request's slot in the worker's stories (-1: not recorded, or ended). */
  private story: number;
  // What goes upstream: the downstream request as is, or as the filters left it.
  method: string;
  path: string;
  upstreamHeaders: string[];
  cluster: Cluster;
  body: Readable | null;
  /** The downstream request's body: node:http's request is its own; an HTTP/2 request's is its stream (h2-downstream.ts). */
  private readonly source: Readable;
  /** The outcomes this request may be retried on (Outcome bits); 0 when it may not be. */
  private retryOn: number;
  /** Keeps a body that a retry may send again; made at the first try. */
  private replay: ReplayBody | undefined;
  private tries = 0;
  /** The whole request's time limit: the route's timeout, or less when the caller announced a deadline. */
  private limitMs = 0;
  current: Attempt | undefined;
  finished = false;
  status = 0;
  error = '';
  /** Why the last try failed, when its code alone does not say (a TLS failure's reason): the access log's `detail`. */
  detail = '';
  bytesIn = 0;
  bytesOut = 0;
  // The filter chain's side, when the route has one.
  private stream: ChainStream | null = null;
  private chain: FilterChain | null = null;
  /** The filters answered, reset or held the request: a 5xx is then theirs, not the upstream's (what a rollout judges). */
  private filterFault = false;
  requestHeaders: HeaderList = [];
  requestTrailers: HeaderList | null = null;
  responseHeaders: HeaderList | null = null;
  responseTrailers: HeaderList | null = null;
  private clusterOverride: string | undefined;
  private mirrorCluster: string | undefined;
  private mirrorBody: PassThrough | undefined;
  /** Bounds how long filters may hold the request before it goes upstream (a paused filter waiting on a callout). */
  private chainTimer: NodeJS.Timeout | undefined;
  /** A small response body that arrived whole, held to go out in one write with the head. */
  private whole: Buffer | undefined;
  private declaredLength = -1;

  constructor(ctx: WorkerContext, req: IncomingMessage, res: ServerResponse, route: Route, facts: RequestFacts, started: number, story: number) {
    this.ctx = ctx;
    this.req = req;
    this.res = res;
    this.route = route;
    this.facts = facts;
    this.started = started;
    this.story = story;
    this.method = req.method!;
    this.path = req.url!;
    this.upstreamHeaders = facts.headers;
    this.cluster = route.cluster;
    this.source = req.httpVersionMajor === 2 ? (req as unknown as H2Request).stream : req;
    this.body = facts.hasBody ? this.source : null;
    this.retryOn = this.retryOutcomes();
    res.on('close', () => this.onDownstreamClose());
  }

  /**
   * The route's retry outcomes, for a method that is idempotent or a route that retries any. A gRPC call (a POST)
   * is retried only on UNAVAILABLE and on a connection never made, which the route must name.
   */
  private retryOutcomes(): number {
    const r = this.route.retry;
    if (r.attempts === 0) return 0;
    if (r.nonIdempotent || isIdempotent(this.method)) return r.on;
    const on = r.on & GRPC_RETRY;
    return on !== 0 && isGrpcContentType(rawHeader(this.upstreamHeaders, 'content-type')) ? on : 0;
  }

  // ── filters ────────────────────────────────────────────────────────────────────────────────

  runChain(chain: FilterChain): void {
    this.chain = chain;
    this.requestHeaders = requestHeaderList(this.method, this.path, this.facts.authority, this.facts.scheme, this.facts.headers);
    const stream = (this.stream = chain.newStream(this));
    if (this.facts.hasBody) {
      this.source.on('data', (chunk: Buffer) => stream.requestBody(chunk, false));
      this.source.on('end', () => {
        this.requestTrailers = trailerList(this.req.trailers);
        if (this.requestTrailers) stream.requestTrailers();
        else stream.requestBody(EMPTY, true);
      });
    }
    stream.requestHeaders(!this.facts.hasBody);
    // Usually the headers passed every filter just now; only a request a filter holds needs a deadline.
    if (!this.current && !this.finished) this.chainTimer = setTimeout(onChainTimeout, this.route.timeoutMs, this);
  }

  headersDone(d: Direction, endOfStream: boolean): void {
    if (d === 1) return this.writeFilteredHead(endOfStream);
    clearTimeout(this.chainTimer);
    const up = splitRequestHeaders(this.requestHeaders);
    this.method = up.method;
    this.path = up.path;
    this.upstreamHeaders = up.headers;
    if (this.clusterOverride !== undefined) {
      const chosen = this.ctx.clusters.get(this.clusterOverride);
      if (!chosen) {
        this.filterFault = true;
        return this.fail(ErrorCodes.NO_HEALTHY_UPSTREAM, `filter chose unknown cluster "${this.clusterOverride}"`);
      }
      this.cluster = chosen;
      this.ctx.stories.cluster(this.story, chosen.name);
    }
    if (!endOfStream) this.body = new PassThrough();
    this.retryOn = this.retryOutcomes();
    if (this.mirrorCluster !== undefined) this.startMirror(this.mirrorCluster, endOfStream);
    this.attempt();
  }

  bodyData(d: Direction, chunk: Uint8Array, endOfStream: boolean): void {
    if (d === 1) {
      this.sendBody(chunk, endOfStream);
      if (endOfStream) this.done(this.status, this.error);
      return;
    }
    const body = this.body as PassThrough | null;
    if (!body) return;
    if (chunk.length && !body.write(chunk)) {
      this.source.pause();
      body.once('drain', () => this.source.resume());
    }
    if (this.mirrorBody) this.teeMirror(chunk, endOfStream);
    if (endOfStream) body.end();
  }

  trailersDone(d: Direction): void {
    if (d === 0) {
      (this.body as PassThrough | null)?.end();
      this.mirrorBody?.end();
      return;
    }
    const trailers = trailerObject(this.responseTrailers);
    if (trailers) this.res.addTrailers(trailers);
    this.res.end();
    this.done(this.status, this.error);
  }

  /** A filter answered: the upstream side is dropped; the reply arrives through headersDone(1) and bodyData(1). */
  localReply(status: number, details: string): void {
    this.filterFault = true;
    this.dropUpstream(new Error(`local reply ${status}: ${details}`));
    this.status = status;
  }

  reset(reason: string): void {
    this.filterFault = true;
    this.dropUpstream(new Error(reason));
    this.res.destroy();
    this.done(this.status || 502, reason);
  }

  property(path: readonly string[]): PropertyValue | undefined {
    const [scope, name] = path;
    const socket = this.req.socket;
    switch (scope) {
      case 'source':
        if (name === 'address') return `${socket.remoteAddress}:${socket.remotePort}`;
        if (name === 'port') return socket.remotePort;
        // Envoy's names for the caller's verified workload identity (its certificate's SPIFFE ID).
        if (name === 'principal') return callerIdentity(this.req);
        return undefined;
      case 'connection':
        if (name === 'uri_san_peer_certificate') return callerIdentity(this.req);
        if (name === 'mtls') return callerIdentity(this.req) !== undefined;
        return undefined;
      case 'destination':
        if (name === 'address') return `${socket.localAddress}:${socket.localPort}`;
        if (name === 'port') return socket.localPort;
        return undefined;
      case 'upstream':
        if (name === 'address' && this.current) return this.current.endpoint.origin.replace(/^http:\/\//, '');
        return undefined;
      case 'request':
        if (name === 'protocol') return this.req.httpVersionMajor === 2 ? 'HTTP/2' : `HTTP/${this.req.httpVersion}`;
        if (name === 'id') return this.facts.requestId;
        return undefined;
      case 'route_name': return this.route.name;
      case 'cluster_name': return this.cluster.name;
      case 'xds':
        if (name === 'route_name') return this.route.name;
        if (name === 'cluster_name') return this.cluster.name;
        return undefined;
      case 'weft':
        if (name === 'route') return this.route.name;
        if (name === 'cluster') return this.clusterOverride ?? this.cluster.name;
        if (name === 'worker') return this.ctx.worker;
        return undefined;
    }
    return undefined;
  }

  filterStep(filter: { name: string; version: string }, callback: number, result: number, status: number): void {
    this.ctx.stories.filter(this.story, filter.name, filter.version, callback, result, status);
  }

  /** weft.cluster and weft.mirror_cluster are the host's: a filter routes or mirrors by setting them (see sdk/README.md). */
  setProperty(path: readonly string[], value: Uint8Array): boolean {
    if (path.length !== 2 || path[0] !== 'weft') return false;
    if (path[1] === 'cluster') this.clusterOverride = fromUtf8(value);
    else if (path[1] === 'mirror_cluster') this.mirrorCluster = fromUtf8(value);
    else return false;
    return true;
  }

  private writeFilteredHead(endOfStream: boolean): void {
    const { status, flat, contentLength } = toWriteHead(this.responseHeaders!);
    this.status = status;
    this.declaredLength = contentLength;
    this.res.writeHead(status, flat);
    if (endOfStream) {
      this.res.end();
      this.done(status, this.error);
    }
  }

  private startMirror(clusterName: string, endOfStream: boolean): void {
    const cluster = this.ctx.clusters.get(clusterName);
    if (!cluster) return;
    if (!endOfStream) this.mirrorBody = new PassThrough();
    mirror(cluster, this.method, this.path, this.upstreamHeaders, this.mirrorBody ?? null);
  }

  /** The mirror never slows the real request: when it falls a megabyte behind, it is abandoned. */
  private teeMirror(chunk: Uint8Array, endOfStream: boolean): void {
    const m = this.mirrorBody!;
    if (m.writableLength > 1 << 20) {
      m.destroy();
      this.mirrorBody = undefined;
      return;
    }
    if (chunk.length) m.write(chunk);
    if (endOfStream) m.end();
  }

  // ── upstream ───────────────────────────────────────────────────────────────────────────────

  attempt(): void {
    if (this.finished) return; // a retry's backoff that outlived its request
    const cluster = this.cluster;
    if (this.tries === 0) {
      this.limitMs = Math.min(this.route.timeoutMs, announcedDeadline(this.upstreamHeaders));
      cluster.state.budget.deposit(this.started);
      if (this.retryOn !== 0 && this.body !== null) this.replay = new ReplayBody(this.body);
    }
    const remaining = this.limitMs - (performance.now() - this.started);
    if (remaining <= 0) return this.fail(ErrorCodes.UPSTREAM_TIMEOUT);
    const endpoint = cluster.pick(this.current?.endpoint, this.upstreamHeaders);
    if (!endpoint) return this.fail(ErrorCodes.NO_HEALTHY_UPSTREAM);
    this.ctx.stories.endpoint(this.story, this.tries + 1, endpoint.origin, cluster.lb, cluster.pickFlags, cluster.eligible, cluster.endpoints.length);
    if (cluster.overflows(endpoint)) {
      this.ctx.stories.overflow(this.story);
      return this.fail(ErrorCodes.UPSTREAM_OVERFLOW);
    }
    const isRetry = this.tries++ > 0;
    if (isRetry) this.ctx.metrics.retry(cluster.name);
    const perTry = this.route.retry.perTryTimeoutMs;
    const timeoutMs = perTry !== undefined && perTry < remaining ? perTry : remaining;
    stampDeadline(this.upstreamHeaders, timeoutMs);
    const attempt = new Attempt(this, endpoint, timeoutMs, isRetry);
    this.current = attempt;
    const options: UpstreamDispatch = {
      path: this.path,
      method: this.method,
      headers: this.upstreamHeaders,
      body: this.replay ? this.replay.next(!isRetry) : this.body,
      // The attempt's own timer is the route timeout; body idle time stays undici's.
      headersTimeout: 0,
      bodyTimeout: this.route.idleTimeoutMs,
      servername: endpoint.servername,
    };
    endpoint.pool.dispatch(options, attempt);
  }

  respond(status: number, headers: ResponseHeaders): boolean {
    if (this.shouldRetry(responseOutcome(status, headers, this.retryOn))) {
      this.ctx.metrics.upstreamError(this.cluster.name, String(status));
      this.ctx.stories.retry(this.story, status, undefined);
      return false;
    }
    this.status = status;
    this.ctx.stories.upstream(this.story, status);
    const flat = downstreamResponseHeaders(headers);
    if (this.stream) {
      this.responseHeaders = responseHeaderList(status, flat);
      this.stream.responseHeaders(false);
    } else {
      const length = headers['content-length'];
      this.declaredLength = typeof length === 'string' ? Number(length) : -1;
      this.res.writeHead(status, flat);
    }
    return true;
  }

  responseData(chunk: Buffer, controller: Dispatcher.DispatchController): void {
    if (this.stream) this.stream.responseBody(chunk, false);
    else this.sendBody(chunk, false);
    if (this.res.writableNeedDrain && !controller.paused) {
      // Backpressure: stop reading the upstream until the client catches up.
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  complete(trailers: ResponseHeaders): void {
    if (this.stream) {
      this.responseTrailers = trailerList(trailers);
      if (this.responseTrailers) this.stream.responseTrailers();
      else this.stream.responseBody(EMPTY, true);
      return;
    }
    for (const _ in trailers) {
      this.res.addTrailers(trailers as Record<string, string>);
      break;
    }
    this.sendBody(EMPTY, true);
    this.done(this.status, '');
  }

  /**
   * Writes response body downstream. A small body that arrives whole (as long as its content-length says) is
   * held for the end: head and body then leave as one latin1 string in a single write instead of a writev.
   */
  private sendBody(chunk: Uint8Array, end: boolean): void {
    const whole = this.whole;
    if (!end && whole === undefined && this.bytesOut === 0 && chunk.length === this.declaredLength && chunk.length <= SMALL_BODY) {
      this.whole = chunk as Buffer;
      this.bytesOut = chunk.length;
      return;
    }
    this.bytesOut += chunk.length;
    if (whole !== undefined) {
      this.whole = undefined;
      if (end && chunk.length === 0) {
        // node:http writes a string body in one piece with its head; an HTTP/2 stream frames the bytes as they are.
        if (this.req.httpVersionMajor === 2) this.res.end(whole);
        else this.res.end(Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength).toString('latin1'), 'latin1');
        return;
      }
      this.res.write(whole);
    }
    if (!end) this.res.write(chunk);
    else this.res.end(chunk.length ? chunk : undefined);
  }

  failed(err: Error): void {
    if (this.finished) return;
    const { code, outcome } = classifyUpstreamError(err);
    if (code === ErrorCodes.BAD_REQUEST) {
      // The request could not be sent as it stands: the client's failure, never counted against the upstream.
      this.ctx.metrics.rejectedDownstream(code);
      this.res.shouldKeepAlive = false;
    } else {
      this.ctx.metrics.upstreamError(this.cluster.name, code);
    }
    this.detail = code === ErrorCodes.UPSTREAM_TLS ? reportTlsFailure(this.current!.endpoint, this.cluster.name, err, this.ctx.log) : '';
    if (this.res.headersSent) {
      // Mid-response: close the client's connection so a truncated body is never taken as complete.
      this.res.destroy(err);
      return this.done(this.status, code);
    }
    if (this.shouldRetry(outcome)) {
      this.ctx.stories.retry(this.story, 0, code);
      return this.backoff();
    }
    this.fail(code, this.detail || undefined);
  }

  retry(): void {
    this.backoff();
  }

  /** The policy retries this outcome and tries are left; then the cluster's retry breaker and budget must agree. */
  private shouldRetry(outcome: number): boolean {
    return (this.retryOn & outcome) !== 0 && this.replay?.overflowed !== true && this.tries <= this.route.retry.attempts &&
      this.cluster.state.mayRetry(performance.now());
  }

  /** Waits the policy's backoff (never past the time left), then tries again. */
  private backoff(): void {
    const wait = backoffMs(this.route.retry, this.tries);
    if (wait < 1) return this.attempt();
    setTimeout(onBackoff, Math.min(wait, this.limitMs - (performance.now() - this.started)), this);
  }

  chainTimedOut(): void {
    if (this.finished || this.res.headersSent || this.current) return;
    this.filterFault = true;
    this.dropUpstream(new Error('filter timeout'));
    this.fail(ErrorCodes.FILTER_TIMEOUT);
  }

  /** Weft answers itself; with filters, the answer passes their response callbacks like any response. */
  private fail(code: ErrorCode, detail?: string): void {
    this.error = code;
    if (!this.stream) return this.done(localReply(this.res, code, detail), code);
    const { status, headers, body } = localReplyParts(code, detail);
    this.responseHeaders = [[':status', String(status)], ...Object.entries(headers)];
    this.stream.responseHeaders(false);
    this.stream.responseBody(body, true);
  }

  private dropUpstream(reason: Error): void {
    const attempt = this.current;
    this.current = undefined;
    attempt?.abort(reason);
    if (this.body instanceof PassThrough) this.body.destroy();
  }

  // ── end ────────────────────────────────────────────────────────────────────────────────────

  private onDownstreamClose(): void {
    if (this.finished) return;
    this.dropUpstream(new Error('downstream closed'));
    this.done(CLIENT_CLOSED, '');
  }

  private done(status: number, error: string): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.chainTimer);
    const upstream = this.current?.endpoint.origin ?? '';
    const cell = this.route.traffic.cell(this.chain ?? undefined, this.cluster, countedCaller(this.ctx.traffic, this.req));
    observe(this.ctx, this.req, this.started, cell, status, upstream, this.bytesIn, this.bytesOut, this.facts.requestId, error, this.detail, this.tries > 1 ? this.tries - 1 : 0);
    this.ctx.stories.end(this.story, status, error, this.tries > 1);
    this.story = -1;
    if (this.chain) {
      this.chain.requests++;
      if (status >= 500) {
        if (this.filterFault) this.chain.filterErrors++;
        else this.chain.upstreamErrors++;
      }
      this.stream!.finish();
    }
  }
}

function onChainTimeout(ex: Exchange): void {
  ex.chainTimedOut();
}

function onBackoff(ex: Exchange): void {
  ex.attempt();
}

function observe(
  ctx: WorkerContext, req: IncomingMessage, started: number, cell: TrafficCell,
  status: number, upstream: string, bytesIn: number, bytesOut: number, requestId: string | undefined, error: string, detail = '', retries = 0,
): void {
  const ms = performance.now() - started;
  // gRPC calls (HTTP/2 only) also count by the grpc-status their client got, which HTTP's 200 hides.
  const grpcStatus = req.httpVersionMajor === 2 ? (req as unknown as H2Request).grpcStatus : undefined;
  cell.record(status, ms / 1000, error, grpcStatus, retries, bytesIn, bytesOut);
  if (ctx.accessLog) {
    ctx.accessLog.info({
      method: req.method, path: req.url, protocol: req.httpVersionMajor === 2 ? 'HTTP/2' : 'HTTP/1.1', status, durationMs: Math.round(ms * 1000) / 1000, route: cell.key.route, upstream,
      bytesIn, bytesOut, requestId, error: error || undefined, detail: detail || undefined,
    });
  }
}
