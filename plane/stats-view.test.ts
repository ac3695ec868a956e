// GET /v1/stats from kept reports: a rollout's canary chain gets its own route row, series points fall in their step, edges seen from both ends count once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketOf } from '../core/observe/latency.ts';
import type { TrafficRecord } from '../core/observe/summary.ts';
import type { StoredReport } from './stats.ts';
import { statsView } from './stats-view.ts';

function record(over: Partial<TrafficRecord>): TrafficRecord {
  return {
    listener: 'inbound', direction: 'inbound', route: 'inbound', cluster: 'inbound', callee: '', caller: '', mtls: false, filters: [], protocol: 'http',
    requests: 10, failures: 0, statuses: { 200: 10 }, errors: {}, grpc: {}, retries: 0, latency: [[bucketOf(0.002), 10]], seconds: 0.02, bytesIn: 0, bytesOut: 0,
    ...over,
  };
}

const report = (at: number, service: string, traffic: TrafficRecord[]): StoredReport =>
  ({ at, node: `${service}-1`, service, sidecar: true, traffic, authz: [], clusters: [], bytes: 100 });

interface View {
  services: { service: string; requests: number; routes: { filters: string[]; requests: number; successRate: number }[]; series: { at: number; rps: number }[] }[];
  edges: { from: string; to: string; requests: number; mtls: boolean }[];
}

test('a canary chain is a route row of its own; series points land in their 5 s step; an edge reported by both ends counts once', () => {
  const now = 1_000_000;
  const orders = 'spiffe://td/ns/default/sa/orders';
  const view = statsView([
    report(now - 50_000, 'payments', [record({ filters: ['auth@1'], caller: orders, mtls: true })]),
    report(now - 2_000, 'payments', [record({ filters: ['auth@2'], caller: orders, mtls: true, failures: 5, statuses: { 200: 5, 503: 5 } })]),
    report(now - 2_000, 'orders', [record({ listener: 'outbound', direction: 'outbound', route: 'outbound:payments', cluster: 'outbound:payments', callee: 'payments', mtls: true, requests: 20 })]),
  ], now, 60_000, 5_000) as View;
  const payments = view.services.find((s) => s.service === 'payments')!;
  assert.equal(payments.requests, 20);
  assert.deepEqual(payments.routes.map((r) => [r.filters, r.requests, r.successRate]).sort(), [[['auth@1'], 10, 1], [['auth@2'], 10, 0.5]]);
  assert.equal(payments.series.length, 12);
  assert.deepEqual(payments.series.map((p) => p.rps), [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
  // orders reports the call itself: the callee's inbound view of the same calls adds no second edge.
  assert.deepEqual(view.edges.map((e) => [e.from, e.to, e.requests, e.mtls]), [['orders', 'payments', 20, true]]);
});
