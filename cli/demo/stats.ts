// The demo's live table: each sidecar's /metrics (its inbound route) and /identity, turned into requests/s, success rate, p99 and protocol per service.
import { request } from 'undici';

/** What one scrape of one sidecar found for its inbound route: counters, as Prometheus keeps them. */
export interface Sample {
  at: number;
  total: number;
  /** Answers below 400, gRPC calls that did not end with grpc-status 0 aside. */
  good: number;
  /** gRPC calls among them. */
  grpc: number;
  /** gRPC calls among them that did not end with grpc-status 0. */
  grpcFailed: number;
  /** Cumulative histogram buckets: [upper bound in seconds, count]. */
  buckets: [number, number][];
}

export interface Row {
  service: string;
  rps: number;
  /** 0..1, or undefined when nothing was answered in the window. */
  success: number | undefined;
  p99Ms: number | undefined;
  /** How the service is called: gRPC, HTTP, or '-' before any call. */
  protocol: string;
  identity: string;
}

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

const COUNTED = new Set(['weft_requests_total', 'weft_request_duration_seconds_bucket', 'weft_grpc_requests_total']);

/**
 * Reads the inbound route's request counts, gRPC statuses and duration buckets from Prometheus text (summed over
 * clusters and workers). A gRPC failure is an HTTP 200: its grpc-status says it failed.
 */
export function parseSample(text: string, at: number, route = 'inbound'): Sample {
  const sample: Sample = { at, total: 0, good: 0, grpc: 0, grpcFailed: 0, buckets: [] };
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m || !COUNTED.has(m[1])) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(LABEL)].map((l) => [l[1], l[2]]));
    if (labels.route !== route) continue;
    const value = Number(m[3]);
    if (m[1] === 'weft_grpc_requests_total') {
      sample.grpc += value;
      if (labels.grpc_status !== '0') sample.grpcFailed += value;
    } else if (m[1] === 'weft_requests_total') {
      sample.total += value;
      if (Number(labels.code) < 400) sample.good += value;
    } else {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    }
  }
  sample.good -= sample.grpcFailed;
  sample.buckets = [...buckets].sort((a, b) => a[0] - b[0]);
  return sample;
}

/** The quantile from cumulative bucket counts, interpolated inside its bucket as Prometheus' histogram_quantile does. */
export function quantile(q: number, buckets: [number, number][]): number | undefined {
  const count = buckets.at(-1)?.[1] ?? 0;
  if (count <= 0) return undefined;
  const rank = q * count;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, cumulative] of buckets) {
    if (cumulative >= rank) {
      if (bound === Infinity) return prevBound;
      return prevBound + (bound - prevBound) * ((rank - prevCount) / Math.max(1, cumulative - prevCount));
    }
    prevBound = bound;
    prevCount = cumulative;
  }
  return prevBound;
}

/** The change from `older` to `newer`; a sidecar that restarted (counters went back) counts from zero. */
function delta(older: Sample | undefined, newer: Sample): Sample {
  if (!older || newer.total < older.total) return { ...newer, at: older?.at ?? newer.at };
  const before = new Map(older.buckets);
  return {
    at: older.at,
    total: newer.total - older.total,
    good: newer.good - older.good,
    grpc: newer.grpc - older.grpc,
    grpcFailed: newer.grpcFailed - older.grpcFailed,
    buckets: newer.buckets.map(([le, n]) => [le, n - (before.get(le) ?? 0)]),
  };
}

/** A row from the oldest and newest samples kept: the table covers a few seconds, so p99 is not the single slowest request. */
export function rowOf(service: string, identity: string, older: Sample | undefined, newer: Sample): Row {
  const d = delta(older, newer);
  const seconds = (newer.at - d.at) / 1000;
  const p99 = quantile(0.99, d.buckets);
  return {
    service, identity,
    rps: seconds > 0 ? d.total / seconds : 0,
    success: d.total > 0 ? d.good / d.total : undefined,
    p99Ms: p99 === undefined ? undefined : p99 * 1000,
    protocol: newer.total === 0 ? '-' : newer.grpc > 0 ? 'gRPC' : 'HTTP',
  };
}

export function renderTable(rows: Row[]): string[] {
  const cells = [['SERVICE', 'REQ/S', 'SUCCESS', 'P99', 'PROTOCOL', 'mTLS IDENTITY']];
  for (const r of rows) {
    cells.push([
      r.service,
      r.rps.toFixed(1),
      r.success === undefined ? '-' : `${(r.success * 100).toFixed(1)}%`,
      r.p99Ms === undefined ? '-' : `${r.p99Ms.toFixed(1)} ms`,
      r.protocol,
      r.identity || '(none yet)',
    ]);
  }
  const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  // Numbers right-aligned, text left-aligned, as a reader scans them.
  const right = [false, true, true, true, false, false];
  return cells.map((c) => c.map((v, i) => (right[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('   ').trimEnd());
}

/** One sidecar as the table watches it: a window of samples of its /metrics and its current certificate from /identity. */
export class Watched {
  readonly service: string;
  private readonly admin: string;
  private readonly samples: Sample[] = [];
  private identity = '';
  private readonly window: number;

  constructor(service: string, admin: string, window = 5) {
    this.service = service;
    this.admin = admin;
    this.window = window;
  }

  async scrape(): Promise<void> {
    const [metrics, identity] = await Promise.all([
      request(`${this.admin}/metrics`, { headersTimeout: 2000, bodyTimeout: 2000 }).then((r) => r.body.text()),
      request(`${this.admin}/identity`, { headersTimeout: 2000, bodyTimeout: 2000 }).then(async (r) => (r.statusCode === 200 ? await r.body.json() as { spiffeId: string } : undefined)),
    ]);
    this.samples.push(parseSample(metrics, Date.now()));
    if (this.samples.length > this.window + 1) this.samples.shift();
    this.identity = identity?.spiffeId ?? '';
  }

  row(): Row {
    const newest = this.samples.at(-1) ?? { at: Date.now(), total: 0, good: 0, grpc: 0, grpcFailed: 0, buckets: [] };
    return rowOf(this.service, this.identity, this.samples.length > 1 ? this.samples[0] : undefined, newest);
  }
}
