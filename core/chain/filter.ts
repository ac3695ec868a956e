// One configured filter in one worker: its VM and root context, its fail policy, trap accounting and reload with backoff.
import { ErrorCodes, WeftError } from '../errors.ts';
import type { RootContext } from '../wasm/context.ts';
import type { HostServices, TrapEvent } from '../wasm/stream-host.ts';
import { WasmTrap } from '../wasm/trap.ts';
import { WasmVm } from '../wasm/vm.ts';

export type FailPolicy = 'closed' | 'open' | 'reload';

export interface FilterSpec {
  name: string;
  module: WebAssembly.Module;
  /** Root id the module dispatches on; default the name. */
  rootId?: string;
  /** Filters with the same vmId and module share one instance; default the name. */
  vmId?: string;
  version?: string;
  config?: string | Uint8Array;
  vmConfig?: string | Uint8Array;
  env?: Record<string, string>;
  failPolicy?: FailPolicy;
  fuelPerCallback?: number;
}

/** First reload delay; it doubles while reloads keep failing, up to RELOAD_MAX_MS. */
export const RELOAD_MIN_MS = 1000;
export const RELOAD_MAX_MS = 30_000;

export class Filter {
  readonly spec: FilterSpec;
  readonly name: string;
  readonly version: string;
  readonly policy: FailPolicy;
  readonly services: HostServices;
  vm: WasmVm;
  root: RootContext;
  traps = 0;
  /** Set when the instance is unusable (reload policy after a trap) until `reloadAt`. */
  broken = false;
  reloadAt = 0;
  #backoff = RELOAD_MIN_MS;

  constructor(spec: FilterSpec, services: HostServices, shared?: WasmVm) {
    this.spec = spec;
    this.name = spec.name;
    this.version = spec.version ?? '';
    this.policy = spec.failPolicy ?? 'closed';
    this.services = services;
    [this.vm, this.root] = this.#load(shared);
  }

  /** True when streams may use the filter; a broken reload-policy filter reloads here once its backoff has passed. */
  ready(): boolean {
    if (!this.broken) return true;
    if (Date.now() < this.reloadAt) return false;
    try {
      const [vm, root] = this.#load();
      this.vm.close();
      this.vm = vm;
      this.root = root;
      this.broken = false;
      this.#backoff = RELOAD_MIN_MS;
      return true;
    } catch (err) {
      this.#report({ filter: this.name, version: this.version, callback: 'reload', message: (err as Error).message, policy: this.policy, cause: 'reload_failed' });
      this.reloadAt = Date.now() + this.#backoff;
      this.#backoff = Math.min(this.#backoff * 2, RELOAD_MAX_MS);
      return false;
    }
  }

  /** Counts and reports a fault (a trap, or an invalid header); under the reload policy the instance is replaced on a later stream. */
  trapped(trap: WasmTrap): void {
    this.traps++;
    this.#report({ filter: this.name, version: this.version, callback: trap.callback, message: trap.reason, policy: this.policy,
      cause: trap.kind, header: trap.kind === 'invalid_header' ? trap.header : undefined, said: trap.said || undefined });
    if (this.policy === 'reload' && !this.broken) {
      this.broken = true;
      this.reloadAt = Date.now() + this.#backoff;
    }
  }

  close(): void {
    this.vm.close();
  }

  #report(event: TrapEvent): void {
    // One report per fault: structured through onTrap when the host listens (it counts and logs them), else as a log line.
    if (this.services.onTrap) this.services.onTrap(event);
    else if (this.services.log) this.services.log(4, this.name, `filter ${this.name}@${this.version || '-'} failed in ${event.callback}: ${event.message}${event.said ? ` (it said: ${event.said})` : ''}`);
  }

  #load(shared?: WasmVm): [WasmVm, RootContext] {
    const spec = this.spec;
    const fail = (what: string): never => {
      throw new WeftError(ErrorCodes.WASM_START_FAILED, `filter ${spec.name}: ${what}`);
    };
    let vm = shared;
    try {
      if (!vm) {
        vm = new WasmVm(spec.module, { vmId: spec.vmId ?? spec.name, vmConfig: spec.vmConfig, env: spec.env,
          services: this.services, fuelPerCallback: spec.fuelPerCallback, name: spec.name });
        vm.start();
      }
      const started = vm.createRoot({ name: spec.name, rootId: spec.rootId, config: spec.config });
      if (!started.ok) fail(`${started.failedIn} returned false`);
      vm.onRootTrap = (trap) => this.trapped(trap);
      return [vm, started.root];
    } catch (err) {
      if (err instanceof WeftError) throw err;
      return fail(err instanceof WasmTrap ? `trapped in ${err.describe()}` : (err as Error).message);
    }
  }
}
