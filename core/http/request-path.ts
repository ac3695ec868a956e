// The request path of one worker, top to bottom: route → upstream headers → pick endpoint → send (with retries) → stream the response → observe.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { RouteTable, Route } from '../routing/route-table.ts';
import { isIdempotent, statusOutcome } from '../routing/retry-policy.ts';
import type { Endpoint } from '../upstream/cluster.ts';
import { classifyUpstreamError } from '../upstream/errors.ts';
import type { WorkerMetrics } from '../observe/metrics.ts';
import { upstreamRequestHeaders, stripResponseHopByHop } from './headers.ts';
import type { RequestFacts } from './headers.ts';
import { localReply } from './local-reply.ts';
import { ErrorCodes } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';

/** What a worker's request path reads; swapped whole when config changes. */
export interface WorkerContext {
  routes: RouteTable;
  metrics: WorkerMetrics;
  accessLog: Logger | undefined;
  /** Set while the worker drains: responses then close their connection. */
  draining: boolean;
}

/** The status recorded when the client went away before the response completed (nginx's convention). */
const CLIENT_CLOSED = 499;

type ResponseHeaders = Record<string, string | string[] | undefined>;

export function handleRequest(ctx: WorkerContext, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();

  // 1. Route: the first route whose match holds.
  const route = ctx.routes.match(req.method!, req.url!, req.rawHeaders);
  if (!route) {
    observe(ctx, req, started, '', '', localReply(res, ErrorCodes.NO_ROUTE), '', 0, 0, undefined, ErrorCodes.NO_ROUTE);
    return;
  }
  if (ctx.draining) res.shouldKeepAlive = false;

  // 2. Upstream headers: hop-by-hop out, x-forwarded-* and x-request-id in.
  const facts = upstreamRequestHeaders(req.rawHeaders, req.socket.remoteAddress ?? '', 'http');
  if (facts.authority === '' && req.httpVersionMinor === 1) {
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is malformed.
    ctx.metrics.rejectedDownstream(ErrorCodes.BAD_REQUEST);
    res.shouldKeepAlive = false;
    const status = localReply(res, ErrorCodes.BAD_REQUEST, 'missing Host header');
    observe(ctx, req, started, route.name, route.cluster.name, status, '', 0, 0, facts.requestId, ErrorCodes.BAD_REQUEST);
    return;
  }

  // 3-5. Send upstream, retrying per the route; the exchange streams the answer back and observes the outcome.
  new Exchange(ctx, req, res, route, facts, started).attempt();
}

/**
 * One request's upstream side. Each try is an Attempt (the undici handler); the exchange decides, per outcome,
 * whether to retry, answer locally, or stream the upstream response straight into `res`.
 */
class Exchange {
  readonly ctx: WorkerContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: Route;
  readonly facts: RequestFacts;
  readonly started: number;
  private readonly retriable: boolean;
  private tries = 0;
  /** The attempt whose callbacks count; callbacks of an abandoned attempt are ignored. */
  current: Attempt | undefined;
  finished = false;
  status = 0;
  bytesIn = 0;
  bytesOut = 0;

  constructor(ctx: WorkerContext, req: IncomingMessage, res: ServerResponse, route: Route, facts: RequestFacts, started: number) {
    this.ctx = ctx;
    this.req = req;
    this.res = res;
    this.route = route;
    this.facts = facts;
    this.started = started;
    // A streamed body is not kept, so it cannot be sent twice.
    this.retriable = route.retry.attempts > 0 && !facts.hasBody && (route.retry.nonIdempotent || isIdempotent(req.method!));
    res.on('close', () => this.onDownstreamClose());
  }

  attempt(): void {
    const remaining = this.route.timeoutMs - (performance.now() - this.started);
    if (remaining <= 0) return this.fail(ErrorCodes.UPSTREAM_TIMEOUT);
    const endpoint = this.route.cluster.pick(this.current?.endpoint);
    if (!endpoint) return this.fail(ErrorCodes.NO_HEALTHY_UPSTREAM);
    if (this.tries++ > 0) this.ctx.metrics.retry(this.route.cluster.name);
    const perTry = this.route.retry.perTryTimeoutMs;
    const timeoutMs = perTry !== undefined && perTry < remaining ? perTry : remaining;
    const attempt = new Attempt(this, endpoint, timeoutMs);
    this.current = attempt;
    endpoint.pool.dispatch({
      path: this.req.url!,
      method: this.req.method!,
      headers: this.facts.headers,
      body: this.facts.hasBody ? this.req : null,
      // The attempt's own timer is the route timeout (undici's header timer ticks in ~1 s steps); body idle stays undici's.
      headersTimeout: 0,
      bodyTimeout: this.route.timeoutMs,
    }, attempt);
  }

