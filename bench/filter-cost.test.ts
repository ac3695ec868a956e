// The per-filter cost loop drives the bench's request through the built-in filters, and refuses a chain that does not let it through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chainOf, exchange, filterCost } from './filter-cost.ts';

test('the bench request passes the four built-in filters chained, and one filter gets a cost per request', async () => {
  const four = await chainOf(['telemetry', 'auth', 'ratelimit', 'router']);
  try {
    assert.equal(four.filters.length, 4);
    exchange(four);
  } finally {
    four.close();
  }
  const rows = await filterCost(200, ['router']);
  assert.deepEqual(rows.map((r) => r.case), ['no filter (the harness)', 'router']);
  for (const row of rows) assert.ok(row.nsPerRequest > 0, row.case);
});

test('a request the chain refuses fails the loop instead of being timed as a fast answer', async () => {
  const auth = await chainOf(['auth']);
  try {
    assert.throws(() => exchange(auth, {}), /did not pass the chain: .*local:401/);
  } finally {
    auth.close();
  }
});
