// Each thread of a `weft proxy`, and of an idle `weft plane`, run from the bundle loads only what it uses (ARCHITECTURE.md, "Memory budget"): the modules every thread loaded, read from the bundle chunks' own path comments, and the builtins, read from each thread's process.moduleLoadList.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
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

interface Loads {
  /** The bundled sources each thread's loaded chunks hold, by thread id (0: the main thread), as `node_modules/…`, `core/…`, `cli/…` or `plane/…` paths. */
  files: Map<number, Set<string>>;
  /** The builtins each thread loaded (`http2`, `internal/deps/undici/undici`…), by thread id. */
  builtins: Map<number, Set<string>>;
}

function loadsByThread(stderr: string): Loads {
  const files = new Map<number, Set<string>>();
  const builtins = new Map<number, Set<string>>();
  const of = (map: Map<number, Set<string>>, thread: number) => {
    let set = map.get(thread);
    if (!set) map.set(thread, set = new Set());
    return set;
  };
  for (const line of stderr.split('\n')) {
    const b = /^weft-builtins (\d+) (\S*)$/.exec(line);
    if (b) {
      const set = of(builtins, Number(b[1]));
      for (const name of b[2].split(',')) if (name) set.add(name);
      continue;
    }
    const m = /^weft-loaded (\d+) (file:\S+)$/.exec(line);
    if (!m) continue;
    const modules = of(files, Number(m[1]));
    // esbuild starts each bundled module with a comment naming its source (node_modules may be reached through a symlink).
    for (const c of readFileSync(fileURLToPath(m[2]), 'utf8').matchAll(/^\/\/ (?:\.\.\/)*(?:[^ \n]*?\/)?((?:node_modules|core|cli|plane)\/[^ \n]+)$/gm)) modules.add(c[1]);
  }
  return { files, builtins };
}

/** One request over HTTP/2 with prior knowledge (h2c), as gRPC clients send. */
async function h2cRequest(authority: string): Promise<number> {
  const session = http2.connect(`http://${authority}`);
  try {
    return await new Promise<number>((resolve, reject) => {
      session.once('error', reject);
      const stream = session.request({ ':path': '/' }, { endStream: true });
      stream.once('error', reject);
      stream.once('response', (headers) => {
        stream.resume();
        stream.once('end', () => resolve(Number(headers[':status'])));
      });
    });
  } finally {
    session.close();
  }
}

const fromUpstream = (upstream: string) => ['--upstream', upstream];

/**
 * `weft COMMAND ARGS` from the bundle with the recording hook: `exercise` runs once its ready line is out, and the loads
 * are read once every thread has written a builtins report after it.
 */
async function bundleThreads(command: string, args: string[], exercise: (ready: Record<string, unknown>) => Promise<void>): Promise<Loads> {
  let proc: ReturnType<typeof spawn> | undefined;
  let stderr = '';
  let onStderr = () => {};
  try {
    proc = spawn(process.execPath, ['--import', hook, join(dist, 'lib', 'weft.js'), command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      onStderr();
    });
    await exercise(await readyLine(proc, `weft ${command}`, `weft ${command} ready`, 60_000));
    // Each thread's builtins are complete once it has written a report after the last answer.
    const mark = stderr.length;
    const threads = [...loadsByThread(stderr).files.keys()];
    const reported = () => threads.every((t) => stderr.indexOf(`\nweft-builtins ${t} `, mark - 1) >= 0);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`threads ${threads.join(', ')} did not all report their builtins`)), WAIT_MS);
      onStderr = () => {
        if (!reported()) return;
        clearTimeout(timer);
        resolve();
      };
      onStderr();
    });
  } finally {
    if (proc) await stopChild(proc, 10_000);
  }
  return loadsByThread(stderr);
}

/** `weft proxy` from the bundle with `args` (where its routes come from), after it proxied a request per worker and two, `over` HTTP/1.1 or h2c. */
async function proxyThreads(workers: number, args: (upstream: string) => Promise<string[]> | string[] = fromUpstream, over: 'http1' | 'h2c' = 'http1'): Promise<Loads> {
  const upstream = await startUpstream();
  try {
    return await bundleThreads('proxy', ['--listen', '127.0.0.1:0', ...await args(upstream.url), '--workers', String(workers), '--admin', 'off'], async (ready) => {
      const get = async () => {
        const res = await fetch(`http://${String(ready.listen)}/`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(WAIT_MS) });
        await res.arrayBuffer();
        return res.status;
      };
      // A proxy fed by a plane routes once its first snapshot is applied.
      await waitFor('the proxy routing', async () => (await get()) === 200 || undefined);
      // A request proxied, so every thread that serves has loaded what serving takes.
      for (let i = 0; i < 2 * workers; i++) assert.equal(over === 'h2c' ? await h2cRequest(String(ready.listen)) : await get(), 200);
    });
  } finally {
    await upstream.close();
  }
}

const has = (modules: Set<string>, prefix: string) => [...modules].some((m) => m.startsWith(prefix));

