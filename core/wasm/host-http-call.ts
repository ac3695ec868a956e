// proxy_http_call: an HTTP request to a configured cluster, answered later through on_http_call_response on the root context.
import { Status } from './abi.ts';
import { decodePairs } from './pairs.ts';
import type { HeaderList, HttpCallResponse } from './stream-host.ts';
import type { RootContext } from './context.ts';
import type { WasmVm } from './vm.ts';

export const httpCallHost = {
  proxy_http_call(this: WasmVm, upPtr: number, upLen: number, hdrPtr: number, hdrLen: number, bodyPtr: number, bodyLen: number,
    trlPtr: number, trlLen: number, timeoutMs: number, tokenPtr: number): number {
    const root = this.root;
    const send = this.services.httpCall;
    if (!root || !send) return Status.BadArgument;
    let headers: HeaderList;
    let trailers: HeaderList;
    try {
      headers = decodePairs(this.mem.view(hdrPtr, hdrLen));
      trailers = decodePairs(this.mem.view(trlPtr, trlLen));
    } catch {
      return Status.BadArgument;
    }
    if (!hasAll(headers)) return Status.BadArgument;
    const timeout = timeoutMs >>> 0;
    const pending = send(this.mem.string(upPtr, upLen), headers, this.mem.copy(bodyPtr, bodyLen), trailers, timeout);
    if (pending === null) return Status.BadArgument;
    const token = this.nextToken++;
    this.mem.setU32(tokenPtr, token);
    awaitResponse(this, root, token, pending, timeout || 30_000);
    return Status.Ok;
  },
};

/** Delivers the first of response, failure or timeout to the root context; later outcomes are dropped. */
function awaitResponse(vm: WasmVm, root: RootContext, token: number, pending: Promise<HttpCallResponse>, timeoutMs: number): void {
  let settled = false;
  const deliver = (response: HttpCallResponse | null, failure: string): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (vm.closed || !vm.roots.has(root.id)) return;
    try {
      vm.httpCallResponse(root, token, response, failure);
    } catch (err) {
      vm.rootTrapped(err);
    }
  };
  const timer = setTimeout(deliver, timeoutMs, null, 'timeout');
  timer.unref();
  pending.then((r) => deliver(r, ''), (err: unknown) => deliver(null, err instanceof Error ? err.message : String(err)));
}

function hasAll(headers: HeaderList): boolean {
  let seen = 0;
  for (const [name] of headers) {
    if (name === ':authority') seen |= 1;
    else if (name === ':method') seen |= 2;
    else if (name === ':path') seen |= 4;
  }
  return seen === 7;
}
