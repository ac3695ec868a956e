// One try of a request against one endpoint: the undici dispatch handler, with its own timer for the route or per-try timeout.
import type { Dispatcher } from 'undici';
import type { Endpoint } from './cluster.ts';

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

  constructor(owner: AttemptOwner, endpoint: Endpoint, timeoutMs: number) {
    this.owner = owner;
    this.endpoint = endpoint;
    endpoint.active++;
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
    this.endpoint.active--;
    return this.owner.current === this;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onBodySent(chunk: Buffer): void {
    this.owner.bytesIn += chunk.length;
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: ResponseHeaders): void {
    if (status < 200) return; // 1xx are hop-local: the proxy answered the client's Expect itself.
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
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
    if (!this.settle()) return;
    this.owner.failed(this.abortReason === ATTEMPT_TIMEOUT ? ATTEMPT_TIMEOUT : err);
  }
}
