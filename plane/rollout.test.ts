// The rollout controller's decisions on given counts: judged per step, restarts of a proxy, holding without traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance } from './rollout.ts';
import type { NodeStats, RolloutRecord } from './model.ts';

const base: RolloutRecord = {
  filter: 'auth', from: '1', to: '2', percent: 10, step: 30, intervalMs: 1000, maxErrorRate: 0.1, minRequests: 10,
  phase: 'running', reason: '', startedAt: 0, stepStartedAt: 0, baseline: {}, history: [],
};
const stats = (requests: number, errors: number): NodeStats => ({ at: 0, counts: [{ filter: 'auth', version: '2', requests, errors }] });

test('a step is judged only on the requests since it began', () => {
  const r = { ...base, baseline: { a: { requests: 1000, errors: 500 } } };
  // 500 old errors before the step; none since: promote after the interval.
  const next = advance(r, [stats(1100, 500)], ['a'], 1000)!;
  assert.equal(next.phase, 'running');
  assert.equal(next.percent, 40);
  assert.deepEqual(next.baseline, { a: { requests: 1100, errors: 500 } });
  assert.match(next.reason, /0 errors in 100 requests/);
});

test('a proxy whose counters went back (it restarted) counts from zero', () => {
  const r = { ...base, baseline: { a: { requests: 1000, errors: 0 } } };
  const next = advance(r, [stats(20, 20)], ['a'], 10)!;
  assert.equal(next.phase, 'rolled_back');
  assert.match(next.reason, /20 errors in 20 requests/);
});

test('the error rate rolls back at once, before the interval is over', () => {
  const next = advance(base, [stats(6, 1), stats(6, 1)], ['a', 'b'], 1)!;
  assert.equal(next.phase, 'rolled_back');
  assert.match(next.reason, /rolled back at 10%: auth@2 had 2 errors in 12 requests \(rate 0\.167, limit 0\.1\)/);
});

test('too few requests to judge: nothing before the interval, then it holds and says why', () => {
  assert.equal(advance(base, [stats(5, 5)], ['a'], 500), null, 'five errors are not enough to judge');
  const held = advance(base, [stats(5, 0)], ['a'], 1000)!;
  assert.equal(held.percent, 10);
  assert.match(held.reason, /holding at 10%: 5 of the 10 requests needed/);
  assert.equal(advance(held, [stats(5, 0)], ['a'], 2000), null, 'the same reason is not written again');
});

test('at 100% a clean interval promotes', () => {
  const r = { ...base, percent: 100 };
  const next = advance(r, [stats(50, 0)], ['a'], 1000)!;
  assert.equal(next.phase, 'promoted');
  assert.deepEqual(next.history.at(-1), { at: 1000, percent: 100, event: 'promoted' });
});