test('with --workers 2 the supervisor loads no serving code nor, unscraped, prom-client, and no worker loads undici\'s index or prom-client', async () => {
  const threads = (await proxyThreads(2)).files;
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
  const threads = (await proxyThreads(1)).files;
  assert.deepEqual([...threads.keys()], [0]);
  const main = threads.get(0)!;
  assert.ok(main.has('core/http/request-path.ts'));
  assert.ok(main.has('node_modules/undici/lib/dispatcher/dispatcher.js'));
  assert.ok(!main.has('node_modules/undici/index.js'));
});

/** ajv's compiler: the precompiled validators (release/generate-validators.ts) import only its small runtime helpers. */
const ajvCore = (modules: Set<string>) => [...modules].filter((m) => m.startsWith('node_modules/ajv/') && !m.startsWith('node_modules/ajv/dist/runtime/'));

/** What undici's Agent and request() brought to a sidecar's main thread for its calls to the plane (~6 MiB, node:http2 with its Client): they go over node:http now. */
const UNDICI_CLIENTS = ['agent.js', 'pool.js', 'client.js'].map((f) => `node_modules/undici/lib/dispatcher/${f}`).concat('node_modules/undici/lib/api/api-request.js');

test('a proxy fed by a plane validates its snapshots (config and policy) without loading ajv\'s compiler, on any thread, and calls the plane without undici\'s Agent, Client or node:http2', async (t) => {
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
    const { files: threads, builtins } = await proxyThreads(workers, fedBy(`threads-${workers}`));
    assert.equal(threads.size, workers === 1 ? 1 : workers + 1, `threads seen: ${[...threads.keys()].join(', ')}`);
    const main = threads.get(0)!;
    assert.ok(main.has('core/config/schema-validator.generated.js'), 'the main thread did not load the config validator');
    assert.ok(main.has('core/authz/policy-validator.generated.js'), 'the main thread did not load the policy validator');
    assert.ok(main.has('core/control/plane-request.ts'), 'the main thread did not load the plane\'s client, so the record is not what it seems');
    for (const [id, modules] of threads) assert.deepEqual(ajvCore(modules), [], `thread ${id} of a ${workers}-worker proxy loaded ajv's compiler`);
    assert.deepEqual(UNDICI_CLIENTS.filter((f) => main.has(f)), [], `the main thread of a ${workers}-worker proxy loaded undici's clients`);
    if (workers > 1) assert.ok(!has(main, 'node_modules/undici/'), 'the supervisor of a plane-fed proxy loaded undici');
    const mainBuiltins = builtins.get(0)!;
    assert.ok(mainBuiltins.has('http'), 'node:http not seen on the main thread, so the record is not what it seems');
    for (const name of ['http2', 'internal/http2/core']) assert.ok(!mainBuiltins.has(name), `the main thread of a ${workers}-worker proxy loaded ${name}`);
  }
});

// node:http2 and Node's own undici (8–9 MiB of a 2-worker proxy; ARCHITECTURE.md, "Memory budget") load only where HTTP/2 is spoken,
// node:tls and node:https where TLS is; fs's streams and promises, and readline's interface they bring, nowhere (importing node:fs as a module loaded them).
test('a plain HTTP/1.1 proxy loads neither node:http2, Node\'s bundled undici, node:tls nor fs\'s streams and readline in any thread', async () => {
  const { files, builtins } = await proxyThreads(2);
  assert.deepEqual([...builtins.keys()].sort(), [...files.keys()].sort());
  for (const [id, names] of builtins) {
    assert.ok(names.has('http'), `thread ${id}: node:http not seen, so the record is not what it seems`);
    for (const name of ['http2', 'internal/http2/core', 'internal/deps/undici/undici', 'tls', 'https', 'internal/fs/streams', 'internal/fs/promises', 'internal/readline/interface']) assert.ok(!names.has(name), `thread ${id} loaded ${name}`);
  }
});

test('an idle plane loads neither node:http2 nor an undici, Node\'s or the npm package\'s', async () => {
  const { files, builtins } = await bundleThreads('plane', ['--listen', '127.0.0.1:0', '--data-dir', tempDir('bundle-threads-plane')], async (ready) => {
    const res = await fetch(`${String(ready.url)}/healthz`, { signal: AbortSignal.timeout(WAIT_MS) });
    await res.arrayBuffer();
    assert.equal(res.status, 200);
  });
  assert.ok(files.get(0)?.has('plane/server.ts'), 'the main thread did not load the plane\'s server, so the record is not what it seems');
  for (const [id, names] of builtins) {
    if (id === 0) assert.ok(names.has('http'), 'node:http not seen on the main thread');
    for (const name of ['http2', 'internal/deps/undici/undici']) assert.ok(!names.has(name), `thread ${id} loaded ${name}`);
  }
  for (const [id, modules] of files) assert.ok(!has(modules, 'node_modules/undici/'), `thread ${id} loaded undici`);
});

test('an HTTP/2 (h2c) connection loads node:http2 in the thread that serves it, and the request is answered', async () => {
  const { builtins } = await proxyThreads(1, fromUpstream, 'h2c');
  const main = builtins.get(0)!;
  assert.ok(main.has('http2'), 'the serving thread did not load node:http2');
  assert.ok(!main.has('internal/deps/undici/undici'), 'node:http2 brought Node\'s bundled undici');
});
