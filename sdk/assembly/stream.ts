// Control of the current HTTP stream: answering locally, and resuming a paused direction.
import { proxyCloseStream, proxyContinueStream, proxySendLocalResponse, proxySetEffectiveContext } from "./abi/imports";
import { room, stage, stageBegin, stagedSize } from "./abi/memory";
import { encodePairs, HeaderPair } from "./headers";
import { Status, StreamType } from "./types";

/**
 * Answers the current request from the filter: the upstream is not called (or its response is
 * dropped) and the client gets this status, body and headers. Return `Action.Pause` from the
 * callback afterwards; the host ignores a Continue once a local response is sent.
 * `details` is the response-code detail the host records in its access log; `grpcStatus` -1 means none.
 */
export function sendLocalResponse(
  statusCode: u32,
  body: string = "",
  headers: HeaderPair[] = [],
  details: string = "",
  grpcStatus: i32 = -1,
): Status {
  const headerBytes = encodePairs(headers);
  stageBegin(room(body) + room(details));
  const bodyBytes = stage(body);
  const bodySize = stagedSize;
  const detailBytes = stage(details);
  return proxySendLocalResponse(
    statusCode,
    detailBytes, stagedSize,
    bodyBytes, bodySize,
    changetype<usize>(headerBytes), headerBytes.byteLength,
    grpcStatus,
  );
}

/** Lets a paused request continue to the next filter (after an HTTP call answered, say). */
export function resumeHttpRequest(): Status {
  return proxyContinueStream(StreamType.HttpRequest);
}

/** Lets a paused response continue to the next filter. */
export function resumeHttpResponse(): Status {
  return proxyContinueStream(StreamType.HttpResponse);
}

/** Resets the stream in one direction; the client sees the connection end without a response. */
export function closeHttpStream(streamType: StreamType): Status {
  return proxyCloseStream(streamType);
}

/**
 * Makes the stream `contextId` the current one, so that `resumeHttpRequest`, `sendLocalResponse` and
 * header access act on it from another context's callback (a tick, another request's callout);
 * false when the host no longer knows the stream (the client went away).
 */
export function enterStream(contextId: u32): bool {
  return proxySetEffectiveContext(contextId) == Status.Ok;
}
