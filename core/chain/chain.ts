// An ordered list of loaded filters for one worker; hands out a ChainStream per request.
import type { HostServices, StreamHost } from '../wasm/stream-host.ts';
import type { WasmVm } from '../wasm/vm.ts';
import { Filter } from './filter.ts';
import type { FilterSpec } from './filter.ts';
import { ChainStream } from './stream.ts';

export class FilterChain {
  readonly filters: readonly Filter[];
  /** Streams begun and not yet finished. */
  active = 0;
  /** Requests this chain served and its 5xx answers by cause (core/control/snapshot.ts Counts): what a rollout judges a version by. */
  requests = 0;
  filterErrors = 0;
  upstreamErrors = 0;
  #closing = false;

  private constructor(filters: Filter[]) {
    this.filters = filters;
  }

  /** Loads every filter in order (start-up, on_vm_start, on_configure); throws WeftError naming the first that fails. */
  static create(specs: readonly FilterSpec[], services: HostServices = {}): FilterChain {
    const vms = new Map<string, { module: WebAssembly.Module; vm: WasmVm }>();
    const filters: Filter[] = [];
    try {
      for (const spec of specs) {
        const vmId = spec.vmId ?? spec.name;
        const same = vms.get(vmId);
        const filter = new Filter(spec, services, same && same.module === spec.module ? same.vm : undefined);
        if (!same) vms.set(vmId, { module: spec.module, vm: filter.vm });
        filters.push(filter);
      }
    } catch (err) {
      for (const f of filters) f.close();
      throw err;
    }
    return new FilterChain(filters);
  }

  newStream(host: StreamHost): ChainStream {
    this.active++;
    return new ChainStream(host, this.filters, this);
  }

  /** Called by a stream once its last callback ran. */
  streamEnded(): void {
    if (--this.active === 0 && this.#closing) this.close();
  }

  /** After a swap: the chain closes once the streams it already serves have finished. */
  closeWhenIdle(): void {
    this.#closing = true;
    if (this.active === 0) this.close();
  }

  /** Traps counted across the chain's filters. */
  get trapCount(): number {
    let n = 0;
    for (const f of this.filters) n += f.traps;
    return n;
  }

  /** Stops timers and queue watches; streams in flight keep their instances until they finish. */
  close(): void {
    for (const f of this.filters) f.close();
  }
}
