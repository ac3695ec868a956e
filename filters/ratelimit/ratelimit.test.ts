// Tests of the ratelimit filter in the real host: buckets per key (caller identity included), shared between instances, 429 fields, refills, dry run, config checks.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { SharedState } from '../../core/wasm/shared-data.ts';
import { FilterHarness } from '../../sdk/tools/harness.ts';
import type { TestRequest } from '../../sdk/tools/harness.ts';
import { loadBuiltinFilter } from '../build.ts';
import { configRejection } from '../config-rejection.ts';
import { assertReadmeExamplesConfigure, readmeExample } from '../readme-examples.ts';

let bytes: Uint8Array;
before(async () => {
  bytes = await loadBuiltinFilter('ratelimit');
});

async function withFilter(config: object, run: (filter: FilterHarness) => Promise<void>): Promise<void> {
  const filter = await FilterHarness.fromBytes(bytes, { config });
  try {
    await run(filter);
  } finally {
    filter.close();
  }
}

async function statuses(filter: FilterHarness, requests: TestRequest[]): Promise<number[]> {
  const out: number[] = [];
  for (const request of requests) out.push((await filter.exchange(request)).response.status);
  return out;
}

const perUser = { name: 'per-user', requests: 3, perSeconds: 60, key: { source: 'header', name: 'x-user' } };

