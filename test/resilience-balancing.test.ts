// End to end: how the balancers spread traffic over real upstreams — peak-EWMA away from a slow endpoint, ring hash keeping keys, weights, locality with failover.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import type { Upstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { tally } from './support/resilience.ts';
import { waitFor } from './support/wait.ts';

const upstreams: Upstream[] = [];
after(async () => {
  await Promise.all(upstreams.map((u) => u.close()));
});

/** An upstream that answers with its port after `delay()` ms (and 503 on /healthz while `sick()`). */
async function upstream(delay: () => number = () => 0, sick: () => boolean = () => false): Promise<Upstream> {
  const u = await startUpstream((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url === '/healthz') return void res.writeHead(sick() ? 503 : 200).end();
    const answer = () => res.setHeader('content-type', 'application/json').end(JSON.stringify({ port: req.socket.localPort }));
    const ms = delay();
    if (ms > 0) setTimeout(answer, ms);
    else answer();
  });
  upstreams.push(u);
  return u;
}

test('peak-EWMA sends most traffic away from an endpoint made 50 ms slower', async () => {
  let extra = 0;
  const fast = await upstream();
  const slow = await upstream(() => extra);
  const proxy = await startProxy(['--config', writeConfig(`
listen: 127.0.0.1:0
workers: 1
clusters:
  - { name: app, endpoints: ["${fast.url}", "${slow.url}"], lb: peak_ewma }
routes:
  - cluster: app
`)]);
  try {
    const warm = await tally(`${proxy.url}/`, 100, 2);
    assert.equal((warm.get(String(fast.port)) ?? 0) + (warm.get(String(slow.port)) ?? 0), 100);
    extra = 50;
    const counts = await tally(`${proxy.url}/`, 300, 2);
    const slowShare = (counts.get(String(slow.port)) ?? 0) / 300;
    assert.equal((counts.get(String(fast.port)) ?? 0) + (counts.get(String(slow.port)) ?? 0), 300, 'every request answered');
    assert.ok(slowShare < 0.2, `the slow endpoint got ${(slowShare * 100).toFixed(1)}% of the traffic (round robin would give it 50%)`);
  } finally {
    await proxy.stop();
  }
});

test('ring hash on a header keeps at least 90% of keys on their endpoint when an eleventh joins, and moves the rest only to it', async () => {
  const eps = await Promise.all(Array.from({ length: 11 }, () => upstream()));
  const config = (n: number) => `
listen: 127.0.0.1:0
workers: 1
clusters:
  - name: app
    endpoints: [${eps.slice(0, n).map((u) => `"${u.url}"`).join(', ')}]
    lb: ring_hash
    hashOn: { header: x-user }
routes:
  - cluster: app
`;
  const file = writeConfig(config(10));
  const proxy = await startProxy(['--config', file]);
  try {
    const KEYS = 16_000;
    const place = async () => {
      const where: number[] = new Array(KEYS);
      let next = 0;
      const { request } = await import('undici');
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < KEYS) {
          const i = next++;
          const r = await request(`${proxy.url}/`, { headers: { 'x-user': `user-${i}` } });
          assert.equal(r.statusCode, 200);
          where[i] = ((await r.body.json()) as { port: number }).port;
        }
      }));
      return where;
    };
    const before = await place();
    assert.equal(new Set(before).size, 10, 'keys spread over all ten endpoints');
    assert.deepEqual(await place().then((again) => again.filter((p, i) => p !== before[i]).length), 0, 'the same key, the same endpoint');
    writeFileSync(file, config(11));
    proxy.proc.kill('SIGHUP');
    await waitFor(() => `the reload in the log:\n${proxy.stderr()}`, () => proxy.stderr().includes('config reloaded'));
    const after = await place();
    const moved = after.filter((p, i) => p !== before[i]);
    assert.ok(moved.every((p) => p === eps[10].port), 'a key that moved went to the new endpoint, nowhere else');
    const kept = 1 - moved.length / KEYS;
    assert.ok(kept >= 0.9, `${(kept * 100).toFixed(1)}% of keys kept their endpoint`);
    assert.ok(moved.length > 0, 'the new endpoint took its share');
  } finally {
    await proxy.stop();
  }
});

test('weighted endpoints share round robin traffic by weight', async () => {
  const heavy = await upstream();
  const light = await upstream();
  const proxy = await startProxy(['--config', writeConfig(`
listen: 127.0.0.1:0
workers: 1
clusters:
  - name: app
    endpoints: [{ url: "${heavy.url}", weight: 3 }, "${light.url}"]
routes:
  - cluster: app
`)]);
  try {
    const counts = await tally(`${proxy.url}/`, 400, 1);
    assert.equal(counts.get(String(heavy.port)), 300);
    assert.equal(counts.get(String(light.port)), 100);
  } finally {
    await proxy.stop();
  }
});

test('the local zone is preferred, and traffic fails over to the other zone when health checks fail the local one', async () => {
  let localSick = false;
  const localA = await upstream(undefined, () => localSick);
  const localB = await upstream(undefined, () => localSick);
  const remote = await upstream();
  const proxy = await startProxy(['--config', writeConfig(`
listen: 127.0.0.1:0
workers: 1
clusters:
  - name: app
    endpoints:
      - { url: "${localA.url}", zone: east-a }
      - { url: "${localB.url}", zone: east-a }
      - { url: "${remote.url}", zone: east-b }
    localZone: east-a
    panicThreshold: 30
    healthCheck: { path: /healthz, interval: 100ms, timeout: 500ms, unhealthyThreshold: 2, healthyThreshold: 1 }
routes:
  - cluster: app
`)]);
  try {
    const local = await tally(`${proxy.url}/`, 40, 2);
    assert.equal(local.get(String(remote.port)), undefined, `the other zone got nothing while the local one was healthy: ${[...local]}`);
    assert.equal((local.get(String(localA.port)) ?? 0) + (local.get(String(localB.port)) ?? 0), 40);
    localSick = true;
    await waitFor('traffic on the other zone', async () => (await tally(`${proxy.url}/`, 10, 1)).get(String(remote.port)) === 10);
    const failedOver = await tally(`${proxy.url}/`, 40, 2);
    assert.equal(failedOver.get(String(remote.port)), 40);
    localSick = false;
    await waitFor('traffic back in the local zone', async () => (await tally(`${proxy.url}/`, 10, 1)).get(String(remote.port)) === undefined);
  } finally {
    await proxy.stop();
  }
});
