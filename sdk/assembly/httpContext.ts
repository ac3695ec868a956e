// The per-stream context: one instance per HTTP request, called at each stage of the exchange.
import { Context } from "./context";
import { RootContext } from "./rootContext";
import { Action } from "./types";

/**
 * One per HTTP stream. Override the stages you need; each default returns `Action.Continue`.
 * Read and change the stream with the module-level `requestHeaders`, `requestBody`, `responseHeaders`…
 */
export class HttpContext extends Context {
  constructor(contextId: u32, public readonly root: RootContext) {
    super(contextId);
  }

  /** The request headers arrived; `endOfStream` is true when the request has no body. */
  onRequestHeaders(_headerCount: u32, _endOfStream: bool): Action {
    return Action.Continue;
  }

  /** A request body chunk arrived. After a Pause the host buffers and calls again with the whole body so far. */
  onRequestBody(_bodySize: u32, _endOfStream: bool): Action {
    return Action.Continue;
  }

  /** The request trailers arrived. */
  onRequestTrailers(_trailerCount: u32): Action {
    return Action.Continue;
  }

  /** The response headers arrived; `endOfStream` is true when the response has no body. */
  onResponseHeaders(_headerCount: u32, _endOfStream: bool): Action {
    return Action.Continue;
  }

  /** A response body chunk arrived. After a Pause the host buffers and calls again with the whole body so far. */
  onResponseBody(_bodySize: u32, _endOfStream: bool): Action {
    return Action.Continue;
  }

  /** The response trailers arrived. */
  onResponseTrailers(_trailerCount: u32): Action {
    return Action.Continue;
  }
}
