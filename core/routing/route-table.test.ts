// Route matching on the request's host: port dropped, case ignored, HTTP/2's :authority read as Host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteTable } from './route-table.ts';
import { normalizeRoute } from '../config/normalize.ts';
import type { Cluster } from '../upstream/cluster.ts';
import { TrafficBook } from '../observe/traffic.ts';

const clusters = new Map([['orders', { name: 'orders' } as Cluster], ['other', { name: 'other' } as Cluster]]);
const traffic = new TrafficBook().listener('test', false);
const table = new RouteTable([
  normalizeRoute({ name: 'by-host', cluster: 'orders', match: { host: 'Orders' } }, 0),
  normalizeRoute({ name: 'rest', cluster: 'other' }, 1),
], clusters, traffic);
const routed = (raw: string[]) => table.match('GET', '/', raw)?.name;

test('match.host compares the Host header without its port, case-insensitively', () => {
  assert.equal(routed(['Host', 'orders']), 'by-host');
  assert.equal(routed(['host', 'ORDERS:15001']), 'by-host');
  assert.equal(routed(['Host', 'orders.example']), 'rest');
  assert.equal(routed(['Host', 'payments']), 'rest');
  assert.equal(routed([]), 'rest');
});

test('HTTP/2 requests are matched on :authority; an IPv6 literal keeps its brackets', () => {
  assert.equal(routed([':authority', 'orders:80']), 'by-host');
  const v6 = new RouteTable([normalizeRoute({ cluster: 'orders', match: { host: '[::1]' } }, 0)], clusters, traffic);
  assert.equal(v6.match('GET', '/', ['host', '[::1]:8080'])?.cluster.name, 'orders');
});
