// Tests of the router filter in the real host: matching, splits and overrides, rewrites, header edits, mirroring, faults, config checks.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FilterHarness } from '../../sdk/tools/harness.ts';
import type { TestRequest } from '../../sdk/tools/harness.ts';
import { loadBuiltinFilter } from '../build.ts';
import { configRejection } from '../config-rejection.ts';
import { assertReadmeExamplesConfigure, readmeExample } from '../readme-examples.ts';

let bytes: Uint8Array;
before(async () => {
  bytes = await loadBuiltinFilter('router');
});

async function withRouter(config: object, run: (router: FilterHarness) => Promise<void>): Promise<void> {
  const router = await FilterHarness.fromBytes(bytes, { config });
  try {
    await run(router);
  } finally {
    router.close();
  }
}

/** The router's decision for one request, from its debug line: [route, cluster, mirror] ("" when it kept the proxy's). */
async function decision(router: FilterHarness, request: TestRequest): Promise<string[] | null> {
  const before = router.logs.length;
  await router.exchange(request);
  const line = router.logs.slice(before).find((l) => l.message.startsWith('router: '));
  if (line === undefined) return null;
  const found = / -> route (.*), cluster (.*), mirror (.*)$/.exec(line.message);
  return found === null ? null : [found[1], found[2], found[3]];
}

describe('matching', () => {
  const config = {
    routes: [
      { name: 'exact', match: { path: '/health' }, cluster: 'health' },
      { name: 'header', match: { prefix: '/api', headers: [{ name: 'X-Env', exact: 'staging' }] }, cluster: 'staging' },
      { name: 'absent', match: { prefix: '/api', headers: [{ name: 'authorization', present: false }] }, cluster: 'public' },
      { name: 'query', match: { prefix: '/api', query: [{ name: 'v', regex: '[0-9]+' }] }, cluster: 'versioned' },
      { name: 'method', match: { prefix: '/api', methods: ['POST', 'PUT'] }, cluster: 'writes' },
      { name: 'regex', match: { regex: '/users/[0-9]+(/(profile|settings))?' }, cluster: 'users' },
      { name: 'api', match: { prefix: '/api' }, cluster: 'api' },
    ],
  };
  const cases: [string, TestRequest, string | null][] = [
    ['an exact path', { path: '/health' }, 'health'],
    ['an exact path ignores the query', { path: '/health?verbose=1' }, 'health'],
    ['an exact path does not match a longer one', { path: '/healthz' }, null],
    ['a header value', { path: '/api/x', headers: { 'x-env': 'staging', authorization: 'a' } }, 'staging'],
    ['an absent header', { path: '/api/x' }, 'public'],
    ['a query parameter by regex', { path: '/api/x?v=12', headers: { authorization: 'a' } }, 'versioned'],
    ['a query parameter that does not fit', { path: '/api/x?v=a1', headers: { authorization: 'a' } }, 'api'],
    ['a method', { method: 'PUT', path: '/api/x', headers: { authorization: 'a' } }, 'writes'],
    ['a path regex', { path: '/users/42/settings' }, 'users'],
    ['a path regex that must match the whole path', { path: '/users/42/other' }, null],
    ['the first of several matching routes', { method: 'POST', path: '/api/x', headers: { 'x-env': 'staging', authorization: 'a' } }, 'staging'],
  ];
  for (const [what, request, cluster] of cases) {
    test(`${what}: ${cluster ?? 'no route'}`, async () => {
      await withRouter(config, async (router) => {
        const found = await decision(router, request);
        assert.equal(found === null ? null : found[1], cluster);
      });
    });
  }

  test('patterns: classes, repetition counts, alternation, anchors, escapes', async () => {
    const patterns: [string, string[], string[]][] = [
      ['/v[12]/\\w+', ['/v1/orders', '/v2/a_b9'], ['/v3/orders', '/v1/', '/v1/a-b']],
      ['/files/.*\\.png', ['/files/a.png', '/files/x/y.png'], ['/files/apng', '/files/a.png/x']],
      ['/id/[a-f0-9]{4,6}', ['/id/beef', '/id/c0ffee'], ['/id/bee', '/id/c0ffee0', '/id/BEEF']],
      ['^/(a|bc)+/?$', ['/a', '/bcabc/', '/aaa'], ['/', '/b', '/abcd']],
      ['/[^/]+/edit', ['/doc/edit'], ['/a/b/edit', '//edit']],
      ['/(?:x*)*y', ['/y', '/xxxxy'], ['/xxxx']],
      ['/\\d{3}-\\D\\s?', ['/123-a', '/123-b '], ['/12-a', '/123-1']],
    ];
    const routes = patterns.map(([regex], i) => ({ name: `p${i}`, match: { regex }, cluster: `c${i}` }));
    await withRouter({ routes }, async (router) => {
      for (const [i, [regex, good, bad]] of patterns.entries()) {
        for (const path of good) assert.equal((await decision(router, { path }))?.[1], `c${i}`, `${regex} should match ${path}`);
        for (const path of bad) assert.notEqual((await decision(router, { path }))?.[1], `c${i}`, `${regex} should not match ${path}`);
      }
    });
  });

  test('a pathological pattern takes linear time', async () => {
    await withRouter({ routes: [{ match: { regex: '/(a*)*b' }, cluster: 'c' }] }, async (router) => {
      assert.equal(await decision(router, { path: `/${'a'.repeat(5000)}` }), null);
      // Counted in fuel, not in wall time: a backtracking (exponential) or quadratic match of 5000 characters
      // would spend the callback's 10^7 units and trap.
      assert.deepEqual(router.traps, []);
    });
  });

  test('a request no route matches goes through untouched', async () => {
    await withRouter(config, async (router) => {
      const exchange = await router.exchange({ path: '/other' });
      assert.equal(exchange.localReply, null);
      assert.equal(exchange.upstream?.header(':path'), '/other');
    });
  });
});

