// A serving thread collects once when its requests stop, not while they come and not again until more have come.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { IdleCollector } from './idle-collect.ts';

test('one collection at the first quiet look after traffic, none while requests come or when nothing came', () => {
  let requests = 0;
  let collections = 0;
  const idle = new IdleCollector(() => requests, () => collections++);
  assert.equal(idle.look(), false, 'no traffic yet: nothing to give back');
  requests = 40;
  assert.equal(idle.look(), false, 'requests came since the last look');
  requests = 90;
  assert.equal(idle.look(), false);
  assert.equal(idle.look(), true, 'quiet now: one collection');
  assert.equal(idle.look(), false, 'still quiet: not again');
  assert.equal(collections, 1);
  requests = 91;
  assert.equal(idle.look(), false);
  assert.equal(idle.look(), true, 'a new burst, a new collection when it ends');
  assert.equal(collections, 2);
});

test('the collection is a real major one, with no --expose-gc and no global gc left behind', async () => {
  const kinds: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) kinds.push(((e as { detail?: { kind?: number } }).detail)?.kind ?? -1);
  });
  obs.observe({ entryTypes: ['gc'] });
  try {
    const requests = 1;
    const idle = new IdleCollector(() => requests);
    idle.look();
    assert.equal(idle.look(), true);
    // GC entries are delivered after this turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(kinds.includes(constants.NODE_PERFORMANCE_GC_MAJOR), `a major collection ran: kinds ${kinds.join(', ')}`);
    assert.equal((globalThis as { gc?: unknown }).gc, undefined);
  } finally {
    obs.disconnect();
  }
});
