// Traffic cells, their deltas and how summaries merge: what a proxy reports is what it served, once, whichever worker served it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketOf, bucketRange, LATENCY_BOUNDS, quantile } from './latency.ts';
import { mergeSummary, emptySummary } from './summary.ts';
import { TrafficBook } from './traffic.ts';
import type { Cluster } from '../upstream/cluster.ts';

const cluster = (name: string, service?: string) => ({ name, settings: { service, peerIdentities: service ? ['spiffe://td/ns/default/sa/x'] : undefined } }) as unknown as Cluster;

test('latency buckets: each duration falls in the first bucket whose bound holds it; a percentile stays inside its bucket', () => {
  assert.equal(bucketOf(0), 0);
  assert.equal(LATENCY_BOUNDS[bucketOf(0.001)], 0.001);
  assert.equal(bucketOf(1000), LATENCY_BOUNDS.length, 'past the last bound: +Inf');
  const h = new Map<number, number>();
  for (let i = 1; i <= 100; i++) h.set(bucketOf(i / 1000), (h.get(bucketOf(i / 1000)) ?? 0) + 1);
  for (const [q, want] of [[0.5, 0.05], [0.99, 0.099]] as const) {
    const got = quantile(q, h)!;
    const { lower, upper } = bucketRange(want);
    assert.ok(got >= lower && got <= upper, `p${q * 100}: ${got} in (${lower}, ${upper}]`);
  }
  assert.equal(quantile(0.5, new Map()), undefined);
});

test('a cell reports what came since the last take, then nothing until more comes', () => {
  const book = new TrafficBook();
  const route = book.listener('outbound', false).route('r', cluster('outbound:payments', 'payments'), undefined);
  const c = cluster('outbound:payments', 'payments');
  const cell = route.cell(undefined, c, undefined);
  assert.equal(route.cell(undefined, c, undefined), cell, 'one cell per route, cluster, chain and caller');
  cell.record(200, 0.002, '', undefined, 0, 10, 20);
  cell.record(503, 0.010, 'WEFT_ERR_UPSTREAM_CONNECT', undefined, 2, 10, 0);
  cell.record(200, 0.004, '', '14', 0, 10, 20);
  const [first] = book.take();
  assert.deepEqual({ ...first, latency: undefined }, {
    listener: 'outbound', direction: 'outbound', route: 'r', cluster: 'outbound:payments', callee: 'payments', caller: '', mtls: true,
    filters: [], protocol: 'http', requests: 3, failures: 2, statuses: { 200: 2, 503: 1 }, errors: { WEFT_ERR_UPSTREAM_CONNECT: 1 },
    grpc: { 14: 1 }, retries: 2, latency: undefined, seconds: first.seconds, bytesIn: 30, bytesOut: 40,
  });
  assert.equal(first.latency.reduce((n, [, k]) => n + k, 0), 3);
  assert.deepEqual(book.take(), []);
  cell.record(200, 0.002, 'a filter\'s free-text reason', undefined, 0, 0, 0);
  const [second] = book.take();
  assert.equal(second.requests, 1);
  assert.deepEqual(second.errors, {}, 'only WEFT_ERR codes are counted');
});

test('inbound cells are kept by caller, and count as mTLS once the caller proved an identity', () => {
  const book = new TrafficBook();
  const inbound = book.listener('inbound', true);
  const app = cluster('inbound');
  const route = inbound.route('inbound', app, undefined);
  route.cell(undefined, app, 'spiffe://td/ns/default/sa/orders').record(200, 0.001, '', undefined, 0, 0, 0);
  route.cell(undefined, app, undefined).record(200, 0.001, '', undefined, 0, 0, 0);
  inbound.unrouted('inbound', 'spiffe://td/ns/default/sa/orders').record(403, 0.0001, 'WEFT_ERR_AUTHZ_DENIED', undefined, 0, 0, 0);
  const got = book.take().map((r) => [r.route, r.cluster, r.caller, r.mtls, r.requests]);
  assert.deepEqual(got, [
    ['inbound', 'inbound', 'spiffe://td/ns/default/sa/orders', true, 1],
    ['inbound', 'inbound', '', false, 1],
    ['inbound', '', 'spiffe://td/ns/default/sa/orders', true, 1],
  ]);
});

test('summaries of two workers merge by key; a summary not taken by the plane adds into the next', () => {
  const books = [new TrafficBook(), new TrafficBook()];
  const c = cluster('app');
  for (const [i, b] of books.entries()) {
    const cell = b.listener('inbound', false).route('r', c, undefined).cell(undefined, c, undefined);
    for (let k = 0; k <= i; k++) cell.record(200, 0.001, '', undefined, 0, 1, 1);
  }
  const merged = emptySummary('orders');
  for (const b of books) mergeSummary(merged, { traffic: b.take(), authz: [{ service: 'orders', decision: 'deny', rule: 'x', count: 1 }], clusters: [] });
  assert.equal(merged.traffic.length, 1);
  assert.equal(merged.traffic[0].requests, 3);
  assert.deepEqual(merged.traffic[0].latency, [[bucketOf(0.001), 3]]);
  assert.deepEqual(merged.authz, [{ service: 'orders', decision: 'deny', rule: 'x', count: 2 }]);
  assert.equal(merged.service, 'orders');
});
