// One try of a request against one endpoint: the undici dispatch handler, with its own timer for the route or per-try timeout.
import type { Dispatcher } from 'undici';
import type { Endpoint } from './cluster.ts';
import { endpointAtFault } from './errors.ts';
import { ACTIVE, PENDING, RETRIES } from './breaker-table.ts';
import { attemptFailed, attemptSucceeded } from './outlier.ts';
import { observeFailure, observeLatency } from './peak-ewma.ts';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** What an attempt reports to; callbacks of an attempt that is no longer `current` are ignored. */
export interface AttemptOwner {
  current: Attempt | undefined;
  finished: boolean;
  bytesIn: number;
  /** The upstream answered; false means "discard this response, a retry follows at its end". */
  respond(status: number, headers: ResponseHeaders): boolean;
  responseData(chunk: Buffer, controller: Dispatcher.DispatchController): void;
  complete(trailers: ResponseHeaders): void;
  failed(err: Error): void;
  /** The discarded response of a retriable failure ended: try again. */
  retry(): void;
}

/** The route or per-try timeout fired before the response headers came. */
class AttemptTimeout extends Error {
  readonly code = 'WEFT_ATTEMPT_TIMEOUT';
}
const ATTEMPT_TIMEOUT = new AttemptTimeout('upstream did not answer in time');

function onTimeout(a: Attempt): void {
  a.timer = undefined;
  a.abort(ATTEMPT_TIMEOUT);
}

export class Attempt implements Dispatcher.DispatchHandler {
  readonly owner: AttemptOwner;
  readonly endpoint: Endpoint;
  controller: Dispatcher.DispatchController | undefined;
  timer: NodeJS.Timeout | undefined;
  /** This try's response is a retriable failure: drain it, then try again. */
  private discarding = false;
  private abortReason: Error | undefined;
  private readonly isRetry: boolean;
  /** Still waiting for a connection (the pending circuit breaker counts these). */
  private waiting = true;
  private answered = false;
  /**
   * When the request went out on a connection, for peak_ewma's latency: what the endpoint takes to answer, not what
   * opening a connection to it took (a TLS handshake under load would make a new endpoint look slow for many seconds).
   * 0 until then, and when the cluster does not measure.
   */
  private sentAt = 0;

  constructor(owner: AttemptOwner, endpoint: Endpoint, timeoutMs: number, isRetry: boolean) {
    this.owner = owner;
    this.endpoint = endpoint;
    this.isRetry = isRetry;
    const state = endpoint.state;
    endpoint.active++;
    const counts = state.counts;
    counts.add(ACTIVE, 1);
    counts.add(PENDING, 1);
    if (isRetry) counts.add(RETRIES, 1);
    // setTimeout with an argument: no closure per try. undici's own header timer ticks in ~1 s steps.
    this.timer = setTimeout(onTimeout, timeoutMs, this);
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
    const counts = this.endpoint.state.counts;
    this.endpoint.active--;
    counts.add(ACTIVE, -1);
    if (this.waiting) counts.add(PENDING, -1);
    if (this.isRetry) counts.add(RETRIES, -1);
    return this.owner.current === this;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.waiting = false;
    const state = this.endpoint.state;
    state.counts.add(PENDING, -1);
    if (state.measuresLatency) this.sentAt = performance.now();
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onBodySent(chunk: Buffer): void {
    this.owner.bytesIn += chunk.length;
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: ResponseHeaders): void {
    if (status < 200) return; // 1xx are hop-local: the proxy answered the client's Expect itself.
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.answered = true;
    this.judge(status >= 500);
    if (this.owner.finished || this.owner.current !== this) return;
    this.discarding = !this.owner.respond(status, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.discarding || this.owner.finished || this.owner.current !== this) return;
    this.owner.responseData(chunk, controller);
  }

  onResponseEnd(_c: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
    if (!this.settle() || this.owner.finished) return;
    if (this.discarding) return this.owner.retry();
    this.owner.complete(trailers);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    // The endpoint failed unless the proxy gave up on the try itself (client gone, a retry won), a breaker refused
    // it, or the request could not be sent.
    const own = this.abortReason !== undefined && this.abortReason !== ATTEMPT_TIMEOUT;
    if (!this.answered && !own && endpointAtFault(err)) this.judge(true);
    if (!this.settle()) return;
    this.owner.failed(this.abortReason === ATTEMPT_TIMEOUT ? ATTEMPT_TIMEOUT : err);
  }

  /** Tells the endpoint's outlier detection and latency estimate how this try went (free when neither is on). */
  private judge(failed: boolean): void {
    const e = this.endpoint;
    const state = e.state;
    if (state.outlier === undefined && !state.measuresLatency) return;
    const now = performance.now();
    if (failed) attemptFailed(e, now);
    else attemptSucceeded(e);
    if (!state.measuresLatency) return;
    // A try that failed before it was sent (no connection) counts as the failure floor: twice the estimate.
    if (failed) observeFailure(e, this.sentAt ? now - this.sentAt : 0, now);
    else observeLatency(e, now - this.sentAt, now);
  }
}