describe('limits', () => {
  test('a key gets its quota, then 429 with Retry-After and the RateLimit fields', async () => {
    await withFilter({ limits: [perUser] }, async (filter) => {
      const first = await filter.exchange({ headers: { 'x-user': 'ada' } });
      assert.equal(first.response.header('ratelimit-policy'), '"per-user";q=3;w=60');
      assert.equal(first.response.header('ratelimit'), '"per-user";r=2;t=60');
      assert.deepEqual(await statuses(filter, [{ headers: { 'x-user': 'ada' } }, { headers: { 'x-user': 'ada' } }]), [200, 200]);
      const limited = await filter.exchange({ headers: { 'x-user': 'ada' } });
      assert.equal(limited.upstream, null);
      assert.equal(limited.response.status, 429);
      assert.equal(limited.response.header('retry-after'), '60');
      assert.equal(limited.response.header('ratelimit-policy'), '"per-user";q=3;w=60');
      assert.equal(limited.response.header('ratelimit'), '"per-user";r=0;t=60');
      assert.deepEqual(JSON.parse(limited.response.body), { error: 'rate_limited', message: 'limit per-user allows 3 requests per 60 s' });
      assert.equal(filter.metric('weft_filter_ratelimit_rejected_total{limit="per-user"}'), 1);
    });
  });

  test('keys have their own buckets, and a request without the key is not counted', async () => {
    await withFilter({ limits: [{ ...perUser, requests: 1 }] }, async (filter) => {
      assert.deepEqual(await statuses(filter, [{ headers: { 'x-user': 'a' } }, { headers: { 'x-user': 'b' } }, { headers: { 'x-user': 'a' } }]), [200, 200, 429]);
      const anonymous = await filter.exchange({});
      assert.equal(anonymous.response.status, 200);
      assert.equal(anonymous.response.header('ratelimit'), undefined);
    });
  });

  test('by client address, every port of one address shares a bucket', async () => {
    await withFilter({ limits: [{ name: 'ip', requests: 2, perSeconds: 60, key: { source: 'clientAddress' } }] }, async (filter) => {
      const from = (address: string): TestRequest => ({ properties: { 'source.address': address } });
      assert.deepEqual(await statuses(filter, [from('10.0.0.1:5000'), from('10.0.0.1:6000'), from('[::1]:7000'), from('10.0.0.1:7000')]),
        [200, 200, 200, 429]);
    });
  });

  test('by calling workload: each SPIFFE ID has its own bucket', async () => {
    await withFilter({ limits: [{ name: 'per-caller', requests: 2, perSeconds: 60, key: { source: 'principal' } }] }, async (filter) => {
      // Same address for both, so only the identity can tell their buckets apart.
      const as = (principal: string): TestRequest => ({ properties: { 'source.principal': principal, 'source.address': '10.0.0.1:5000' } });
      const orders = as('spiffe://mesh.local/ns/default/sa/orders');
      const payments = as('spiffe://mesh.local/ns/default/sa/payments');
      assert.deepEqual(await statuses(filter, [orders, orders, payments, orders, payments, payments]), [200, 200, 200, 429, 200, 429]);
      const limited = await filter.exchange(orders);
      assert.equal(limited.response.header('ratelimit'), '"per-caller";r=0;t=60');
    });
  });

  test('by calling workload: callers without an identity share the one "anonymous" bucket', async () => {
    const config = { dryRun: true, limits: [{ name: 'per-caller', requests: 2, perSeconds: 60, key: { source: 'principal' } }] };
    await withFilter(config, async (filter) => {
      // Plain text from two addresses, and an empty principal: one caller as far as this limit knows.
      const plain = (address: string): TestRequest => ({ properties: { 'source.address': address } });
      const first = await filter.exchange(plain('10.0.0.1:5000'));
      assert.equal(first.response.header('ratelimit'), '"per-caller";r=1;t=60', 'counted, not skipped');
      await filter.exchange({ properties: { 'source.principal': '', 'source.address': '10.0.0.2:5000' } });
      await filter.exchange(plain('10.0.0.3:5000'));
      assert.ok(filter.logs.some((l) => l.message === 'ratelimit: dry run: would reject GET / (limit per-caller, key ratelimit:per-caller:anonymous)'),
        filter.logs.map((l) => l.message).join('\n'));
      // The anonymous bucket being empty does not touch a workload's own.
      const orders = await filter.exchange({ properties: { 'source.principal': 'spiffe://mesh.local/ns/default/sa/orders' } });
      assert.equal(orders.response.header('ratelimit'), '"per-caller";r=1;t=60');
      assert.equal(filter.metric('weft_filter_ratelimit_dry_run_rejected_total{limit="per-caller"}'), 1);
    });
  });

  test('by a JWT claim that auth forwarded', async () => {
    await withFilter({ limits: [{ name: 'tenant', requests: 1, perSeconds: 60, key: { source: 'claim', name: 'tenant' } }] }, async (filter) => {
      const as = (tenant: string): TestRequest => ({ headers: { 'x-weft-claim-tenant': tenant } });
      assert.deepEqual(await statuses(filter, [as('acme'), as('acme'), as('globex')]), [200, 429, 200]);
    });
  });

  test('scoped to routes, prefixes and methods; several limits apply to one request', async () => {
    const config = {
      limits: [
        { name: 'writes', requests: 1, perSeconds: 60, key: { source: 'route' }, routes: ['api'], prefix: '/orders', methods: ['POST'] },
        { name: 'api', requests: 3, perSeconds: 60, key: { source: 'route' }, routes: ['api'] },
      ],
    };
    await withFilter(config, async (filter) => {
      const api = (method: string, path: string): TestRequest => ({ method, path, properties: { 'weft.route': 'api' } });
      const first = await filter.exchange(api('POST', '/orders'));
      assert.equal(first.response.header('ratelimit-policy'), '"writes";q=1;w=60, "api";q=3;w=60');
      assert.equal(first.response.header('ratelimit'), '"writes";r=0;t=60, "api";r=2;t=60');
      const second = await filter.exchange(api('POST', '/orders'));
      assert.equal(second.response.status, 429);
      assert.equal(second.response.header('ratelimit-policy'), '"writes";q=1;w=60');
      assert.deepEqual(await statuses(filter, [api('GET', '/orders'), api('GET', '/orders'), api('GET', '/x')]), [200, 200, 429]);
      const otherRoute = await filter.exchange({ properties: { 'weft.route': 'web' } });
      assert.equal(otherRoute.response.status, 200);
    });
  });

  test('two instances sharing data, as workers do, count exactly one quota', async () => {
    const config = { limits: [{ name: 'all', requests: 50, perSeconds: 60, key: { source: 'global' } }] };
    const first = await FilterHarness.fromBytes(bytes, { config });
    const second = await FilterHarness.fromBytes(bytes, { config, shared: first.shared });
    try {
      const results = await Promise.all(Array.from({ length: 80 }, (_, i) => (i % 3 === 0 ? first : second).exchange({})));
      const counts = results.reduce((acc, e) => ({ ...acc, [e.response.status]: (acc[e.response.status] ?? 0) + 1 }), {} as Record<number, number>);
      assert.deepEqual(counts, { 200: 50, 429: 30 });
    } finally {
      first.close();
      second.close();
    }
  });

  test('two worker threads drawing from one bucket at once let exactly the quota through', async () => {
    const config = { limits: [{ name: 'all', requests: 1500, perSeconds: 60, key: { source: 'global' } }] };
    const sab = SharedState.allocate(1 << 20);
    const gate = new SharedArrayBuffer(4);
    const passed = await Promise.all([0, 1].map((_, __, all) => new Promise<number>((resolve, reject) => {
      const worker = new Worker(new URL('./hammer-worker.ts', import.meta.url), {
        workerData: { bytes, sab, gate, workers: all.length, requests: 1000, config },
      });
      worker.once('message', resolve);
      worker.once('error', reject);
    })));
    assert.equal(passed[0] + passed[1], 1500);
    assert.ok(passed[0] > 0 && passed[1] > 0, `both workers drew tokens: ${passed.join(', ')}`);
  });

  test('a drained bucket gains its tokens back each interval', async () => {
    await withFilter({ limits: [{ name: 'fast', requests: 2, perSeconds: 1, key: { source: 'global' } }] }, async (filter) => {
      assert.deepEqual(await statuses(filter, [{}, {}, {}]), [200, 200, 429]);
      await new Promise((resolve) => setTimeout(resolve, 1050));
      assert.deepEqual(await statuses(filter, [{}, {}, {}]), [200, 200, 429]);
    });
  });
});

