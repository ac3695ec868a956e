// Tests of the add-header example, run in the real proxy-wasm host and chain with no network.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FilterHarness } from '../../tools/harness.ts';
import { validateFilterConfig } from '../../tools/inspect.ts';

let filter: FilterHarness;
before(async () => {
  filter = await FilterHarness.fromFolder(import.meta.dirname, { config: { name: 'x-tenant', value: 'blue' } });
});
after(() => filter.close());

test('the upstream receives the configured header and the client the marker', async () => {
  const exchange = await filter.exchange({ path: '/orders' }, { status: 201, body: 'created' });
  assert.equal(exchange.upstream?.header('x-tenant'), 'blue');
  assert.equal(exchange.upstream?.header(':path'), '/orders');
  assert.equal(exchange.response.status, 201);
  assert.equal(exchange.response.header('x-filtered-by'), 'add-header');
  assert.equal(exchange.response.body, 'created');
  assert.equal(exchange.localReply, null);
});

test('a header the client already sent is replaced, not duplicated', async () => {
  const exchange = await filter.exchange({ headers: [['x-tenant', 'red'], ['x-tenant', 'green']] });
  assert.deepEqual(exchange.upstream?.headerValues('x-tenant'), ['blue']);
});

test('every request is counted', async () => {
  const before = filter.metric('add_header_requests_total') ?? 0;
  await filter.exchange();
  await filter.exchange();
  assert.equal(filter.metric('add_header_requests_total'), before + 2);
});

test('the module describes itself and its schema accepts only complete configs', () => {
  assert.equal(filter.metadata?.name, 'add-header');
  assert.equal(filter.metadata?.version, '1.0.0');
  assert.deepEqual(validateFilterConfig(filter.metadata!, '{"name":"x-a","value":"1"}'), []);
  assert.match(validateFilterConfig(filter.metadata!, '{"name":"x-a"}').join('\n'), /value/);
});

test('a configuration without a header name is rejected at load', async () => {
  await assert.rejects(FilterHarness.fromBytes(filter.bytes, { config: { value: 'x' } }), /proxy_on_configure returned false/);
  await assert.rejects(FilterHarness.fromBytes(filter.bytes, { config: 'not json' }), /proxy_on_configure returned false/);
});
