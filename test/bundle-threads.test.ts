// Each thread of a `weft proxy` run from the bundle loads only what it uses (ARCHITECTURE.md, "Memory budget"): the modules every thread loaded, read from the bundle chunks' own path comments.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { buildBin, dist } from '../release/build.ts';
import { readyLine, stopChild } from '../core/proxy/spawn.ts';
import { startUpstream } from './support/upstream.ts';
import { startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import { WAIT_MS } from './support/wait.ts';

const hook = fileURLToPath(new URL('./support/record-loads.ts', import.meta.url));

before(async () => {
  // Cached by content, as test/executable.test.ts's build is.
  await buildBin({ ifChanged: true, executable: false });
}, { timeout: 600_000 });

/** The bundled sources each thread's loaded chunks hold, by thread id (0: the main thread), as `node_modules/…` or `core/…` paths. */
function modulesByThread(stderr: string): Map<number, Set<string>> {
  const threads = new Map<number, Set<string>>();
  for (const line of stderr.split('\n')) {
    const m = /^weft-loaded (\d+) (file:\S+)$/.exec(line);
    if (!m) continue;
    const thread = Number(m[1]);
    let modules = threads.get(thread);
    if (!modules) threads.set(thread, modules = new Set());
    // esbuild starts each bundled module with a comment naming its source (node_modules may be reached through a symlink).
    for (const c of readFileSync(fileURLToPath(m[2]), 'utf8').matchAll(/^\/\/ (?:\.\.\/)*(?:[^ \n]*?\/)?((?:node_modules|core|cli)\/[^ \n]+)$/gm)) modules.add(c[1]);
  }
  return threads;
}

/** `weft proxy` from the bundle with `args` (where its routes come from), after it proxied a request per worker and two. */
async function proxyThreads(workers: number, args: (upstream: string) => Promise<string[]> | string[] = (upstream) => ['--upstream', upstream]): Promise<Map<number, Set<string>>> {
  const upstream = await startUpstream();
  let proc: ReturnType<typeof spawn> | undefined;
  let stderr = '';
  try {
    proc = spawn(process.execPath, ['--import', hook, join(dist, 'lib', 'weft.js'), 'proxy', '--listen', '127.0.0.1:0', ...await args(upstream.url), '--workers', String(workers), '--admin', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => { stderr += d; });
    const ready = await readyLine(proc, 'weft proxy', 'weft proxy ready', 60_000);
    const get = async () => {
      const res = await fetch(`http://${String(ready.listen)}/`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(WAIT_MS) });
      await res.arrayBuffer();
      return res.status;
    };
    // A proxy fed by a plane routes once its first snapshot is applied.
    await waitFor('the proxy routing', async () => (await get()) === 200 || undefined);
    // A request proxied, so every thread that serves has loaded what serving takes.
    for (let i = 0; i < 2 * workers; i++) assert.equal(await get(), 200);
  } finally {
    if (proc) await stopChild(proc, 10_000);
    await upstream.close();
  }
  return modulesByThread(stderr);
}

const has = (modules: Set<string>, prefix: string) => [...modules].some((m) => m.startsWith(prefix));

test('with --workers 2 the supervisor loads no serving code nor, unscraped, prom-client, and no worker loads undici\'s index or prom-client', async () => {
  const threads = await proxyThreads(2);
  assert.equal(threads.size, 3, `threads seen: ${[...threads.keys()].join(', ')}`);
  const main = threads.get(0)!;
  assert.ok(main.has('core/proxy/supervisor.ts'));
  for (const serving of ['core/http/request-path.ts', 'core/wasm/vm.ts', 'core/upstream/cluster.ts']) assert.ok(!main.has(serving), `the main thread loaded ${serving}`);
  assert.ok(!has(main, 'node_modules/undici/'), 'the main thread loaded undici');
  assert.ok(!has(main, 'node_modules/prom-client/'), 'the main thread loaded prom-client with nothing scraped');
  for (const [id, modules] of threads) {
    if (id === 0) continue;
    assert.ok(modules.has('core/http/request-path.ts'), `worker ${id} did not load the request path`);
    assert.ok(modules.has('node_modules/undici/lib/dispatcher/dispatcher.js'));
    assert.ok(!modules.has('node_modules/undici/index.js'), `worker ${id} loaded undici's index`);
    assert.ok(!modules.has('node_modules/undici/lib/dispatcher/pool.js'), `worker ${id} loaded undici's Pool with no upgrade`);
    assert.ok(!has(modules, 'node_modules/prom-client/'), `worker ${id} loaded prom-client`);
  }
});

test('with --workers 1 the main thread serves, with undici\'s dispatcher but not its index', async () => {
  const threads = await proxyThreads(1);
  assert.deepEqual([...threads.keys()], [0]);
  const main = threads.get(0)!;
  assert.ok(main.has('core/http/request-path.ts'));
  assert.ok(main.has('node_modules/undici/lib/dispatcher/dispatcher.js'));
  assert.ok(!main.has('node_modules/undici/index.js'));
});

/** ajv's compiler: the precompiled validators (release/generate-validators.ts) import only its small runtime helpers. */
const ajvCore = (modules: Set<string>) => [...modules].filter((m) => m.startsWith('node_modules/ajv/') && !m.startsWith('node_modules/ajv/dist/runtime/'));

test('a proxy fed by a plane validates its snapshots (config and policy) without loading ajv\'s compiler, on any thread', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  const fedBy = (node: string) => async (upstream: string) => {
    const mesh = join(tempDir('bundle-threads'), 'mesh.yaml');
    writeFileSync(mesh, `clusters:\n  - name: app\n    endpoints: [${upstream}]\nroutes:\n  - cluster: app\n`);
    const applied = await plane.weft(['apply', '-f', mesh]);
    assert.equal(applied.code, 0, applied.stderr);
    return ['--plane', plane.url, '--token', plane.token, '--node', node, '--data-dir', tempDir(node)];
  };
  for (const workers of [1, 2]) {
    const threads = await proxyThreads(workers, fedBy(`threads-${workers}`));
    assert.equal(threads.size, workers === 1 ? 1 : workers + 1, `threads seen: ${[...threads.keys()].join(', ')}`);
    const main = threads.get(0)!;
    assert.ok(main.has('core/config/schema-validator.generated.js'), 'the main thread did not load the config validator');
    assert.ok(main.has('core/authz/policy-validator.generated.js'), 'the main thread did not load the policy validator');
    for (const [id, modules] of threads) assert.deepEqual(ajvCore(modules), [], `thread ${id} of a ${workers}-worker proxy loaded ajv's compiler`);
  }
});