describe('dry run', () => {
  test('nothing is rejected; what would have been is counted and logged', async () => {
    await withFilter({ dryRun: true, limits: [{ ...perUser, requests: 1 }] }, async (filter) => {
      assert.deepEqual(await statuses(filter, [{ headers: { 'x-user': 'ada' } }, { headers: { 'x-user': 'ada' } }]), [200, 200]);
      assert.equal(filter.metric('weft_filter_ratelimit_dry_run_rejected_total{limit="per-user"}'), 1);
      assert.equal(filter.metric('weft_filter_ratelimit_rejected_total{limit="per-user"}'), undefined);
      assert.ok(filter.logs.some((l) => l.message === 'ratelimit: dry run: would reject GET / (limit per-user, key ratelimit:per-user:ada)'));
    });
  });
});

describe('configuration', () => {
  const bad: [string, object, string][] = [
    ['no limits', { limits: [] }, '/limits must NOT have fewer than 1 items'],
    ['a fractional quota', { limits: [{ ...perUser, requests: 1.5 }] }, '/limits/0/requests must be integer'],
    ['an unknown key source', { limits: [{ ...perUser, key: { source: 'cookie' } }] },
      '/limits/0/key/source must be one of "clientAddress", "principal", "header", "claim", "route", "global"'],
    ['a header key without a name', { limits: [{ ...perUser, key: { source: 'header' } }] }, '/limits/0/key needs a name for source header'],
    ['a principal key with a name', { limits: [{ ...perUser, key: { source: 'principal', name: 'sa' } }] },
      '/limits/0/key/name is not used by source principal (the bucket is per SPIFFE ID)'],
    ['two limits with one name', { limits: [perUser, perUser] }, '/limits/1/name repeats the name of an earlier limit'],
    ['a burst below the quota', { limits: [{ ...perUser, burst: 1 }] }, '/limits/0/burst must be >= requests'],
  ];
  for (const [what, config, message] of bad) {
    test(`the filter refuses ${what}, naming the path`, async () => {
      const errors = await configRejection(bytes, config);
      assert.ok(errors.includes(`ratelimit: invalid config: ${message}`), errors.join('\n'));
    });
  }
});

describe('README examples', () => {
  const readme = new URL('README.md', import.meta.url).pathname;

  test('every example fits the schema and configures the filter', async () => {
    await assertReadmeExamplesConfigure(readme, bytes, {});
  });

  test('per-client: 100 requests from one address pass, the 101st gets 429', async () => {
    await withFilter(readmeExample(readme, 'per-client'), async (filter) => {
      const from = { properties: { 'source.address': '10.0.0.7:40000' } };
      const results = await statuses(filter, Array.from({ length: 101 }, () => from));
      assert.deepEqual([results.filter((s) => s === 200).length, results[100]], [100, 429]);
    });
  });

  test('per-user-writes: a user gets a burst of 20 writes; reads are only counted on the api route', async () => {
    await withFilter(readmeExample(readme, 'per-user-writes'), async (filter) => {
      const write: TestRequest = { method: 'POST', path: '/orders', headers: { 'x-weft-claim-sub': 'ada' }, properties: { 'weft.route': 'api' } };
      const results = await statuses(filter, Array.from({ length: 21 }, () => write));
      assert.deepEqual([results.filter((s) => s === 200).length, results[20]], [20, 429]);
      const read = await filter.exchange({ path: '/orders', headers: { 'x-weft-claim-sub': 'ada' }, properties: { 'weft.route': 'api' } });
      assert.equal(read.response.header('ratelimit-policy'), '"api";q=5000;w=1');
    });
  });

  test('per-caller: each workload gets 100 a minute; plain-text callers share one quota', async () => {
    await withFilter(readmeExample(readme, 'per-caller'), async (filter) => {
      const orders = { properties: { 'source.principal': 'spiffe://mesh.local/ns/default/sa/orders' } };
      const frontend = { properties: { 'source.principal': 'spiffe://mesh.local/ns/default/sa/frontend' } };
      const ordersResults = await statuses(filter, Array.from({ length: 101 }, () => orders));
      assert.deepEqual([ordersResults.filter((s) => s === 200).length, ordersResults[100]], [100, 429]);
      assert.equal((await filter.exchange(frontend)).response.status, 200);
      const plain = await statuses(filter, Array.from({ length: 101 }, (_, i) => ({ properties: { 'source.address': `10.0.${i >> 8}.${i & 255}:4000` } })));
      assert.deepEqual([plain.filter((s) => s === 200).length, plain[100]], [100, 429]);
    });
  });

  test('dry-run: nothing is rejected, the 51st request of a tenant is reported', async () => {
    await withFilter(readmeExample(readme, 'dry-run'), async (filter) => {
      const results = await statuses(filter, Array.from({ length: 51 }, () => ({ headers: { 'x-tenant': 'acme' } })));
      assert.ok(results.every((s) => s === 200));
      assert.equal(filter.metric('weft_filter_ratelimit_dry_run_rejected_total{limit="per-tenant"}'), 1);
    });
  });
});
