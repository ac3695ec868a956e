// One request through the filter chain: headers, body and trailers in each direction, pauses, local replies, fail policies, then the log.
import { ErrorCodes } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { Action, MapType, Status, StreamType } from '../wasm/abi.ts';
import type { StreamContext } from '../wasm/context.ts';
import type { Direction, HeaderList, PropertyValue, StreamHost, StreamSink } from '../wasm/stream-host.ts';
import { WasmTrap } from '../wasm/trap.ts';
import { Callback } from '../wasm/vm.ts';
import type { WasmVm } from '../wasm/vm.ts';
import type { Filter } from './filter.ts';
import { derivedProperty } from './properties.ts';
import { FilterResult } from '../observe/story.ts';
import { givenGrpcStatus, grpcReplyHeaders, grpcStatusOf, isGrpcRequest } from '../http/grpc.ts';

const EMPTY = new Uint8Array(0);
// Header state of a filter in one direction.
const NOT_SEEN = 0;
const HELD = 1;
const PASSED = 2;
// Trailer state: arrived but not shown to the filter (headers held), or shown and paused by it.
const TRAILERS_WAITING = 1;
const TRAILERS_PAUSED = 2;

interface LocalReply {
  status: number;
  details: string;
  body: Uint8Array;
  headers: HeaderList;
  /** The gRPC status the filter gave, for a gRPC request (else one follows from `status`). */
  grpcStatus: number | undefined;
  /** The filter whose response callbacks see the reply first; the reply then goes towards filter 0. */
  first: number;
}

/** One filter's view of one request; the StreamSink its stream context talks to. */
/** One filter's state for one direction of the exchange (the request's or the response's message). */
class Side {
  headerState = NOT_SEEN;
  /** What the filter holds of the body (it paused, or its headers are held). */
  held: Uint8Array | null = null;
  heldEos = false;
  trailerState = 0;
}

class FilterStream implements StreamSink {
  readonly stream: ChainStream;
  readonly index: number;
  readonly vm: WasmVm;
  readonly ctx: StreamContext | null;
  /** Skipped for the rest of the stream: failed open, or trapped. */
  skipped = false;
  finished = false;
  awaitingDone = false;
  inCallback = -1;
  continueAsked = false;
  // A direction's state in fields of its own object: as four two-element arrays it was twice the objects per filter per request.
  readonly request = new Side();
  readonly response = new Side();

  constructor(stream: ChainStream, index: number, filter: Filter, usable: boolean) {
    this.stream = stream;
    this.index = index;
    this.vm = filter.vm;
    this.ctx = null;
    if (!usable) {
      this.skipped = true;
      return;
    }
    try {
      this.ctx = this.vm.createStream(filter.root, this);
    } catch (err) {
      this.skipped = true;
      stream.trapped(this, err);
    }
  }

  side(d: number): Side {
    return d === 0 ? this.request : this.response;
  }

  headers(map: number): HeaderList | null {
    const h = this.stream.host;
    switch (map) {
      case MapType.RequestHeaders: return h.requestHeaders;
      case MapType.RequestTrailers: return h.requestTrailers;
      case MapType.ResponseHeaders: return h.responseHeaders;
      default: return h.responseTrailers;
    }
  }

  setHeaders(map: number, list: HeaderList): boolean {
    const h = this.stream.host;
    if (map === MapType.RequestHeaders) h.requestHeaders = list;
    else if (map === MapType.RequestTrailers) h.requestTrailers = list;
    else if (map === MapType.ResponseHeaders) h.responseHeaders = list;
    else h.responseTrailers = list;
    return true;
  }

  body(buffer: number): Uint8Array | null {
    return this.side(buffer).held ?? EMPTY;
  }

  setBody(buffer: number, bytes: Uint8Array): boolean {
    this.side(buffer).held = bytes;
    return true;
  }

  property(path: readonly string[]): PropertyValue | undefined {
    return this.stream.property(path);
  }

  setProperty(path: readonly string[], value: Uint8Array): void {
    this.stream.setProperty(path, value);
  }

