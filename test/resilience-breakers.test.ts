// End to end with several workers: circuit breakers limit a cluster for the whole process (as Envoy's), not per worker.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startProxy } from './support/proxy.ts';
import type { RunningProxy } from './support/proxy.ts';
import type { Upstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';
import { holdingUpstream, metric } from './support/resilience.ts';
import { waitFor } from './support/wait.ts';
import { Supervisor } from '../core/proxy/supervisor.ts';
import { resolveProxySettings } from '../core/config/resolve.ts';
import { createLogger } from '../core/observe/log.ts';

const upstreams: Upstream[] = [];
const proxies: RunningProxy[] = [];
after(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all(upstreams.map((u) => u.close()));
});

async function holding() {
  const h = await holdingUpstream();
  upstreams.push(h.u);
  return h;
}

interface Answer { status: number; error?: string }

/** One GET on a connection of its own (agent: false), so the kernel's reusePort hashing spreads them over the workers. */
function get(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, error: res.headers['x-weft-error'] as string | undefined }));
    }).on('error', reject);
  });
}

/**
 * Sends `n` requests one after another, each on a new connection; the next goes once the previous was refused or
 * reached the upstream (so no two checks race). Returns the refused answers and the admitted requests' promises.
 */
async function fill(url: string, n: number, reached: () => number): Promise<{ refused: Answer[]; admitted: Promise<Answer>[] }> {
  const refused: Answer[] = [];
  const admitted: Promise<Answer>[] = [];
  for (let i = 0; i < n; i++) {
    const before = reached();
    let answer: Answer | undefined;
    const pending = get(url).then((a) => (answer = a));
    pending.catch(() => {}); // an admitted request may die with its worker (the second test): its caller settles it
    await waitFor(`request ${i} refused or at the upstream`, () => answer !== undefined || reached() > before);
    if (answer !== undefined) refused.push(answer);
    else admitted.push(pending);
  }
  return { refused, admitted };
}

test('with 2 workers, maxRequests and maxConnections limit the cluster for the whole process: the rest overflow on every worker', async () => {
  const { u, counts, release } = await holding();
  const p = await startProxy(['--config', writeConfig(`listen: 127.0.0.1:0
workers: 2
clusters:
  - { name: requests, endpoints: ["${u.url}"], circuitBreakers: { maxRequests: 2 } }
  - { name: connections, endpoints: ["${u.url}"], circuitBreakers: { maxConnections: 2 } }
routes:
  - { match: { prefix: /requests }, cluster: requests }
  - { match: { prefix: /connections }, cluster: connections }
`)]);
  proxies.push(p);
  const reached = (path: string) => () => u.seen.filter((s) => s.url === path).length;

  for (const cluster of ['requests', 'connections']) {
    const path = `/${cluster}`;
    const n = 16;
    const { refused, admitted } = await fill(`${p.url}${path}`, n, reached(path));
    assert.equal(admitted.length, 2, `${cluster}: exactly the limit is admitted, for the process`);
    assert.equal(counts.now, 2, `${cluster}: 2 in flight at the upstream`);
    assert.equal(refused.length, n - 2);
    for (const r of refused) assert.deepEqual(r, { status: 503, error: 'WEFT_ERR_UPSTREAM_OVERFLOW' });
    // Both workers refused some: each saw the other's requests in flight (per worker, each would admit 2).
    for (const worker of ['0', '1']) {
      assert.ok(await metric(p.admin, 'weft_requests_total', { cluster, code: '503', worker }) > 0, `${cluster}: worker ${worker} refused some`);
    }
    assert.equal(await metric(p.admin, 'weft_upstream_overflow_total', { cluster, breaker: cluster }), n - 2);
    release();
    for (const a of await Promise.all(admitted)) assert.equal(a.status, 200);
    await waitFor('the upstream idle', () => counts.now === 0);
  }
  assert.equal(counts.max, 2, 'never more than 2 at the upstream');
});

test('a worker that dies with requests in flight takes its breaker counts with it: its restart starts from zero, the others keep theirs', async (t) => {
  const { u, counts, release } = await holding();
  const settings = resolveProxySettings({ listen: '127.0.0.1:0', upstream: [u.url], workers: '2', logLevel: 'silent' });
  settings.clusters[0].circuitBreakers = { maxRequests: 2 };
  const sup = new Supervisor(settings, createLogger('silent'));
  t.after(async () => { release(); await sup.drain(); });
  await sup.start();
  const url = `http://127.0.0.1:${sup.listenPort}/held`;
  const reached = () => u.seen.length;
  const first = await fill(url, 6, reached);
  assert.equal(first.admitted.length, 2);
  // Both workers die, one after the other, and are restarted: every request in flight dies with them.
  for (const index of [1, 0]) {
    const victim = sup.threads[index];
    await victim.terminate();
    await waitFor(`worker ${index} restarted`, () => sup.ready && sup.threads[index] !== victim);
  }
  await Promise.allSettled(first.admitted);
  await waitFor('the upstream sees the held requests gone', () => counts.now === 0);
  const second = await fill(url, 6, reached);
  assert.equal(second.admitted.length, 2, 'nothing leaked: the limit is whole again');
  release();
  for (const a of await Promise.all(second.admitted)) assert.equal(a.status, 200);
});
