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

export function handleRequest(ctx: WorkerContext, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  const method = req.method!;
  const path = req.url!;

  // 1. Route: the first route whose match holds.
  const route = ctx.routes.match(method, path, req.rawHeaders);
  if (!route) {
    const status = localReply(res, ErrorCodes.NO_ROUTE);
    observe(ctx, req, started, '', '', status, '', 0, 0, undefined);
    return;
  }
  if (ctx.draining) res.shouldKeepAlive = false;

  // 2. Upstream headers: hop-by-hop out, x-forwarded-* and x-request-id in.
  const facts = upstreamRequestHeaders(req.rawHeaders, req.socket.remoteAddress ?? '', 'http');

  // 3-5. Send upstream, retrying per the route; the Exchange streams the answer back and observes the outcome.
  new Exchange(ctx, req, res, route, facts, started).attempt();
}

/** One request's upstream side: an undici dispatch handler that streams the response straight into `res`. */
class Exchange implements Dispatcher.DispatchHandler {
  private readonly ctx: WorkerContext;
  private readonly req: IncomingMessage;
  private readonly res: ServerResponse;
  private readonly route: Route;
  private readonly facts: RequestFacts;
  private readonly started: number;
  private readonly retriable: boolean;
  private tries = 0;
  private endpoint: Endpoint | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  /** The current attempt's response is a retriable failure: drain it, then try again. */
  private discarding = false;
  private finished = false;
  private status = 0;
  private bytesIn = 0;
  private bytesOut = 0;

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
    const endpoint = this.route.cluster.pick(this.endpoint);
    if (!endpoint) return this.fail(ErrorCodes.NO_HEALTHY_UPSTREAM);
    if (this.tries++ > 0) this.ctx.metrics.retry(this.route.cluster.name);
    this.endpoint = endpoint;
    this.discarding = false;
    endpoint.active++;
    const perTry = this.route.retry.perTryTimeoutMs;
    const timeout = Math.ceil(perTry !== undefined && perTry < remaining ? perTry : remaining);
    endpoint.pool.dispatch({
      path: this.req.url!,
      method: this.req.method!,
      headers: this.facts.headers,
      body: this.facts.hasBody ? this.req : null,
      headersTimeout: timeout,
      bodyTimeout: this.route.timeoutMs,
    }, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.finished) controller.abort(new Error('downstream closed'));
  }

  onBodySent(chunk: Buffer): void {
    this.bytesIn += chunk.length;
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    if (status < 200) return; // 1xx are hop-local: Node already answered the client's Expect itself.
    if (this.shouldRetry(statusOutcome(status))) {
      this.discarding = true;
      this.ctx.metrics.upstreamError(this.route.cluster.name, String(status));
      return;
    }
    stripResponseHopByHop(headers);
    this.status = status;
    this.res.writeHead(status, headers as Record<string, string | string[]>);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.discarding) return;
    this.bytesOut += chunk.length;
    if (!this.res.write(chunk)) {
      // Backpressure: stop reading the upstream until the client catches up.
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(_c: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
    this.endpoint!.active--;
    if (this.discarding) return this.attempt();
    for (const _ in trailers) {
      this.res.addTrailers(trailers as Record<string, string>);
      break;
    }
    this.res.end();
    this.done(this.status, '');
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.endpoint!.active--;
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
    this.controller?.abort(new Error('downstream closed'));
    this.done(CLIENT_CLOSED, '');
  }

  private done(status: number, error: string): void {
    if (this.finished) return;
    this.finished = true;
    observe(this.ctx, this.req, this.started, this.route.name, this.route.cluster.name, status, this.endpoint?.origin ?? '', this.bytesIn, this.bytesOut, this.facts.requestId, error);
  }
}

function observe(
  ctx: WorkerContext, req: IncomingMessage, started: number, route: string, cluster: string,
  status: number, upstream: string, bytesIn: number, bytesOut: number, requestId: string | undefined, error = '',
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
