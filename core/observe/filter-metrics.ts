// Metrics defined by filters (proxy-wasm define_metric) in prom-client's JSON shape, so /metrics merges them with the rest.
import type { MetricSample } from '../wasm/metrics.ts';

type Labels = Record<string, string | number>;
interface Value { value: number; labels: Labels; metricName?: string }
/** `aggregator`: how the main thread merges the workers' values (prom-client's: sum, or min / max for a gauge every worker must agree on). */
export interface MetricJson { name: string; help: string; type: string; values: Value[]; aggregator: 'sum' | 'min' | 'max' }

/** A filter may carry labels in the name, Prometheus style: `orders_total{verb="get"}`. */
export function splitName(full: string): { name: string; labels: Labels } {
  const brace = full.indexOf('{');
  if (brace < 0 || !full.endsWith('}')) return { name: sanitize(full), labels: {} };
  const labels: Labels = {};
  for (const m of full.slice(brace + 1, -1).matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) labels[m[1]] = m[2];
  return { name: sanitize(full.slice(0, brace)), labels };
}

/** Envoy-style dotted names become valid Prometheus names. */
function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_:]/g, '_');
}

export function filterMetricsJson(samples: MetricSample[]): MetricJson[] {
  const families = new Map<string, MetricJson>();
  for (const s of samples) {
    const { name, labels } = splitName(s.name);
    let fam = families.get(name);
    if (!fam) {
      fam = { name, help: `Defined by a filter (${s.type})`, type: s.type, values: [], aggregator: 'sum' };
      families.set(name, fam);
    }
    if (s.type !== 'histogram') {
      fam.values.push({ value: s.value, labels });
      continue;
    }
    for (const [le, count] of s.buckets ?? []) {
      fam.values.push({ value: count, labels: { ...labels, le: le === Infinity ? '+Inf' : le }, metricName: `${name}_bucket` });
    }
    fam.values.push({ value: s.sum ?? 0, labels, metricName: `${name}_sum` });
    fam.values.push({ value: s.count ?? 0, labels, metricName: `${name}_count` });
  }
  return [...families.values()];
}
