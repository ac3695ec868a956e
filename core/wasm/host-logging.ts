// Host functions for logging, the log level, the clock and tick timers.
import { Status } from './abi.ts';
import type { RootContext } from './context.ts';
import type { WasmVm } from './vm.ts';

export const loggingHost = {
  proxy_log(this: WasmVm, level: number, ptr: number, len: number): number {
    if (level < 0 || level > 5) return Status.BadArgument;
    this.log(level, this.mem.string(ptr, len));
    return Status.Ok;
  },

  proxy_get_log_level(this: WasmVm, levelPtr: number): number {
    this.mem.setU32(levelPtr, this.services.logLevel ?? 2);
    return Status.Ok;
  },

  proxy_get_current_time_nanoseconds(this: WasmVm, timePtr: number): number {
    this.mem.setU64(timePtr, realtimeNanos());
    return Status.Ok;
  },

  /** Ticks go to the root context that asked; 0 stops them. */
  proxy_set_tick_period_milliseconds(this: WasmVm, ms: number): number {
    const root = this.root;
    if (!root) return Status.NotFound;
    if (root.tickTimer) clearInterval(root.tickTimer);
    root.tickTimer = null;
    const period = ms >>> 0;
    if (period === 0) return Status.Ok;
    root.tickTimer = setInterval(tick, period, this, root);
    root.tickTimer.unref();
    return Status.Ok;
  },
};

function tick(vm: WasmVm, root: RootContext): void {
  if (!vm.roots.has(root.id)) return;
  try {
    vm.tick(root);
  } catch (err) {
    vm.rootTrapped(err);
  }
}

export function realtimeNanos(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
