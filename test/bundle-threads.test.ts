// Each thread of a `weft proxy` run from the bundle loads only what it uses (ARCHITECTURE.md, "Memory budget"): the modules every thread loaded, read from the bundle chunks' own path comments.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { buildBin, dist } from '../release/build.ts';
import { readyLine, stopChild } from '../core/proxy/spawn.ts';
import { startUpstream } from './support/upstream.ts';

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

async function proxyThreads(workers: number): Promise<Map<number, Set<string>>> {
  const upstream = await startUpstream();
  const proc = spawn(process.execPath, ['--import', hook, join(dist, 'lib', 'weft.js'), 'proxy', '--listen', '127.0.0.1:0', '--upstream', upstream.url, '--workers', String(workers), '--admin', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { stderr += d; });
  try {
    const ready = await readyLine(proc, 'weft proxy', 'weft proxy ready', 60_000);
    // A request proxied, so every thread that serves has loaded what serving takes.
    for (let i = 0; i < 2 * workers; i++) {
      const res = await fetch(`http://${String(ready.listen)}/`, { headers: { connection: 'close' } });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
  } finally {
    await stopChild(proc, 10_000);
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
