// Acting on a stream from another context's callback (a tick, another stream's callout): the SDK only does this for the caller.
import { proxySetEffectiveContext } from "../../../sdk/assembly/abi/imports";
import { Status } from "../../../sdk/assembly/index";

/**
 * Makes the paused stream `contextId` the current one, so that `resumeHttpRequest` or
 * `sendLocalResponse` act on it; false when the host no longer knows it (the client went away).
 */
export function enterStream(contextId: u32): bool {
  return proxySetEffectiveContext(contextId) == Status.Ok;
}
