// Host functions for metrics a filter defines: define, increment, record, get (i64 arguments arrive as BigInt).
import { MetricType, Status } from './abi.ts';
import type { WasmVm } from './vm.ts';

export const metricsHost = {
  proxy_define_metric(this: WasmVm, type: number, namePtr: number, nameLen: number, idPtr: number): number {
    if (type !== MetricType.Counter && type !== MetricType.Gauge && type !== MetricType.Histogram) return Status.BadArgument;
    const id = this.metrics.define(type, this.mem.string(namePtr, nameLen));
    if (id === 0) return Status.BadArgument;
    this.mem.setU32(idPtr, id);
    return Status.Ok;
  },

  proxy_increment_metric(this: WasmVm, id: number, delta: bigint): number {
    return this.metrics.increment(id >>> 0, delta);
  },

  proxy_record_metric(this: WasmVm, id: number, value: bigint): number {
    return this.metrics.record(id >>> 0, BigInt.asUintN(64, value));
  },

  proxy_get_metric(this: WasmVm, id: number, valuePtr: number): number {
    const value = this.metrics.get(id >>> 0);
    if (value === undefined) return this.metrics.has(id >>> 0) ? Status.BadArgument : Status.NotFound;
    this.mem.setU64(valuePtr, value);
    return Status.Ok;
  },
};