describe('clusters', () => {
  const canary = {
    routes: [{
      name: 'orders',
      match: { prefix: '/orders' },
      weightedClusters: [{ cluster: 'orders-v1', weight: 90 }, { cluster: 'orders-v2', weight: 10 }],
      overrides: [{ header: 'x-weft-canary', value: 'true', cluster: 'orders-v2' }],
    }],
  };

  test('a 90/10 split over 2000 requests lands within 3 points', async () => {
    await withRouter(canary, async (router) => {
      let canaryCount = 0;
      for (let i = 0; i < 2000; i++) if ((await decision(router, { path: '/orders' }))?.[1] === 'orders-v2') canaryCount++;
      assert.ok(Math.abs(canaryCount / 2000 - 0.1) <= 0.03, `canary share ${canaryCount / 2000}`);
    });
  });

  test('the override header always reaches the canary', async () => {
    await withRouter(canary, async (router) => {
      for (let i = 0; i < 200; i++) {
        assert.equal((await decision(router, { path: '/orders', headers: { 'x-weft-canary': 'true' } }))?.[1], 'orders-v2');
      }
    });
  });
});

describe('request and response changes', () => {
  const config = {
    routes: [{
      name: 'legacy',
      match: { prefix: '/old/' },
      cluster: 'legacy',
      prefixRewrite: '/v2/',
      hostRewrite: 'legacy.internal',
      requestHeaders: { set: { 'X-Via': 'weft' }, remove: ['x-debug'] },
      responseHeaders: { set: { 'cache-control': 'no-store' }, remove: ['server'] },
      mirror: { cluster: 'legacy-shadow', percent: 100 },
    }],
  };

  test('the path prefix and the host are rewritten, headers set and removed both ways', async () => {
    await withRouter(config, async (router) => {
      const exchange = await router.exchange(
        { path: '/old/items?page=2', headers: { 'x-debug': '1' } },
        { headers: { server: 'upstream/1.0', 'content-type': 'text/plain' }, body: 'ok' },
      );
      assert.equal(exchange.upstream?.header(':path'), '/v2/items?page=2');
      assert.equal(exchange.upstream?.header(':authority'), 'legacy.internal');
      assert.equal(exchange.upstream?.header('x-via'), 'weft');
      assert.equal(exchange.upstream?.header('x-debug'), undefined);
      assert.equal(exchange.response.header('cache-control'), 'no-store');
      assert.equal(exchange.response.header('server'), undefined);
      assert.equal(exchange.response.body, 'ok');
    });
  });

  test('a mirrored request names its shadow cluster', async () => {
    await withRouter(config, async (router) => {
      assert.deepEqual(await decision(router, { path: '/old/x' }), ['legacy', 'legacy', 'legacy-shadow']);
    });
  });
});

describe('faults', () => {
  test('an abort answers with its status for every request at 100%', async () => {
    await withRouter({ routes: [{ name: 'flaky', fault: { abort: { status: 503, percent: 100 } } }] }, async (router) => {
      const exchange = await router.exchange({ path: '/anything' });
      assert.equal(exchange.upstream, null);
      assert.equal(exchange.response.status, 503);
      assert.deepEqual(JSON.parse(exchange.response.body), { error: 'fault_injected', message: 'aborted by fault injection on route flaky' });
      assert.equal(router.metric('weft_filter_router_faults_total{route="flaky",fault="abort"}'), 1);
    });
  });

  test('a delay holds the request, then lets it through', async () => {
    await withRouter({ routes: [{ name: 'slow', cluster: 'c', fault: { delay: { milliseconds: 80, percent: 100 } } }] }, async (router) => {
      const started = performance.now();
      const [a, b] = await Promise.all([router.exchange({ path: '/a' }), router.exchange({ path: '/b' })]);
      const elapsed = performance.now() - started;
      assert.deepEqual([a.upstream?.header(':path'), b.upstream?.header(':path')], ['/a', '/b']);
      // The hold itself, a floor a slower machine only raises (the filter's 5 ms tick may round it down).
      assert.ok(elapsed >= 75, `held ${elapsed} ms for an 80 ms delay`);
    });
  });

  test('at 0% nothing is injected', async () => {
    await withRouter({ routes: [{ fault: { abort: { status: 500, percent: 0 }, delay: { milliseconds: 5000, percent: 0 } } }] }, async (router) => {
      assert.equal((await router.exchange({})).localReply, null);
    });
  });
});

