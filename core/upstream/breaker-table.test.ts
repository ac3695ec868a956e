// The process-wide breaker table: rows per (slot, worker) summed on read, a worker's own rows zeroed alone, slots stable by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVE, allocateBreakerTable, BREAKER_SLOTS, BreakerSlots, BreakerTable, CONNECTIONS } from './breaker-table.ts';

test('each worker adds to its own row; a check sums every row of the slot; a restarted worker zeroes only its own', () => {
  const buffer = allocateBreakerTable(3);
  const workers = [0, 1, 2].map((i) => new BreakerTable(buffer, 3, i));
  const a = workers.map((w) => w.counters(5));
  const other = workers[0].counters(6);
  a[0].add(ACTIVE, 2);
  a[1].add(ACTIVE, 1);
  a[2].add(CONNECTIONS, 4);
  other.add(ACTIVE, 7);
  assert.deepEqual(a.map((c) => c.total(ACTIVE)), [3, 3, 3]);
  assert.equal(a[0].total(CONNECTIONS), 4);
  assert.equal(other.total(ACTIVE), 7);
  workers[1].clearOwnRows();
  assert.equal(a[0].total(ACTIVE), 2);
  assert.equal(a[0].total(CONNECTIONS), 4);
  assert.equal(other.total(ACTIVE), 7);
  // Beyond the table (no slot): this worker's own counters, seen by no other.
  const lone = workers[0].counters(undefined);
  lone.add(ACTIVE, 1);
  assert.equal(lone.total(ACTIVE), 1);
  assert.equal(workers[1].counters(undefined).total(ACTIVE), 0);
});

test('slots are assigned by name, kept across configs, never reused; past the table a cluster has none (reported once)', () => {
  const slots = new BreakerSlots();
  const full: string[] = [];
  assert.deepEqual(slots.assign(['a', 'b'], (n) => full.push(n)), { a: 0, b: 1 });
  assert.deepEqual(slots.assign(['c', 'b'], (n) => full.push(n)), { c: 2, b: 1 });
  assert.deepEqual(slots.assign(['a'], (n) => full.push(n)), { a: 0 });
  const many = Array.from({ length: BREAKER_SLOTS }, (_, i) => `x${i}`);
  const got = slots.assign(many, (n) => full.push(n));
  assert.equal(Object.keys(got).length, BREAKER_SLOTS - 3);
  assert.deepEqual(full, ['x1021', 'x1022', 'x1023']);
  slots.assign(['x1023', 'b'], (n) => full.push(n));
  assert.equal(full.length, 3, 'reported once');
});
