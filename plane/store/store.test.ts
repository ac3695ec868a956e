// One set of store behaviours run against both backends: the embedded SQLite file and a real etcd on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EtcdStore } from './etcd.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';
import { startEtcd, tempDir, waitFor } from '../test/support.ts';

async function storeBehaviours(t: test.TestContext, open: () => Promise<Store>): Promise<void> {
  const store = await open();
  t.after(() => store.close());
  const seen: string[] = [];
  store.watch((key) => seen.push(key));

  await t.test('put, get, list by prefix in key order, delete', async () => {
    await store.put('filters/b/versions/1', 'B1');
    await store.put('filters/a/versions/1', 'A1');
    await store.put('filtersx', 'not under filters/');
    assert.equal(await store.get('filters/a/versions/1'), 'A1');
    assert.equal(await store.get('missing'), undefined);
    assert.deepEqual(await store.list('filters/'), [{ key: 'filters/a/versions/1', value: 'A1' }, { key: 'filters/b/versions/1', value: 'B1' }]);
    assert.equal(await store.delete('filtersx'), true);
    assert.equal(await store.delete('filtersx'), false);
  });

  await t.test('swap writes only over the expected value, creates only when absent, deletes with undefined', async () => {
    assert.equal(await store.swap('heads/a', undefined, '1'), true);
    assert.equal(await store.swap('heads/a', undefined, '2'), false, 'exists already');
    assert.equal(await store.swap('heads/a', '9', '2'), false, 'stale expectation');
    assert.equal(await store.swap('heads/a', '1', '2'), true);
    assert.equal(await store.get('heads/a'), '2');
    assert.equal(await store.swap('heads/a', '2', undefined), true);
    assert.equal(await store.get('heads/a'), undefined);
  });

  await t.test('every change is announced to watchers', async () => {
    await store.put('rollout', 'x');
    await waitFor('the rollout key change', () => seen.includes('rollout'));
    assert.ok(seen.includes('filters/a/versions/1') && seen.includes('heads/a'));
  });
}

test('sqlite store', (t) => storeBehaviours(t, async () => new SqliteStore(join(tempDir('sqlite'), 'plane.db'))));

test('etcd store', async (t) => {
  const etcd = await startEtcd();
  t.after(() => etcd.stop());
  await storeBehaviours(t, async () => {
    const store = new EtcdStore([etcd.url]);
    await store.start();
    return store;
  });
});
