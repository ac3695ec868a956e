// Counters, gauges and histograms the host exports with its own metrics.
import { proxyDefineMetric, proxyGetMetric, proxyIncrementMetric, proxyRecordMetric } from "./abi/imports";
import { outWide, room, stage, stageBegin, stagedSize } from "./abi/memory";
import { MetricType, Status } from "./types";

/**
 * A named metric, defined with the host on first use: metrics are usually module-level constants,
 * and the host refuses definitions while the module is still initializing.
 */
export class Metric {
  private metricId: u32 = 0;
  private defineStatus: Status = Status.NotFound;

  constructor(public readonly name: string, public readonly metricType: MetricType) {}

  /** Defines the metric with the host if not done yet; Ok once it exists. */
  define(): Status {
    if (this.defineStatus == Status.Ok) return Status.Ok;
    stageBegin(room(this.name));
    const encoded = stage(this.name);
    store<u32>(outWide, 0);
    this.defineStatus = proxyDefineMetric(this.metricType, encoded, stagedSize, outWide);
    if (this.defineStatus == Status.Ok) this.metricId = load<u32>(outWide);
    return this.defineStatus;
  }

  /** The metric's current value as the host holds it, or 0 when it cannot be read. */
  value(): u64 {
    if (this.define() != Status.Ok) return 0;
    store<u64>(outWide, 0);
    if (proxyGetMetric(this.metricId, outWide) != Status.Ok) return 0;
    return load<u64>(outWide);
  }

  protected incrementBy(offset: i64): Status {
    const status = this.define();
    return status != Status.Ok ? status : proxyIncrementMetric(this.metricId, offset);
  }

  protected recordValue(value: u64): Status {
    const status = this.define();
    return status != Status.Ok ? status : proxyRecordMetric(this.metricId, value);
  }
}

/** A count that only goes up: requests seen, requests denied. */
export class Counter extends Metric {
  constructor(name: string) { super(name, MetricType.Counter); }

  /** Adds `delta` (1 by default). */
  increment(delta: u64 = 1): Status { return this.incrementBy(<i64>delta); }
}

/** A value that goes up and down: requests in flight, tokens left. */
export class Gauge extends Metric {
  constructor(name: string) { super(name, MetricType.Gauge); }

  /** Sets the gauge to `value`. */
  set(value: i64): Status { return this.recordValue(<u64>value); }

  /** Moves the gauge by `delta`, which may be negative. */
  add(delta: i64): Status { return this.incrementBy(delta); }
}

/** A distribution of observations: latencies, body sizes. */
export class Histogram extends Metric {
  constructor(name: string) { super(name, MetricType.Histogram); }

  /** Records one observation. */
  record(value: u64): Status { return this.recordValue(value); }
}
