// Metrics with Prometheus labels: proxy-wasm metrics have none, so the label set travels in the name (`name{k="v"}`).
import { Counter, Histogram } from "../../../sdk/assembly/index";

/** `key="value"` with the value escaped as the Prometheus text format requires. */
export function label(key: string, value: string): string {
  return key + "=\"" + value.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"").replaceAll("\n", "\\n") + "\"";
}

/** A counter per label set, each defined with the host the first time that label set is used. */
export class CounterFamily {
  private members: Map<string, Counter> = new Map<string, Counter>();

  constructor(public readonly name: string) {}

  /** The counter for `labels` (`a="1",b="2"`, as `label` builds them; "" for none). */
  with(labels: string): Counter {
    if (this.members.has(labels)) return this.members.get(labels);
    const counter = new Counter(labels.length == 0 ? this.name : this.name + "{" + labels + "}");
    this.members.set(labels, counter);
    return counter;
  }
}

/** A histogram per label set, like CounterFamily. */
export class HistogramFamily {
  private members: Map<string, Histogram> = new Map<string, Histogram>();

  constructor(public readonly name: string) {}

  with(labels: string): Histogram {
    if (this.members.has(labels)) return this.members.get(labels);
    const histogram = new Histogram(labels.length == 0 ? this.name : this.name + "{" + labels + "}");
    this.members.set(labels, histogram);
    return histogram;
  }
}