  /** The upstream answered: either a retriable failure to discard, or the response to stream. */
  respond(status: number, headers: ResponseHeaders): boolean {
    if (this.shouldRetry(statusOutcome(status))) {
      this.ctx.metrics.upstreamError(this.route.cluster.name, String(status));
      return false;
    }
    stripResponseHopByHop(headers);
    this.status = status;
    this.res.writeHead(status, headers as Record<string, string | string[]>);
    return true;
  }

  complete(trailers: ResponseHeaders): void {
    for (const _ in trailers) {
      this.res.addTrailers(trailers as Record<string, string>);
      break;
    }
    this.res.end();
    this.done(this.status, '');
  }

  failed(err: Error): void {
    if (this.finished) return;
    const { code, outcome } = classifyUpstreamError(err);
    this.ctx.metrics.upstreamError(this.route.cluster.name, code);
    if (this.res.headersSent) {
      // Mid-response: close the client's connection so a truncated body is never taken as complete.
      this.res.destroy(err);
      return this.done(this.status, code);
    }
    if (this.shouldRetry(outcome)) return this.attempt();
    this.fail(code);
  }

  private shouldRetry(outcome: number): boolean {
    return this.retriable && outcome !== 0 && (this.route.retry.on & outcome) !== 0 && this.tries <= this.route.retry.attempts;
  }

  private fail(code: ErrorCode): void {
    this.done(localReply(this.res, code), code);
  }

  private onDownstreamClose(): void {
    if (this.finished) return;
    this.current?.abort(new Error('downstream closed'));
    this.done(CLIENT_CLOSED, '');
  }

  private done(status: number, error: string): void {
    if (this.finished) return;
    this.finished = true;
    const upstream = this.current?.endpoint.origin ?? '';
    observe(this.ctx, this.req, this.started, this.route.name, this.route.cluster.name, status, upstream, this.bytesIn, this.bytesOut, this.facts.requestId, error);
  }
}

/** The route or per-try timeout fired before the response headers came. */
class AttemptTimeout extends Error {
  readonly code = 'WEFT_ATTEMPT_TIMEOUT';
}
const ATTEMPT_TIMEOUT = new AttemptTimeout('upstream did not answer in time');

function onAttemptTimeout(a: Attempt): void {
  a.timer = undefined;
  a.abort(ATTEMPT_TIMEOUT);
}

/** One try against one endpoint: the undici dispatch handler that streams its response into the exchange's `res`. */
class Attempt implements Dispatcher.DispatchHandler {
  readonly ex: Exchange;
  readonly endpoint: Endpoint;
  controller: Dispatcher.DispatchController | undefined;
  timer: NodeJS.Timeout | undefined;
  /** This try's response is a retriable failure: drain it, then try again. */
  private discarding = false;
  private abortReason: Error | undefined;

  constructor(ex: Exchange, endpoint: Endpoint, timeoutMs: number) {
    this.ex = ex;
    this.endpoint = endpoint;
    endpoint.active++;
    this.timer = setTimeout(onAttemptTimeout, timeoutMs, this);
  }

  /** Aborts this try; a try still queued in the pool is aborted as soon as undici starts it. */
  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    if (this.controller) this.controller.abort(reason);
  }

  private settle(): boolean {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.endpoint.active--;
    return this.ex.current === this;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onBodySent(chunk: Buffer): void {
    this.ex.bytesIn += chunk.length;
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: ResponseHeaders): void {
    if (status < 200) return; // 1xx are hop-local: Node already answered the client's Expect itself.
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.ex.finished) return;
    this.discarding = !this.ex.respond(status, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.discarding || this.ex.finished) return;
    this.ex.bytesOut += chunk.length;
    if (!this.ex.res.write(chunk)) {
      // Backpressure: stop reading the upstream until the client catches up.
      controller.pause();
      this.ex.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(_c: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
    if (!this.settle() || this.ex.finished) return;
    if (this.discarding) return this.ex.attempt();
    this.ex.complete(trailers);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (!this.settle()) return;
    this.ex.failed(err === ATTEMPT_TIMEOUT || this.abortReason === ATTEMPT_TIMEOUT ? ATTEMPT_TIMEOUT : err);
  }
}

function observe(
  ctx: WorkerContext, req: IncomingMessage, started: number, route: string, cluster: string,
  status: number, upstream: string, bytesIn: number, bytesOut: number, requestId: string | undefined, error: string,
): void {
  const ms = performance.now() - started;
  ctx.metrics.request(route, cluster, status, ms / 1000);
  if (ctx.accessLog) {
    ctx.accessLog.info({
      method: req.method, path: req.url, status, durationMs: Math.round(ms * 1000) / 1000, route, upstream,
      bytesIn, bytesOut, requestId, error: error || undefined,
    });
  }
}


