// HTTP callouts: sending them, remembering which context asked, and delivering each answer to its callback.
import { proxyHttpCall, proxySetEffectiveContext } from "./abi/imports";
import { outSize, room, roomFor, stage, stageBegin, stagedSize, stageValue } from "./abi/memory";
import { httpCallResponseBody } from "./buffers";
import { Context } from "./context";
import { encodePairs, HeaderPair, httpCallResponseHeaders, httpCallResponseTrailers } from "./headers";
import { logDebug } from "./log";
import { findContext } from "./registry";
import { Status } from "./types";

/** The answer to an HTTP call, readable only while its callback runs. */
export class HttpCallResponse {
  constructor(public readonly headerCount: u32, public readonly bodySize: u32, public readonly trailerCount: u32) {}

  /** True when the call failed (no connection, timeout, unknown upstream): there are no headers then. */
  get failed(): bool {
    return this.headerCount == 0;
  }

  /** The HTTP status code, or 0 when the call failed. */
  get statusCode(): u32 {
    const status = this.header(":status");
    return status === null ? 0 : <u32>I32.parseInt(status);
  }

  /** A response header, or null when absent. */
  header(name: string): string | null {
    return httpCallResponseHeaders.get(name);
  }

  /** Every response header in order. */
  headers(): HeaderPair[] {
    return httpCallResponseHeaders.pairs();
  }

  /** Every response trailer in order. */
  trailers(): HeaderPair[] {
    return httpCallResponseTrailers.pairs();
  }

  /** The response body bytes. */
  body(): ArrayBuffer {
    return this.bodySize == 0 ? new ArrayBuffer(0) : httpCallResponseBody.read(0, this.bodySize);
  }

  /** The response body decoded as UTF-8. */
  bodyString(): string {
    return String.UTF8.decode(this.body());
  }
}

/** What runs when an HTTP call is answered: `origin` is the context that made the call. */
export type HttpCallCallback = (origin: Context, response: HttpCallResponse) => void;

class PendingCall {
  constructor(public readonly contextId: u32, public readonly callback: HttpCallCallback) {}
}

const pendingCalls = new Map<u32, PendingCall>();

/** Sends the call and remembers who to tell; used by `Context.httpCall`. */
export function dispatchHttpCall<T>(
  contextId: u32,
  upstream: string,
  headers: HeaderPair[],
  body: T,
  trailers: HeaderPair[],
  timeoutMilliseconds: u32,
  callback: HttpCallCallback,
): Status {
  const headerBytes = encodePairs(headers);
  const trailerBytes = encodePairs(trailers);
  stageBegin(room(upstream) + roomFor<T>(body));
  const upstreamBytes = stage(upstream);
  const upstreamSize = stagedSize;
  const bodyBytes = stageValue<T>(body);
  store<u32>(outSize, 0);
  const status = <Status>proxyHttpCall(
    upstreamBytes, upstreamSize,
    changetype<usize>(headerBytes), headerBytes.byteLength,
    bodyBytes, stagedSize,
    changetype<usize>(trailerBytes), trailerBytes.byteLength,
    timeoutMilliseconds,
    outSize,
  );
  if (status == Status.Ok) pendingCalls.set(load<u32>(outSize), new PendingCall(contextId, callback));
  return status;
}

/**
 * Delivers an answer: the host calls back on the root context, so the SDK makes the originating
 * context current before running the callback. A stream that ended meanwhile gets nothing.
 */
export function completeHttpCall(token: u32, headerCount: u32, bodySize: u32, trailerCount: u32): void {
  if (!pendingCalls.has(token)) throw new Error("http call response for unknown token " + token.toString());
  const pending = pendingCalls.get(token);
  pendingCalls.delete(token);
  const origin = findContext(pending.contextId);
  if (origin === null) {
    logDebug("http call " + token.toString() + " answered after its context " + pending.contextId.toString() + " ended");
    return;
  }
  proxySetEffectiveContext(pending.contextId);
  const callback = pending.callback;
  callback(origin, new HttpCallResponse(headerCount, bodySize, trailerCount));
}
