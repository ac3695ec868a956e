// Tests of the rate-limit example: token buckets in the host's shared data, no network.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FilterHarness } from '../../tools/harness.ts';

let filter: FilterHarness;
before(async () => {
  // A refill rate this slow keeps the test independent of the clock.
  filter = await FilterHarness.fromFolder(import.meta.dirname, { config: { requestsPerSecond: 0.001, burst: 2, keyHeader: 'x-client' } });
});
after(() => filter.close());

async function statusFor(client: string): Promise<number> {
  return (await filter.exchange({ headers: { 'x-client': client } })).response.status;
}

test('a client gets its burst, then 429 with retry-after', async () => {
  assert.equal(await statusFor('a'), 200);
  assert.equal(await statusFor('a'), 200);
  const limited = await filter.exchange({ headers: { 'x-client': 'a' } });
  assert.deepEqual(limited.localReply, { status: 429, details: 'rate_limited' });
  assert.equal(limited.response.header('retry-after'), '1000');
  assert.equal(filter.metric('rate_limit_limited_total'), 1);
});

test('clients have separate buckets', async () => {
  assert.equal(await statusFor('b'), 200);
});

test('two filter instances sharing data draw from one bucket, as workers do', async () => {
  const config = { requestsPerSecond: 0.001, burst: 3, keyHeader: 'x-client' };
  const first = await FilterHarness.fromBytes(filter.bytes, { config });
  const second = await FilterHarness.fromBytes(filter.bytes, { config, shared: first.shared });
  try {
    const statuses = [];
    for (const worker of [first, second, first, second]) statuses.push((await worker.exchange({ headers: { 'x-client': 'c' } })).response.status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  } finally {
    first.close();
    second.close();
  }
});
