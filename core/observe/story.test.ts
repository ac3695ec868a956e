// The story ring without a proxy in the way: what is kept (every failure, successes sampled when busy), what is pushed out, a long story's end, and a slot never shared by two requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterResult, KEPT_STORIES, PICK_PANIC, StoryBook } from './story.ts';

/** One request from start to end: route, a pick, the answer. */
function serve(book: StoryBook, id: string, status: number, error = ''): void {
  const s = book.begin('outbound', 'GET', `/x?token=secret`, undefined, performance.now());
  book.id(s, id);
  book.route(s, 'r', 'c');
  book.endpoint(s, 1, 'http://10.0.0.1:80', 'round_robin', 0, 1, 1);
  book.end(s, status, error, false);
}

test('a story holds every step in order, with the query string dropped', () => {
  const book = new StoryBook(3, 'orders');
  const s = book.begin('inbound', 'POST', '/pay?card=4111', 'spiffe://t/ns/default/sa/frontend', performance.now());
  book.authz(s, { allowed: true, decision: 'allow', rule: 'frontend-may-pay', reason: 'allowed_by_rule' });
  book.id(s, 'r-1');
  book.route(s, 'inbound', 'inbound');
  book.filter(s, 'auth', '1.0.0', 0, FilterResult.Continue, 0);
  book.endpoint(s, 1, 'http://127.0.0.1:9', 'ring_hash', PICK_PANIC, 3, 4);
  book.retry(s, 0, 'WEFT_ERR_UPSTREAM_CONNECT');
  book.endpoint(s, 2, 'http://127.0.0.1:10', 'ring_hash', PICK_PANIC, 3, 4);
  book.retry(s, 503, undefined);
  book.overflow(s);
  book.end(s, 503, 'WEFT_ERR_UPSTREAM_OVERFLOW', true);
  const [story] = book.find('r-1');
  assert.equal(story.path, '/pay');
  assert.equal(story.worker, 3);
  assert.equal(story.caller, 'spiffe://t/ns/default/sa/frontend');
  assert.deepEqual(story.authz, { policy: 'orders', decision: 'allow', rule: 'frontend-may-pay', reason: 'allowed_by_rule' });
  assert.equal(story.endpoint, 'http://127.0.0.1:10');
  assert.deepEqual(story.events.map(({ atMs: _, ...e }) => e), [
    { step: 'authz', policy: 'orders', decision: 'allow', rule: 'frontend-may-pay', reason: 'allowed_by_rule' },
    { step: 'route', route: 'inbound' },
    { step: 'filter', filter: 'auth', version: '1.0.0', callback: 'request_headers', result: 'continue' },
    { step: 'endpoint', try: 1, cluster: 'inbound', endpoint: 'http://127.0.0.1:9', lb: 'ring_hash', hashed: false, localZone: false, panic: true, available: 3, endpoints: 4 },
    { step: 'retry', reason: 'WEFT_ERR_UPSTREAM_CONNECT' },
    { step: 'endpoint', try: 2, cluster: 'inbound', endpoint: 'http://127.0.0.1:10', lb: 'ring_hash', hashed: false, localZone: false, panic: true, available: 3, endpoints: 4 },
    { step: 'retry', reason: '503' },
    { step: 'overflow', cluster: 'inbound' },
    { step: 'done', status: 503, error: 'WEFT_ERR_UPSTREAM_OVERFLOW' },
  ]);
});

test('a story longer than its room keeps its beginning and its end', () => {
  const book = new StoryBook(0, undefined);
  const s = book.begin('inbound', 'GET', '/', undefined, performance.now());
  book.id(s, 'long');
  for (let i = 0; i < 100; i++) book.filter(s, 'f', '', 4, FilterResult.Pause, 0);
  book.end(s, 200, '', false);
  const [story] = book.find('long');
  assert.ok(story.events.length < 100);
  assert.equal(story.events[0].step, 'filter');
  assert.deepEqual(story.events.at(-1), { ...story.events.at(-1), step: 'done', status: 200, error: null });
});

test('the ring keeps the newest stories; once busy, every failure and a sample of the successes', () => {
  const book = new StoryBook(0, 'svc');
  // More than the ring holds, all failures: the oldest are pushed out.
  for (let i = 0; i < KEPT_STORIES + 10; i++) serve(book, `fail-${i}`, 503, 'WEFT_ERR_UPSTREAM_CONNECT');
  assert.deepEqual(book.find('fail-9'), []);
  assert.equal(book.find('fail-10').length, 1);
  assert.equal(book.tail(1)[0].requestId, `fail-${KEPT_STORIES + 9}`);
  // Within one second: 200 successes are kept, then one in 50; failures always.
  const ok = Array.from({ length: 700 }, (_, i) => `ok-${i}`);
  const start = performance.now();
  for (const id of ok) serve(book, id, 200);
  serve(book, 'denied', 403, 'WEFT_ERR_AUTHZ_DENIED');
  if (performance.now() - start < 900) {
    // (A second boundary crossed in the loop would reset the budget; on a machine that slow the count is not checked.)
    const kept = ok.filter((id) => book.find(id).length).length;
    assert.ok(kept >= 200 && kept <= 200 + 700 / 50 + 1, `${kept} successes kept`);
  }
  assert.equal(book.find('denied')[0].status, 403);
  const tail = book.tail(3);
  assert.equal(tail[0].requestId, 'denied');
  assert.deepEqual({ ...tail[0], start: 0, durationMs: 0 }, {
    requestId: 'denied', listener: 'outbound', start: 0, durationMs: 0, method: 'GET', path: '/x', route: 'r', status: 403, error: 'WEFT_ERR_AUTHZ_DENIED',
  });
});

test('a request still in flight is found with its story so far', () => {
  const book = new StoryBook(0, undefined);
  const s = book.begin('inbound', 'GET', '/slow', undefined, performance.now());
  book.id(s, 'hanging');
  book.route(s, 'r', 'c');
  book.filter(s, 'auth', '1.0.0', 0, FilterResult.Pause, 0);
  const [story] = book.find('hanging');
  assert.equal(story.inFlight, true);
  assert.equal(story.status, 0);
  assert.deepEqual(story.events.map((e) => e.step), ['route', 'filter']);
  book.end(s, 504, 'WEFT_ERR_FILTER_TIMEOUT', false);
  assert.deepEqual(book.find('hanging').map((x) => [x.inFlight, x.status]), [[false, 504]]);
});

test('requests in flight never share a slot, and a sampled-out slot is reused', () => {
  const book = new StoryBook(0, undefined);
  const now = performance.now();
  const open = Array.from({ length: 300 }, (_, i) => {
    const s = book.begin('inbound', 'GET', `/${i}`, undefined, now);
    book.id(s, `open-${i}`);
    return s;
  });
  assert.equal(new Set(open).size, open.length);
  open.forEach((s, i) => book.end(s, 500 + (i % 2), '', false));
  for (let i = 0; i < 300; i++) assert.equal(book.find(`open-${i}`)[0].path, `/${i}`);
  // Far more requests than slots, each ending before the next: nothing runs out.
  for (let i = 0; i < 10_000; i++) serve(book, `seq-${i}`, 200);
  assert.ok(book.begin('inbound', 'GET', '/', undefined, now) >= 0);
});
