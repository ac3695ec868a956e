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
    writeRealtimeNanos(this, timePtr);
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

/**
 * Writes the wall clock in nanoseconds (microsecond steps) as a u64 at `ptr`, from two u32 halves: filters read it
 * several times a request, and the BigInt arithmetic it took allocated at each read.
 */
export function writeRealtimeNanos(vm: WasmVm, ptr: number): void {
  // Microseconds since the epoch are exact in a double (< 2^53); nanoseconds are not, so the product is split.
  const micros = Math.round((performance.timeOrigin + performance.now()) * 1000);
  const high = Math.floor(micros / 0x1_0000_0000);
  const lowNanos = (micros - high * 0x1_0000_0000) * 1000;
  const carry = Math.floor(lowNanos / 0x1_0000_0000);
  vm.mem.setU32(ptr, lowNanos - carry * 0x1_0000_0000);
  vm.mem.setU32(ptr + 4, high * 1000 + carry);
}
