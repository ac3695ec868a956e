// The plane's side of request stories with a real plane: questions on the watch streams, answers merged, a node that does not answer named, late and stray answers refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import type { Story } from '../../core/observe/story.ts';
import type { Explanation } from '../explain.ts';
import { startPlane, waitFor } from './support.ts';
import type { RunningPlane } from './support.ts';

/** A watch stream as a proxy opens it; `onAsk` sees each question the plane puts on it. */
async function watch(plane: RunningPlane, node: string, onAsk: (ask: Record<string, unknown>) => void): Promise<() => void> {
  const controller = new AbortController();
  const res = await request(`${plane.url}/v1/watch?node=${node}`, { headers: { authorization: `Bearer ${plane.token}` }, signal: controller.signal });
  assert.equal(res.statusCode, 200);
  let buffered = '';
  res.body.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      if (msg.type === 'ask') onAsk(msg);
    }
  });
  res.body.on('error', () => undefined);
  return () => controller.abort();
}

async function answer(plane: RunningPlane, node: string, ask: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await request(`${plane.url}/v1/nodes/${node}/answers/${ask}`, {
    method: 'POST', headers: { authorization: `Bearer ${plane.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.statusCode, body: await res.body.json() };
}

const hop = (requestId: string, start: number, status: number): Story => ({
  requestId, service: 'orders', listener: 'inbound', worker: 0, start, durationMs: 1.5, method: 'GET', path: '/x', caller: null, authz: null,
  route: 'inbound', cluster: 'inbound', endpoint: 'http://127.0.0.1:3000', status, error: null, inFlight: false,
  events: [{ atMs: 0.1, step: 'route', route: 'inbound' }, { atMs: 1.5, step: 'done', status, error: null }],
});

test('the plane asks every node watching it and merges their answers', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  const asks: string[] = [];
  const stops = [
    await watch(plane, 'answering-1', (ask) => {
      asks.push(ask.ask as string);
      // Only a story question about r-1 has a hop here; the answer names another request's hop too, which is left out.
      const stories = ask.what === 'story' && ask.requestId === 'r-1' ? [hop('r-1', 2000, 200), hop('r-2', 1000, 200)] : [];
      void answer(plane, 'answering-1', ask.ask as string, { stories });
    }),
    await watch(plane, 'silent-1', () => undefined),
  ];
  t.after(() => stops.forEach((stop) => stop()));
  await waitFor('both watchers connected', async () => ((await plane.json<{ watchers: number }>('/v1/status')).watchers === 2) || undefined);

  const res = await fetch(`${plane.url}/v1/requests/r-1`, { headers: { authorization: `Bearer ${plane.token}` } });
  assert.equal(res.status, 200);
  const e = await res.json() as Explanation;
  assert.equal(e.asked, 2);
  assert.deepEqual(e.missing, ['silent-1'], 'the node that did not answer within 2 s is named');
  assert.deepEqual(e.hops.map((h) => [h.node, h.requestId]), [['answering-1', 'r-1']]);
  assert.equal(e.summary, "200 at orders' inbound: answered (route inbound, cluster inbound, endpoint http://127.0.0.1:3000) in 1.5 ms");

  // Too late: the question is no longer waited for, and the answer says so without an error.
  assert.deepEqual(await answer(plane, 'silent-1', asks[0], { stories: [] }), { status: 200, body: { taken: false } });

  const missing = await plane.weft(['explain', 'r-404']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'weft explain: no proxy remembers request r-404 (asked 2 proxies, 1 did not answer in time; each worker keeps its last 1024 stories: every failure, a sample of successes) (WEFT_ERR_REQUEST_NOT_FOUND)\n');
});

test('hops are told in the order the request crossed them, even when the callee\'s clock runs behind the caller\'s', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  // The caller's outbound hop lasted 8 ms and carried the callee's 4 ms inbound hop, whose clock reads 0.5 ms earlier.
  const outbound: Story = { ...hop('r-1', 1000.5, 200), listener: 'outbound', durationMs: 8 };
  outbound.events = [outbound.events[0], { atMs: 6, step: 'upstream', status: 200 }, outbound.events[1]];
  const inbound: Story = { ...hop('r-1', 1000, 200), service: 'payments', durationMs: 4 };
  const later: Story = { ...hop('r-1', 1020, 200), service: 'payments', durationMs: 1 };
  // r-2: the caller's hop timed out after 10 ms while the callee's went on for 50; the clocks' order stands.
  const timedOut: Story = { ...hop('r-2', 2000, 504), listener: 'outbound', durationMs: 10, error: 'WEFT_ERR_UPSTREAM_TIMEOUT' };
  const slow: Story = { ...hop('r-2', 2000.3, 200), service: 'payments', durationMs: 50 };
  const stories = [later, inbound, outbound, slow, timedOut];
  const stop = await watch(plane, 'both-1', (ask) => void answer(plane, 'both-1', ask.ask as string, { stories: ask.what === 'story' ? stories : [] }));
  t.after(stop);
  await waitFor('the watcher connected', async () => ((await plane.json<{ watchers: number }>('/v1/status')).watchers === 1) || undefined);
  const e = await plane.json<Explanation>('/v1/requests/r-1');
  assert.deepEqual(e.hops.map((h) => `${h.service} ${h.listener} ${h.start}`), ['orders outbound 1000.5', 'payments inbound 1000', 'payments inbound 1020']);
  assert.match(e.summary, /^200 at orders' outbound: answered/);
  const t2 = await plane.json<Explanation>('/v1/requests/r-2');
  assert.deepEqual(t2.hops.map((h) => `${h.service} ${h.listener} ${h.status}`), ['orders outbound 504', 'payments inbound 200']);
  assert.match(t2.summary, /^504 at orders' outbound: WEFT_ERR_UPSTREAM_TIMEOUT/);
});

test('with no proxy watching, weft explain says so', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  const r = await plane.weft(['explain', 'anything']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'weft explain: no proxy remembers request anything (no proxy is watching the plane (any replica)) (WEFT_ERR_REQUEST_NOT_FOUND)\n');
  const usage = await plane.weft(['explain']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^weft explain: .*REQUEST_ID.* \(WEFT_ERR_USAGE\)\n$/);
});
