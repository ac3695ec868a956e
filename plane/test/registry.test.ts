// The filter registry and mesh config through the real plane and the real CLI: sandbox rejections, immutability, rollback, in-use, validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFilter } from '../../sdk/tools/build.ts';
import type { Snapshot } from '../../core/control/snapshot.ts';
import { picky, trapsOnConfigure, versionedFilter } from './modules.ts';
import { startPlane, tempDir } from './support.ts';

test('filter registry and mesh config on one plane', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  const dir = tempDir('registry');
  const file = (name: string, bytes: Uint8Array | string) => { writeFileSync(join(dir, name), bytes); return join(dir, name); };
  const v1 = file('v1.wasm', await versionedFilter('v1'));
  const v2 = file('v2.wasm', await versionedFilter('v2'));
  const snapshot = () => plane.json<Snapshot>('/v1/snapshot');

  await t.test('a push stores a content-addressed version and the same push again changes nothing', async () => {
    const first = await plane.weft(['filter', 'push', 'hdr', v1, '--version', '1.0.0']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /pushed hdr@1\.0\.0 sha256:[0-9a-f]{64}/);
    const again = await plane.weft(['filter', 'push', 'hdr', v1, '--version', '1.0.0']);
    assert.equal(again.code, 0, again.stderr);
    const list = await plane.weft(['filter', 'list']);
    assert.match(list.stdout, /hdr\s+1\.0\.0\s+[0-9a-f]{12}\s+no\s+.*\*\s+the current version/);
  });

  await t.test('a version is immutable: other bytes under it are refused', async () => {
    const r = await plane.weft(['filter', 'push', 'hdr', v2, '--version', '1.0.0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /versions are immutable \(WEFT_ERR_FILTER_VERSION_EXISTS\)/);
  });

  await t.test('writes need the token', async () => {
    const r = await plane.weft(['filter', 'push', 'hdr', v2, '--version', '9'], { WEFT_TOKEN: 'wrong' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /WEFT_ERR_PLANE_UNAUTHORIZED/);
    const raw = await fetch(`${plane.url}/v1/mesh`, { method: 'PUT', body: '{}' });
    assert.equal(raw.status, 401);
  });

  await t.test('reads need the token too (mesh config may hold filter secrets), except health and metrics', async () => {
    for (const path of ['/v1/watch?node=x', '/v1/snapshot', '/v1/status', '/v1/filters', '/v1/mesh/routes']) {
      assert.equal((await fetch(`${plane.url}${path}`)).status, 401, path);
    }
    assert.equal((await fetch(`${plane.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${plane.url}/metrics`)).status, 200);
    assert.match((await plane.weft(['get', 'routes'], { WEFT_TOKEN: '' })).stderr, /WEFT_ERR_PLANE_UNAUTHORIZED/);
  });

  await t.test('a mesh config is validated with the proxy schema and refused whole, naming the path', async () => {
    const before = await snapshot();
    const bad = file('bad.yaml', 'clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\nroutes:\n  - cluster: paymnt\nfilters:\n  - name: hdr\n');
    const r = await plane.weft(['apply', '-f', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /routes\[0\]\.cluster: unknown cluster "paymnt"/);
    const processSetting = file('listen.yaml', 'listen: 127.0.0.1:8080\nclusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\n');
    const r2 = await plane.weft(['apply', '-f', processSetting]);
    assert.match(r2.stderr, /listen: a setting of one proxy process/);
    const unknownFilter = file('unknown.yaml', 'clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\nfilters:\n  - name: nope\n');
    assert.match((await plane.weft(['apply', '-f', unknownFilter])).stderr, /filters\[0\]\.name: no pushed filter "nope"/);
    assert.equal((await snapshot()).version, before.version, 'a refused config changes nothing');
  });

  await t.test('an applied config reaches the snapshot; unchanged kinds keep their revision', async () => {
    const good = file('mesh.yaml', 'clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\nroutes:\n  - match: { prefix: / }\n    cluster: app\nfilters:\n  - name: hdr\n    config: { greeting: hi }\n');
    const r = await plane.weft(['apply', '-f', good]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /applied revision 1/);
    const s = await snapshot();
    assert.deepEqual(s.filters.map((f) => [f.name, f.version, f.config]), [['hdr', '1.0.0', { greeting: 'hi' }]]);
    assert.deepEqual(s.routes, [{ match: { prefix: '/' }, cluster: 'app' }]);
    const routes = await plane.weft(['get', 'routes']);
    assert.match(routes.stdout, /# routes at revision 1\nroutes:\n {2}- match:\n {6}prefix: \/\n {4}cluster: app/);
    const changed = file('mesh2.yaml', 'clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\nroutes:\n  - match: { prefix: /v2 }\n    cluster: app\nfilters:\n  - name: hdr\n    config: { greeting: hi }\n');
    assert.match((await plane.weft(['apply', '-f', changed])).stdout, /applied revision 2: clusters@1 routes@2 filters@1/);
  });

  await t.test('pushing is deploying: a new version becomes what unpinned entries run; rollback returns to the previous', async () => {
    assert.equal((await plane.weft(['filter', 'push', 'hdr', v2, '--version', '2.0.0'])).code, 0);
    assert.equal((await snapshot()).filters[0].version, '2.0.0');
    const r = await plane.weft(['filter', 'rollback', 'hdr']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hdr: 2\.0\.0 -> 1\.0\.0/);
    assert.equal((await snapshot()).filters[0].version, '1.0.0');
    assert.match((await plane.weft(['filter', 'rollback', 'hdr'])).stderr, /no earlier version/);
  });

  await t.test('a module that traps in on_configure is refused at push with the reason, and nothing changes', async () => {
    const before = await snapshot();
    const trap = file('trap.wasm', await trapsOnConfigure());
    const r = await plane.weft(['filter', 'push', 'hdr', trap, '--version', '3.0.0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /hdr: rejected at start-up \(no config\): trapped in proxy_on_configure: unreachable \(WEFT_ERR_FILTER_REJECTED\)/);
    assert.doesNotMatch((await plane.weft(['filter', 'list'])).stdout, /3\.0\.0/);
    assert.equal((await snapshot()).version, before.version);
    const notWasm = file('junk.wasm', 'not wasm');
    assert.match((await plane.weft(['filter', 'push', 'junk', notWasm, '--version', '1'])).stderr, /rejected at compile: not a valid WebAssembly module/);
  });

  await t.test("a version is started with each chain entry's config, and a config it refuses is refused at apply", async () => {
    const p = file('picky.wasm', await picky());
    assert.equal((await plane.weft(['filter', 'push', 'picky', p, '--version', '1'])).code, 0, 'no chain entry: started with no config');
    const tooLong = file('picky.yaml', 'clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\nfilters:\n  - name: hdr\n  - name: picky@1\n    config: "far more than ten bytes"\n');
    const r = await plane.weft(['apply', '-f', tooLong]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /filters\[1\]\.config: picky@1 does not start with it: .*proxy_on_configure returned false/);
    const override = file('picky-route.yaml', 'clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\nroutes:\n  - cluster: app\n    filters: { picky: { config: "a route override far too long" } }\nfilters:\n  - name: hdr\n  - name: picky@1\n    config: "short"\n');
    assert.match((await plane.weft(['apply', '-f', override])).stderr, /routes\[0\]\.filters\.picky\.config: picky@1 does not start with it: .*proxy_on_configure returned false/);
    const short = file('picky-ok.yaml', 'clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\nfilters:\n  - name: hdr\n  - name: picky@1\n    config: "short"\n');
    assert.equal((await plane.weft(['apply', '-f', short])).code, 0);
    assert.deepEqual((await snapshot()).filters.map((f) => `${f.name}@${f.version}`), ['hdr@1.0.0', 'picky@1']);
  });

  await t.test('versions in use cannot be deleted; unused ones can', async () => {
    const pinned = await plane.weft(['filter', 'delete', 'picky@1']);
    assert.equal(pinned.code, 1);
    assert.match(pinned.stderr, /picky@1 is in use \(pinned by filters\[1\]\) \(WEFT_ERR_FILTER_IN_USE\)/);
    assert.match((await plane.weft(['filter', 'delete', 'hdr@1.0.0'])).stderr, /in use \(the current version\)/);
    const unused = await plane.weft(['filter', 'delete', 'hdr@2.0.0']);
    assert.equal(unused.code, 0, unused.stderr);
    assert.doesNotMatch((await plane.weft(['filter', 'list'])).stdout, /2\.0\.0/);
  });

  await t.test("an SDK-built filter's config is checked against the schema it declares, with the path", async () => {
    const built = await buildFilter(fileURLToPath(new URL('../../sdk/examples/add-header/', import.meta.url)), { outFile: join(dir, 'add-header.wasm') });
    const pushed = await plane.weft(['filter', 'push', 'add-header', built.outFile, '--version', '1.0.0']);
    assert.equal(pushed.code, 0, `a filter that needs a config is accepted before any chain entry gives it one: ${pushed.stderr}`);
    const chain = (config: string) => file('sdk.yaml', `clusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\nfilters:\n  - name: add-header\n    config: ${config}\n`);
    const bad = await plane.weft(['apply', '-f', chain('{ name: "Not A Header", value: x }')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /filters\[0\]\.config: add-header@1\.0\.0 does not start with it: add-header: the config of filters\[0\] does not fit the filter's schema: \/name: must be a string matching \^\[a-z0-9-\]\+\$ \(got "Not A Header"\)/);
    const good = await plane.weft(['apply', '-f', chain('{ name: x-added, value: "1" }')]);
    assert.equal(good.code, 0, good.stderr);
  });
});
