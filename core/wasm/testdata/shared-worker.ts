// Worker used by shared-data.test.ts: opens the store from the SharedArrayBuffer it is given and performs the asked operation.
import { parentPort, workerData } from 'node:worker_threads';
import { SharedState } from '../shared-data.ts';

const { sab, op, key, value, queue } = workerData as { sab: SharedArrayBuffer; op: string; key: string; value: string; queue: number };
const store = new SharedState(sab);
if (op === 'set') parentPort!.postMessage(store.set('vm', key, new TextEncoder().encode(value), 0));
if (op === 'get') parentPort!.postMessage(new TextDecoder().decode(store.get('vm', key)?.value ?? new Uint8Array(0)));
if (op === 'enqueue') parentPort!.postMessage(store.enqueue(queue, new TextEncoder().encode(value)));
if (op === 'increment') {
  // Many compare-and-set increments racing with the main thread's.
  let done = 0;
  while (done < 200) {
    const cur = store.get('vm', key)!;
    const next = String(Number(new TextDecoder().decode(cur.value)) + 1);
    if (store.set('vm', key, new TextEncoder().encode(next), cur.cas) === 0) done++;
  }
  parentPort!.postMessage(done);
}
