// Shared data and queues seen from two real worker threads over one SharedArrayBuffer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Status } from './abi.ts';
import { SharedState } from './shared-data.ts';

const WORKER = new URL('./testdata/shared-worker.ts', import.meta.url);
const enc = new TextEncoder();
const dec = new TextDecoder();

function inWorker(data: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: data });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

test('a value written in one worker thread is read in another', async () => {
  const sab = SharedState.allocate(1 << 20);
  assert.equal(await inWorker({ sab, op: 'set', key: 'k', value: 'from-worker' }), Status.Ok);
  assert.equal(dec.decode(new SharedState(sab).get('vm', 'k')!.value), 'from-worker');
  new SharedState(sab).set('vm', 'k2', enc.encode('from-main'), 0);
  assert.equal(await inWorker({ sab, op: 'get', key: 'k2' }), 'from-main');
});

test('a stale cas after another thread wrote returns CAS_MISMATCH; keys are scoped per vm_id', async () => {
  const sab = SharedState.allocate(1 << 20);
  const store = new SharedState(sab);
  store.set('vm', 'k', enc.encode('a'), 0);
  const { cas } = store.get('vm', 'k')!;
  assert.notEqual(cas, 0);
  await inWorker({ sab, op: 'set', key: 'k', value: 'b-longer-than-before-to-force-a-new-entry' });
  assert.equal(store.set('vm', 'k', enc.encode('c'), cas), Status.CasMismatch);
  assert.equal(dec.decode(store.get('vm', 'k')!.value), 'b-longer-than-before-to-force-a-new-entry');
  assert.equal(store.get('other-vm', 'k'), null);
});

test('CAS increments racing in two threads lose no update', async () => {
  const sab = SharedState.allocate(1 << 20);
  const store = new SharedState(sab);
  store.set('vm', 'n', enc.encode('0'), 0);
  const worker = inWorker({ sab, op: 'increment', key: 'n' });
  let done = 0;
  while (done < 200) {
    const cur = store.get('vm', 'n')!;
    if (store.set('vm', 'n', enc.encode(String(Number(dec.decode(cur.value)) + 1)), cur.cas) === Status.Ok) done++;
    if (done % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  assert.equal(await worker, 200);
  assert.equal(dec.decode(store.get('vm', 'n')!.value), '400');
});

test('a message enqueued in a worker wakes a waiter in another thread and dequeues in order', async () => {
  const sab = SharedState.allocate(1 << 20);
  const store = new SharedState(sab);
  const id = store.registerQueue('vm', 'jobs');
  assert.equal(store.registerQueue('vm', 'jobs'), id);
  assert.equal(store.resolveQueue('vm', 'jobs'), id);
  assert.equal(store.resolveQueue('vm', 'nope'), 0);
  assert.equal(store.dequeue(id), Status.Empty);
  const woken = store.waitForQueue(id, 2000);
  assert.equal(await inWorker({ sab, op: 'enqueue', queue: id, value: 'one' }), Status.Ok);
  assert.equal(await woken, 'ok');
  store.enqueue(id, enc.encode('two'));
  assert.equal(dec.decode(store.dequeue(id) as Uint8Array), 'one');
  assert.equal(dec.decode(store.dequeue(id) as Uint8Array), 'two');
  assert.equal(store.dequeue(id), Status.Empty);
  assert.equal(store.dequeue(999), Status.NotFound);
});
