// Tests of the body-redact example, run in the real proxy-wasm host and chain with no network.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FilterHarness } from '../../tools/harness.ts';

let filter: FilterHarness;
before(async () => {
  filter = await FilterHarness.fromFolder(import.meta.dirname, { config: { words: ['secret', 'hunter2'] } });
});
after(() => filter.close());

test('configured words are replaced in a text body, even across chunks', async () => {
  const exchange = await filter.exchange({}, {
    headers: { 'content-type': 'text/plain', 'content-length': '21' },
    body: ['the sec', 'ret is hun', 'ter2'],
  });
  assert.equal(exchange.response.body, 'the [redacted] is [redacted]');
  assert.equal(exchange.response.header('content-length'), undefined);
});

test('a body followed by trailers is redacted once the trailers arrive', async () => {
  const exchange = await filter.exchange({}, {
    headers: { 'content-type': 'text/plain' }, body: ['a secret', ' here'], trailers: { 'x-checksum': 'abc' },
  });
  assert.equal(exchange.response.body, 'a [redacted] here');
  assert.equal(exchange.response.trailers?.find(([name]) => name === 'x-checksum')?.[1], 'abc');
});

test('replacements are counted', async () => {
  const before = filter.metric('body_redact_redactions_total') ?? 0;
  await filter.exchange({}, { headers: { 'content-type': 'application/json' }, body: '{"password":"hunter2"}' });
  assert.equal(filter.metric('body_redact_redactions_total'), before + 1);
});

test('non-text bodies pass through byte for byte', async () => {
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74);
  const exchange = await filter.exchange({}, { headers: { 'content-type': 'image/png', 'content-length': '10' }, body: png });
  assert.deepEqual(exchange.response.bodyBytes, png);
  assert.equal(exchange.response.header('content-length'), '10');
});

test('the request body is not touched', async () => {
  const exchange = await filter.exchange({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'my secret' });
  assert.equal(exchange.upstream?.body, 'my secret');
});

test('a configuration without words is rejected', async () => {
  await assert.rejects(FilterHarness.fromBytes(filter.bytes, { config: { words: [] } }), /proxy_on_configure returned false/);
});