  sendLocalResponse(status: number, details: string, body: Uint8Array, headers: HeaderList, grpcStatus: number): void {
    // As in Envoy, a filter sees its own reply (from a response callback, the filters it already passed do).
    const first = this.inCallback === 1 ? this.index - 1 : this.index;
    this.stream.requestLocalReply({ status, details, body, headers, grpcStatus: givenGrpcStatus(grpcStatus), first }, this.inCallback >= 0);
  }

  continueStream(type: number): number {
    if (type !== StreamType.Request && type !== StreamType.Response) return Status.BadArgument;
    if (this.inCallback === type) this.continueAsked = true;
    else this.stream.deferResume(this, type);
    return Status.Ok;
  }

  closeStream(type: number): number {
    if (type !== StreamType.Request && type !== StreamType.Response) return Status.BadArgument;
    this.stream.reset(`closed by filter ${this.stream.filters[this.index].name}`);
    return Status.Ok;
  }

  done(): void {
    if (this.awaitingDone) {
      this.awaitingDone = false;
      this.stream.logAndDelete(this);
    }
  }

  failed(trap: WasmTrap): void {
    this.stream.failedOutside(this, trap);
  }
}

// Callback per direction: [headers, body, trailers].
const CALLBACKS = [
  [Callback.RequestHeaders, Callback.RequestBody, Callback.RequestTrailers],
  [Callback.ResponseHeaders, Callback.ResponseBody, Callback.ResponseTrailers],
];

/** A request's pass through the chain; the HTTP side feeds events in, results leave through its StreamHost. */
export class ChainStream {
  readonly host: StreamHost;
  readonly filters: readonly Filter[];
  readonly #fs: FilterStream[];
  /** Bumped by a local reply or reset, so loops that started earlier stop. */
  #epoch = 0;
  readonly #headersEos = [false, false];
  readonly #aborted = [false, false];
  #responseStarted = false;
  #local: LocalReply | null = null;
  #finished = false;
  #props: Map<string, Uint8Array> | null = null;

  readonly #owner: { streamEnded(): void } | undefined;

  constructor(host: StreamHost, filters: readonly Filter[], owner?: { streamEnded(): void }) {
    this.host = host;
    this.filters = filters;
    this.#owner = owner;
    this.#fs = new Array(filters.length);
    for (let i = 0; i < filters.length; i++) {
      const usable = filters[i].ready();
      this.#fs[i] = new FilterStream(this, i, filters[i], usable);
      if (!usable && filters[i].policy !== 'open') this.#local ??= failureReply(i);
    }
  }

  requestHeaders(endOfStream: boolean): void {
    // A filter that failed (closed) before the request began answers for it.
    if (this.#local !== null) {
      this.#runLocalReply();
      return;
    }
    this.#headersEos[0] = endOfStream;
    this.#headersAt(0, 0);
  }

