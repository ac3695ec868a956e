// Tests of the deny-by-header example, run in the real proxy-wasm host and chain with no network.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FilterHarness } from '../../tools/harness.ts';

let filter: FilterHarness;
before(async () => {
  filter = await FilterHarness.fromFolder(import.meta.dirname, { config: { header: 'X-Block', values: ['1', 'yes'] } });
});
after(() => filter.close());

test('a request with a denied value gets a local 403 and never reaches the upstream', async () => {
  const exchange = await filter.exchange({ headers: { 'x-block': '1' } });
  assert.equal(exchange.upstream, null);
  assert.deepEqual(exchange.localReply, { status: 403, details: 'denied_by_header' });
  assert.equal(exchange.response.status, 403);
  assert.equal(exchange.response.body, 'denied\n');
  assert.equal(exchange.response.header('content-type'), 'text/plain');
});

test('other values and requests without the header pass through', async () => {
  const cases: Record<string, string>[] = [{ 'x-block': 'no' }, {}];
  for (const headers of cases) {
    const exchange = await filter.exchange({ headers }, { status: 200, body: 'hello' });
    assert.equal(exchange.localReply, null);
    assert.equal(exchange.upstream?.header(':path'), '/');
    assert.equal(exchange.response.body, 'hello');
  }
});

test('each denial is logged and counted', async () => {
  const denied = filter.metric('deny_by_header_denied_total') ?? 0;
  const logged = filter.logs.length;
  await filter.exchange({ headers: { 'x-block': 'yes' } });
  assert.equal(filter.metric('deny_by_header_denied_total'), denied + 1);
  assert.deepEqual(filter.logs.slice(logged), [{ level: 2, message: 'deny-by-header: denied a request with x-block: yes' }]);
});

test('without a values list any value is denied, with the configured status and body', async () => {
  const strict = await FilterHarness.fromBytes(filter.bytes, { config: { header: 'x-debug', status: 451, body: 'no' } });
  try {
    const exchange = await strict.exchange({ headers: { 'x-debug': 'anything' } });
    assert.equal(exchange.response.status, 451);
    assert.equal(exchange.response.body, 'no');
  } finally {
    strict.close();
  }
});
