// The service registry through the real CLI: clusters naming a service get its live endpoints, TTLs drop silent ones, tags narrow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../core/control/snapshot.ts';
import { stopChild, WEFT_BIN } from '../../core/proxy/spawn.ts';
import type { ServiceInstance } from '../model.ts';
import { startPlane, tempDir, waitFor } from './support.ts';

test('service registry on one plane', async (t) => {
  const plane = await startPlane();
  t.after(plane.stop);
  const mesh = join(tempDir('services'), 'mesh.yaml');
  writeFileSync(mesh, 'clusters:\n  - name: api\n    service: api\n  - name: api-v2\n    service: api\n    tags: { version: v2 }\nroutes:\n  - cluster: api\n');
  assert.equal((await plane.weft(['apply', '-f', mesh])).code, 0);
  const endpoints = async () => Object.fromEntries((await plane.json<Snapshot>('/v1/snapshot')).clusters.map((c) => [c.name, c.endpoints]));

  await t.test('a cluster naming a service carries its registered endpoints, narrowed by tags', async () => {
    assert.deepEqual(await endpoints(), { api: [], 'api-v2': [] });
    assert.equal((await plane.weft(['service', 'register', 'api', '--endpoint', 'http://127.0.0.1:7001', '--tag', 'version=v1'])).code, 0);
    const r = await plane.weft(['service', 'register', 'api', '--endpoint', 'http://127.0.0.1:7002/', '--tag', 'version=v2']);
    assert.match(r.stdout, /registered http:\/\/127\.0\.0\.1:7002 in api/);
    assert.deepEqual(await endpoints(), { api: ['http://127.0.0.1:7001', 'http://127.0.0.1:7002'], 'api-v2': ['http://127.0.0.1:7002'] });
    assert.match((await plane.weft(['service', 'list'])).stdout, /api\s+http:\/\/127\.0\.0\.1:7002\s+-\s+version=v2\s+-/);
  });

  await t.test('deregister removes an endpoint; an unknown one is reported', async () => {
    assert.equal((await plane.weft(['service', 'deregister', 'api', '--endpoint', 'http://127.0.0.1:7001'])).code, 0);
    assert.deepEqual((await endpoints()).api, ['http://127.0.0.1:7002']);
    assert.match((await plane.weft(['service', 'deregister', 'api', '--endpoint', 'http://127.0.0.1:7001'])).stderr, /WEFT_ERR_PLANE_NOT_FOUND/);
  });

  await t.test('an endpoint that stops heartbeating drops out after its TTL; one that heartbeats stays', async (t) => {
    // 3 s: the keeper heartbeats every second, so only a machine stalled for three seconds would lose it.
    const keeper = spawn(process.execPath, [WEFT_BIN, 'service', 'register', 'api', '--endpoint', 'http://127.0.0.1:7003', '--ttl', '3s', '--keep'],
      { env: { ...process.env, WEFT_PLANE: plane.url, WEFT_TOKEN: plane.token }, stdio: 'ignore' });
    t.after(() => stopChild(keeper, 10_000));
    assert.equal((await plane.weft(['service', 'register', 'api', '--endpoint', 'http://127.0.0.1:7004', '--ttl', '3s'])).code, 0);
    await waitFor('both registered', async () => (await endpoints()).api.length === 3);
    const silent = (await plane.json<ServiceInstance[]>('/v1/services')).find((i) => i.endpoint === 'http://127.0.0.1:7004');
    assert.equal(silent?.ttlMs, 3000, 'registered with its TTL: it lives that long past its last heartbeat');
    await waitFor('the silent one expires', async () => !(await endpoints()).api.includes('http://127.0.0.1:7004'));
    assert.deepEqual((await endpoints()).api, ['http://127.0.0.1:7002', 'http://127.0.0.1:7003'], 'the heartbeating one stays');
    assert.equal(await stopChild(keeper, 10_000), 0, 'a stopped --keep exits 0');
    await waitFor('a stopped --keep deregisters', async () => !(await endpoints()).api.includes('http://127.0.0.1:7003'));
    assert.match((await plane.weft(['service', 'heartbeat', 'api', '--endpoint', 'http://127.0.0.1:7004'])).stderr, /not registered/);
  });
});
