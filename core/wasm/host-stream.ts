// Host functions that steer a stream or the effective context: continue, close, local responses, done, status.
import { Status, StreamType } from './abi.ts';
import { checkLocalReply } from './header-check.ts';
import { decodePairs } from './pairs.ts';
import type { HeaderList } from './stream-host.ts';
import type { WasmVm } from './vm.ts';

export const streamHost = {
  proxy_continue_stream(this: WasmVm, stream: number): number {
    const s = this.stream;
    return s ? s.sink.continueStream(stream) : Status.NotFound;
  },

  /** ABI 0.1.0. */
  proxy_continue_request(this: WasmVm): number {
    const s = this.stream;
    return s ? s.sink.continueStream(StreamType.Request) : Status.NotFound;
  },

  /** ABI 0.1.0. */
  proxy_continue_response(this: WasmVm): number {
    const s = this.stream;
    return s ? s.sink.continueStream(StreamType.Response) : Status.NotFound;
  },

  proxy_close_stream(this: WasmVm, stream: number): number {
    const s = this.stream;
    return s ? s.sink.closeStream(stream) : Status.NotFound;
  },

  /** Routes are chosen after the chain, so there is no cached route to clear. */
  proxy_clear_route_cache(this: WasmVm): number {
    return Status.Ok;
  },

  proxy_send_local_response(this: WasmVm, status: number, detailsPtr: number, detailsLen: number, bodyPtr: number,
    bodyLen: number, headersPtr: number, headersLen: number, grpcStatus: number): number {
    const s = this.stream;
    if (!s) return Status.NotFound;
    let headers: HeaderList;
    try {
      headers = decodePairs(this.mem.view(headersPtr, headersLen));
    } catch {
      return Status.BadArgument;
    }
    checkLocalReply(status >>> 0, headers);
    s.sink.sendLocalResponse(status >>> 0, this.mem.string(detailsPtr, detailsLen), this.mem.copy(bodyPtr, bodyLen), headers, grpcStatus);
    return Status.Ok;
  },

  /** The outcome of the call being delivered: 0 and no message on success, 14 (UNAVAILABLE) and the reason on failure. */
  proxy_get_status(this: WasmVm, codePtr: number, ptrPtr: number, sizePtr: number): number {
    this.mem.setU32(codePtr, this.callFailure ? 14 : 0);
    return this.returnString(this.callFailure, ptrPtr, sizePtr);
  },

  proxy_done(this: WasmVm): number {
    const s = this.stream;
    if (!s) return Status.NotFound;
    s.sink.done();
    return Status.Ok;
  },

  proxy_set_effective_context(this: WasmVm, id: number): number {
    const ctx = this.context(id >>> 0);
    if (!ctx) return Status.BadArgument;
    this.current = ctx;
    return Status.Ok;
  },
};
