// The base of every context the host creates: its id, the end-of-life callbacks, and HTTP callouts.
import { dispatchHttpCall, HttpCallCallback } from "./httpCall";
import { HeaderPair } from "./headers";
import { Status } from "./types";

/** A context the host created: the plugin's root context or one HTTP stream. */
export class Context {
  constructor(public readonly contextId: u32) {}

  /** Called once when the stream (or plugin) ends, after the last HTTP callback; maps are still readable. */
  onLog(): void {}

  /** Called last, when the host forgets the context; release anything held for it here. */
  onDelete(): void {}

  /**
   * Sends an HTTP request to the host cluster `upstream` without blocking. `headers` must hold
   * `:method`, `:path` and `:authority`. When the answer (or a failure) arrives, `callback` runs
   * with this context as `origin` (cast it back to your class) and the host's current stream set
   * to this context, so an HTTP context can resume or answer its paused request from the callback.
   */
  httpCall<T>(
    upstream: string,
    headers: HeaderPair[],
    body: T,
    timeoutMilliseconds: u32,
    callback: HttpCallCallback,
    trailers: HeaderPair[] = [],
  ): Status {
    return dispatchHttpCall<T>(this.contextId, upstream, headers, body, trailers, timeoutMilliseconds, callback);
  }
}
