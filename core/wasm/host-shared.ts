// Host functions for shared data (CAS) and shared queues, backed by the process-wide SharedState.
import { Status } from './abi.ts';
import type { RootContext } from './context.ts';
import type { WasmVm } from './vm.ts';

// A queue watch re-arms at this interval so a closed VM stops watching without a cancel API.
const WATCH_MS = 1000;

export const sharedHost = {
  // Keys and values are read where they lie in the module's memory: a rate limiter makes these calls on every request.
  proxy_get_shared_data(this: WasmVm, keyPtr: number, keyLen: number, ptrPtr: number, sizePtr: number, casPtr: number): number {
    const shared = this.shared;
    const size = shared.read(this.sharedScope, this.mem.checked(keyPtr, keyLen), keyPtr >>> 0, keyLen >>> 0);
    if (size < 0) return Status.NotFound;
    const cas = shared.lastCas;
    const status = this.returnBytes(shared.lastValue, ptrPtr, sizePtr, size);
    if (status === Status.Ok) this.mem.setU32(casPtr, cas);
    return status;
  },

  proxy_set_shared_data(this: WasmVm, keyPtr: number, keyLen: number, valuePtr: number, valueLen: number, cas: number): number {
    this.mem.checked(valuePtr, valueLen);
    return this.shared.write(this.sharedScope, this.mem.checked(keyPtr, keyLen), keyPtr >>> 0, keyLen >>> 0, valuePtr >>> 0, valueLen >>> 0, cas >>> 0);
  },

  proxy_register_shared_queue(this: WasmVm, namePtr: number, nameLen: number, idPtr: number): number {
    const root = this.root;
    if (!root) return Status.NotFound;
    const id = this.shared.registerQueue(this.vmId, this.mem.string(namePtr, nameLen));
    if (id === 0) return Status.InternalFailure;
    this.mem.setU32(idPtr, id);
    watchQueue(this, root, id);
    return Status.Ok;
  },

  proxy_resolve_shared_queue(this: WasmVm, vmPtr: number, vmLen: number, namePtr: number, nameLen: number, idPtr: number): number {
    const id = this.shared.resolveQueue(this.mem.string(vmPtr, vmLen), this.mem.string(namePtr, nameLen));
    if (id === 0) return Status.NotFound;
    this.mem.setU32(idPtr, id);
    return Status.Ok;
  },

  proxy_enqueue_shared_queue(this: WasmVm, id: number, valuePtr: number, valueLen: number): number {
    return this.shared.enqueue(id >>> 0, this.mem.view(valuePtr, valueLen));
  },

  proxy_dequeue_shared_queue(this: WasmVm, id: number, ptrPtr: number, sizePtr: number): number {
    const got = this.shared.dequeue(id >>> 0);
    return typeof got === 'number' ? got : this.returnBytes(got, ptrPtr, sizePtr);
  },
};

/** Calls on_queue_ready on the registering root context each time any thread enqueues on the queue. */
function watchQueue(vm: WasmVm, root: RootContext, id: number): void {
  const key = `${root.id}:${id}`;
  if (vm.queueWatches.has(key)) return;
  vm.queueWatches.add(key);
  const arm = (): void => {
    vm.shared.waitForQueue(id, WATCH_MS).then((outcome) => {
      if (vm.closed || !vm.roots.has(root.id)) return;
      if (outcome === 'ok') {
        try {
          vm.queueReady(root, id);
        } catch (err) {
          vm.log(4, `on_queue_ready trapped: ${(err as Error).message}`);
        }
      }
      arm();
    }, () => undefined);
  };
  arm();
}