describe('configuration', () => {
  const bad: [string, object, string][] = [
    ['a bad regex', { routes: [{ match: { regex: '/(a' }, cluster: 'c' }] }, '/routes/0/match/regex is not a valid pattern: missing ) at offset 3'],
    ['two kinds of path match', { routes: [{ match: { path: '/a', prefix: '/a' } }] }, '/routes/0/match needs at most one of path, prefix, regex'],
    ['a header match with two tests', { routes: [{ match: { headers: [{ name: 'a', exact: 'x', present: true }] } }] },
      '/routes/0/match/headers/0 needs exactly one of exact, prefix, regex, present'],
    ['a bad header regex', { routes: [{ match: { query: [{ name: 'q', regex: '*' }] } }] },
      '/routes/0/match/query/0/regex is not a valid pattern: nothing to repeat at offset 1'],
    ['a prefix rewrite without a prefix match', { routes: [{ match: { path: '/a' }, prefixRewrite: '/b' }] }, '/routes/0/prefixRewrite needs match.prefix'],
    ['weights that add up to nothing', { routes: [{ weightedClusters: [{ cluster: 'a', weight: 0 }] }] }, '/routes/0/weightedClusters needs a weight above 0'],
    ['a percent above 100', { routes: [{ mirror: { cluster: 's', percent: 150 } }] }, '/routes/0/mirror/percent must be <= 100'],
  ];
  for (const [what, config, message] of bad) {
    test(`the filter refuses ${what}, naming the path`, async () => {
      const errors = await configRejection(bytes, config);
      assert.ok(errors.includes(`router: invalid config: ${message}`), errors.join('\n'));
    });
  }
});

describe('README examples', () => {
  const readme = new URL('README.md', import.meta.url).pathname;

  test('every example fits the schema and configures the filter', async () => {
    await assertReadmeExamplesConfigure(readme, bytes, {});
  });

  test('canary: about a tenth to v2, and the override header always to v2', async () => {
    await withRouter(readmeExample(readme, 'canary'), async (router) => {
      let v2 = 0;
      for (let i = 0; i < 1000; i++) if ((await decision(router, { path: '/orders/1' }))?.[1] === 'orders-v2') v2++;
      assert.ok(v2 >= 70 && v2 <= 130, `${v2} of 1000`);
      assert.equal((await decision(router, { path: '/orders', headers: { 'x-weft-canary': 'true' } }))?.[1], 'orders-v2');
    });
  });

  test('match-and-rewrite: regex, header and query matches; the legacy prefix and host rewritten', async () => {
    await withRouter(readmeExample(readme, 'match-and-rewrite'), async (router) => {
      assert.equal((await decision(router, { path: '/items/42' }))?.[1], 'catalog');
      assert.equal((await decision(router, { method: 'POST', path: '/items/42' })), null);
      assert.equal((await decision(router, { path: '/x?lang=en', headers: { 'x-beta': '1' } }))?.[1], 'beta');
      const legacy = await router.exchange({ path: '/api/v1/users?id=3', headers: { 'x-debug': '1' } }, { headers: { server: 'old' } });
      assert.deepEqual([legacy.upstream?.header(':path'), legacy.upstream?.header(':authority'), legacy.upstream?.header('x-legacy-client'), legacy.upstream?.header('x-debug')],
        ['/v2/users?id=3', 'api.internal', 'true', undefined]);
      assert.deepEqual([legacy.response.header('deprecation'), legacy.response.header('server')], ['true', undefined]);
    });
  });

  test('mirror-and-faults: some requests mirrored, some aborted with 503, the rest reach checkout', async () => {
    await withRouter(readmeExample(readme, 'mirror-and-faults'), async (router) => {
      let mirrored = 0;
      let aborted = 0;
      for (let i = 0; i < 400; i++) {
        const found = await decision(router, { path: '/checkout' });
        if (found === null) aborted++;
        else if (found[2] === 'checkout-shadow') mirrored++;
      }
      assert.ok(mirrored >= 40 && mirrored <= 130, `${mirrored} mirrored of 400`);
      assert.ok(aborted <= 15, `${aborted} aborted of 400`);
      assert.equal(router.metric('weft_filter_router_faults_total{route="checkout",fault="abort"}') ?? 0, aborted);
    });
  });
});