  requestBody(chunk: Uint8Array, endOfStream: boolean): void {
    if (!this.#aborted[0]) this.#dataAt(0, 0, chunk, endOfStream);
  }

  requestTrailers(): void {
    if (!this.#aborted[0]) this.#trailersAt(0, 0);
  }

  responseHeaders(endOfStream: boolean): void {
    this.#headersEos[1] = endOfStream;
    this.#headersAt(1, this.#fs.length - 1);
  }

  responseBody(chunk: Uint8Array, endOfStream: boolean): void {
    if (!this.#aborted[1]) this.#dataAt(1, this.#fs.length - 1, chunk, endOfStream);
  }

  responseTrailers(): void {
    if (!this.#aborted[1]) this.#trailersAt(1, this.#fs.length - 1);
  }

  /** Ends the stream: on_done → on_log → on_delete once per filter (later for a filter that defers with proxy_done). */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#aborted[0] = this.#aborted[1] = true;
    // try/catch inline rather than a guard taking a closure: three closures per filter per request otherwise.
    for (const f of this.#fs) {
      const ctx = f.ctx;
      if (ctx === null || f.finished) continue;
      if (f.skipped) {
        f.finished = true;
        try {
          f.vm.deleteContext(ctx);
        } catch (err) {
          this.#hostTrap(f, err);
        }
        continue;
      }
      let done = true;
      try {
        done = f.vm.done(ctx);
      } catch (err) {
        this.#hostTrap(f, err);
      }
      if (done) this.logAndDelete(f);
      else f.awaitingDone = true;
    }
    this.#owner?.streamEnded();
  }

  logAndDelete(f: FilterStream): void {
    if (f.finished) return;
    f.finished = true;
    try {
      f.vm.logAndDelete(f.ctx!);
    } catch (err) {
      this.#hostTrap(f, err);
    }
  }

  /** Resolves a property: one a filter set on this stream, the host's, else one derived from the header lists. */
  property(path: readonly string[]): PropertyValue | undefined {
    const own = this.#props?.get(path.join('.'));
    if (own !== undefined) return own;
    return this.host.property(path) ?? derivedProperty(this.host, path);
  }

  /** A property set by a filter is seen by every later filter of the stream (like Envoy's filter state); the host may claim it. */
  setProperty(path: readonly string[], value: Uint8Array): void {
    if (this.host.setProperty?.(path, value)) return;
    (this.#props ??= new Map()).set(path.join('.'), value);
  }

  reset(reason: string): void {
    this.#epoch++;
    this.#aborted[0] = this.#aborted[1] = true;
    this.host.reset(reason);
  }

  requestLocalReply(reply: LocalReply, inCallback: boolean): void {
    this.#local = reply;
    if (!inCallback) queueMicrotask(() => this.#runLocalReply());
  }

  /** continue_stream from outside the filter's own callback: resumes on a microtask, so the module is not re-entered. */
  deferResume(f: FilterStream, d: number): void {
    queueMicrotask(() => {
      if (!this.#aborted[d]) this.#resume(f, d as Direction);
    });
  }

  trapped(f: FilterStream, err: unknown): void {
    const filter = this.filters[f.index];
    const trap = err instanceof WasmTrap ? err : new WasmTrap('host', String(err), false, err);
    filter.trapped(trap);
    f.skipped = true;
    if (filter.policy === 'open' || this.#finished) return;
    this.#local = failureReply(f.index, trap.kind === 'invalid_header' ? ErrorCodes.WASM_INVALID_HEADER : ErrorCodes.WASM_TRAP);
  }

  /**
   * A filter failed outside its own stream callbacks (a root callback acting for this stream, such as an http call's
   * response): closed answers now; open lets go of whatever the filter held, as if it had continued.
   */
  failedOutside(f: FilterStream, trap: WasmTrap): void {
    if (f.skipped || this.#finished) {
      this.filters[f.index].trapped(trap);
      return;
    }
    this.trapped(f, trap);
    if (this.#local !== null) {
      this.#runLocalReply();
      return;
    }
    for (let d = 0; d < 2; d++) {
      const s = f.side(d);
      if (s.headerState === HELD || s.held !== null || s.heldEos || s.trailerState === TRAILERS_PAUSED) this.deferResume(f, d);
    }
  }

  #resume(f: FilterStream, d: Direction): void {
    const i = f.index;
    const next = d === 0 ? i + 1 : i - 1;
    const s = f.side(d);
    if (s.headerState === HELD) {
      s.headerState = PASSED;
      const epoch = this.#epoch;
      this.#headersAt(d, next);
      if (epoch !== this.#epoch) return;
      const held = s.held;
      if (held !== null || s.heldEos) {
        s.held = null;
        this.#dataAt(d, i, held ?? EMPTY, s.heldEos);
        if (epoch !== this.#epoch) return;
      }
      if (s.trailerState === TRAILERS_WAITING) {
        s.trailerState = 0;
        this.#trailersAt(d, i);
      }
      return;
    }
    this.#passOn(f, d, next);
  }

  /** Sends what a filter held (body, then paused trailers) on to the next filter. */
  #passOn(f: FilterStream, d: Direction, next: number): void {
    const s = f.side(d);
    const held = s.held;
    const eos = s.heldEos;
    s.held = null;
    s.heldEos = false;
    const epoch = this.#epoch;
    if (held !== null || eos) this.#dataAt(d, next, held ?? EMPTY, eos);
    if (epoch === this.#epoch && s.trailerState === TRAILERS_PAUSED) {
      s.trailerState = 0;
      this.#trailersAt(d, next);
    }
  }

  #headersAt(d: Direction, start: number): void {
    const fs = this.#fs;
    const step = d === 0 ? 1 : -1;
    const epoch = this.#epoch;
    const eos = this.#headersEos[d];
    const list = d === 0 ? this.host.requestHeaders : this.host.responseHeaders;
    for (let i = start; i >= 0 && i < fs.length; i += step) {
      const f = fs[i];
      const s = f.side(d);
      s.headerState = HELD;
      if (!f.skipped && f.vm.hasStreamCallback(CALLBACKS[d][0])) {
        const action = this.#call(f, d, CALLBACKS[d][0], list ? list.length : 0, eos);
        if (epoch !== this.#epoch) return;
        if (action === Action.Pause) return;
      }
      s.headerState = PASSED;
    }
    if (d === 1) this.#responseStarted = true;
    this.host.headersDone(d, eos);
  }

  #dataAt(d: Direction, start: number, chunk: Uint8Array, eos: boolean): void {
    const fs = this.#fs;
    const step = d === 0 ? 1 : -1;
    const epoch = this.#epoch;
    for (let i = start; i >= 0 && i < fs.length; i += step) {
      const f = fs[i];
      const s = f.side(d);
      const prior = s.held;
      if (s.headerState !== PASSED) {
        s.held = prior === null ? chunk : concat(prior, chunk);
        s.heldEos = eos;
        return;
      }
      if (f.skipped || !f.vm.hasStreamCallback(CALLBACKS[d][1])) continue;
      const buffered = prior === null || prior.length === 0 ? chunk : concat(prior, chunk);
      s.held = buffered;
      s.heldEos = eos;
      const action = this.#call(f, d, CALLBACKS[d][1], buffered.length, eos);
      if (epoch !== this.#epoch) return;
      // Pause buffers: the filter is called again with the cumulative body when more arrives.
      if (action === Action.Pause && !f.skipped) return;
      chunk = s.held ?? EMPTY;
      s.held = null;
      s.heldEos = false;
    }
    this.host.bodyData(d, chunk, eos);
  }

  #trailersAt(d: Direction, start: number): void {
    const fs = this.#fs;
    const step = d === 0 ? 1 : -1;
    const epoch = this.#epoch;
    for (let i = start; i >= 0 && i < fs.length; i += step) {
      const f = fs[i];
      const s = f.side(d);
      if (s.headerState !== PASSED) {
        s.trailerState = TRAILERS_WAITING;
        return;
      }
      if (!f.skipped && f.vm.hasStreamCallback(CALLBACKS[d][2])) {
        const list = d === 0 ? this.host.requestTrailers : this.host.responseTrailers;
        const action = this.#call(f, d, CALLBACKS[d][2], list ? list.length : 0, false);
        if (epoch !== this.#epoch) return;
        if (action === Action.Pause && !f.skipped) {
          s.trailerState = TRAILERS_PAUSED;
          return;
        }
      }
      // A body the filter was still buffering goes on ahead of the trailers.
      const held = s.held;
      if (held !== null) {
        s.held = null;
        const next = i + step;
        this.#dataAt(d, next, held, false);
        if (epoch !== this.#epoch) return;
        if (next >= 0 && next < fs.length) {
          this.#trailersAt(d, next);
          return;
        }
      }
    }
    this.host.trailersDone(d);
  }

  /** Runs one stream callback with the fail policy applied; a Pause the filter already lifted counts as Continue. */
  #call(f: FilterStream, d: Direction, cb: number, size: number, eos: boolean): number {
    f.inCallback = d;
    f.continueAsked = false;
    let action: number;
    let trapped = false;
    try {
      action = f.vm.callStream(cb, f.ctx!, size, eos);
    } catch (err) {
      this.trapped(f, err);
      action = Action.Continue;
      trapped = true;
    } finally {
      f.inCallback = -1;
    }
    const local = this.#local;
    const result = f.continueAsked ? Action.Continue : asAction(cb, action);
    this.host.filterStep?.(this.filters[f.index], cb, trapped ? FilterResult.Trap : local !== null ? FilterResult.LocalReply : result, local?.status ?? 0);
    if (local !== null) {
      this.#runLocalReply();
      return Action.Pause;
    }
    return result;
  }

  #runLocalReply(): void {
    const reply = this.#local;
    if (reply === null) return;
    this.#local = null;
    this.#epoch++;
    this.#aborted[0] = true;
    if (this.#responseStarted) {
      this.reset(`local reply ${reply.status} after the response headers were sent`);
      return;
    }
    this.host.localReply(reply.status, reply.details);
    // A gRPC client reads a status, not an HTTP error page: the reply becomes trailers-only, its body the message.
    let body = reply.body;
    if (isGrpcRequest(this.host.requestHeaders)) {
      const message = body.length ? Buffer.from(body).toString('utf8') : reply.details;
      this.host.responseHeaders = grpcReplyHeaders(reply.grpcStatus ?? grpcStatusOf(reply.status), message, reply.headers);
      body = EMPTY;
    } else {
      this.host.responseHeaders = localReplyHeaders(reply);
    }
    this.host.responseTrailers = null;
    for (const { response } of this.#fs) {
      response.headerState = NOT_SEEN;
      response.held = null;
      response.heldEos = false;
      response.trailerState = 0;
    }
    // As in Envoy, the reply passes the response callbacks from `first` towards filter 0; filters after the
    // sender never started this stream.
    const start = reply.first;
    const hasBody = body.length > 0;
    this.#headersEos[1] = !hasBody;
    this.#aborted[1] = false;
    const epoch = this.#epoch;
    this.#headersAt(1, start);
    if (hasBody && epoch === this.#epoch) this.#dataAt(1, start, body, true);
  }

  /** A trap while the stream ends is counted and reported; no fail policy applies any more. */
  #hostTrap(f: FilterStream, err: unknown): void {
    const trap = err instanceof WasmTrap ? err : new WasmTrap('host', String(err), false, err);
    this.filters[f.index].trapped(trap);
  }
}

/**
 * A callback's result as Envoy reads it. SDKs return Envoy's own enums: for headers 0 Continue and
 * 2 ContinueAndEndStream go on, while 1, 3 and 4 (StopIteration, StopAllIterationAndBuffer/Watermark)
 * and anything larger stop everything; for bodies and trailers every value but 0 stops.
 */
function asAction(cb: number, result: number): number {
  if (result === 0) return Action.Continue;
  const headers = cb === Callback.RequestHeaders || cb === Callback.ResponseHeaders;
  return headers && result === 2 ? Action.Continue : Action.Pause;
}

function localReplyHeaders(reply: LocalReply): HeaderList {
  const headers: HeaderList = [[':status', String(reply.status)]];
  let sized = false;
  for (const pair of reply.headers) {
    if (pair[0].startsWith(':')) continue;
    headers.push(pair);
    if (pair[0] === 'content-length') sized = true;
  }
  // As Envoy does: a local reply says how long it is, so the connection stays reusable without chunking.
  if (!sized) headers.push(['content-length', String(reply.body.length)]);
  return headers;
}

/** The fail-closed answer for filter `failed`: 503 with the stable error code; as in Envoy, the failed filter does not see it. */
function failureReply(failed: number, code: ErrorCode = ErrorCodes.WASM_TRAP): LocalReply {
  return { status: 503, details: 'wasm_filter_failed', body: EMPTY, first: failed - 1, grpcStatus: undefined, headers: [['x-weft-error', code]] };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
