// The retry backoff with the randomness under the test's control: full jitter, doubling per retry up to the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, compileRetryPolicy } from './retry-policy.ts';

const policy = compileRetryPolicy({ attempts: 5, on: ['503'], perTryTimeoutMs: undefined, nonIdempotent: false, backoffBaseMs: 25, backoffMaxMs: 100 });

test('a retry waits a random share of its ceiling: base × 2^(n-1), capped', (t) => {
  t.mock.method(Math, 'random', () => 0.5);
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n)), [12.5, 25, 50, 50, 50]);
});

test('the whole range from no wait to just under the ceiling is used ("full jitter")', (t) => {
  const random = t.mock.method(Math, 'random', () => 0);
  assert.equal(backoffMs(policy, 3), 0);
  random.mock.mockImplementation(() => 0.999);
  assert.ok(backoffMs(policy, 3) < 100 && backoffMs(policy, 3) > 99);
});
