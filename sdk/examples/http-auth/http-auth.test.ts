// Tests of the http-auth example: the auth service is a cluster stand-in in the harness, so no network is used.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FilterHarness } from '../../tools/harness.ts';
import type { CallRequest } from '../../tools/harness.ts';

const calls: CallRequest[] = [];
let filter: FilterHarness;
before(async () => {
  filter = await FilterHarness.fromFolder(import.meta.dirname, {
    config: { cluster: 'auth', path: '/verify', timeoutMs: 200 },
    clusters: {
      auth: (call) => {
        calls.push(call);
        const token = call.header('authorization');
        if (token === 'Bearer down') throw new Error('connection refused');
        return token === 'Bearer ok' ? { status: 200, headers: { 'x-user': 'ada' } } : { status: 403 };
      },
    },
  });
});
after(() => filter.close());

test('a request the service accepts reaches the upstream with the user it named', async () => {
  const exchange = await filter.exchange({ headers: { authorization: 'Bearer ok', 'x-auth-user': 'mallory' } }, { body: 'welcome' });
  assert.deepEqual(exchange.upstream?.headerValues('x-auth-user'), ['ada']);
  assert.equal(exchange.response.body, 'welcome');
  const call = calls.at(-1)!;
  assert.equal(call.cluster, 'auth');
  assert.equal(call.header(':path'), '/verify');
  assert.equal(call.header(':method'), 'GET');
  assert.equal(call.timeoutMs, 200);
});

test('a request the service refuses gets 403 and never reaches the upstream', async () => {
  const exchange = await filter.exchange({ headers: { authorization: 'Bearer bad' } });
  assert.equal(exchange.upstream, null);
  assert.deepEqual(exchange.localReply, { status: 403, details: 'auth_denied' });
});

test('a request without credentials gets 401 without asking the service', async () => {
  const before = calls.length;
  const exchange = await filter.exchange();
  assert.equal(exchange.response.status, 401);
  assert.equal(exchange.response.header('www-authenticate'), 'Bearer');
  assert.equal(calls.length, before);
});

test('a failed call to the service answers 503 and logs why', async () => {
  const exchange = await filter.exchange({ headers: { authorization: 'Bearer down' } });
  assert.deepEqual(exchange.localReply, { status: 503, details: 'auth_unavailable' });
  assert.ok(filter.logs.some((line) => line.message === 'http-auth: auth did not answer'));
});

test('an unknown cluster answers 503 at once', async () => {
  const lost = await FilterHarness.fromBytes(filter.bytes, { config: { cluster: 'nowhere' } });
  try {
    const exchange = await lost.exchange({ headers: { authorization: 'Bearer ok' } });
    assert.deepEqual(exchange.localReply, { status: 503, details: 'auth_call_failed' });
  } finally {
    lost.close();
  }
});
