// The release builds: dist/weft copied alone into an empty directory runs with no node on PATH (--version, a proxy with a built-in filter and two workers, a plane, a filter push, the dashboard's files), and the npm tarball installs globally and runs from the bundle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { buildBin, dist, executablePath } from '../release/build.ts';
import { binNodeEnv, binNodeFlags } from '../release/node-flags.ts';
import { readyLine } from '../core/proxy/spawn.ts';
import { startUpstream } from './support/upstream.ts';
import { startEtcd } from '../plane/test/support.ts';
import type { Upstream } from './support/upstream.ts';

const root = new URL('../', import.meta.url);
const packageVersion = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;
const work = mkdtempSync(join(tmpdir(), 'weft-release-'));
const children = new Set<ChildProcess>();
let upstream: Upstream;

before(async () => {
  // Cached by content: a suite run after `npm run build:bin`, or a second run, reuses dist/ (a build costs ~20 s).
  await buildBin({ ifChanged: true });
  upstream = await startUpstream();
}, { timeout: 600_000 });

after(async () => {
  for (const proc of children) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  await upstream?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Ran { code: number | null; stdout: string; stderr: string }

/** Runs a command to completion with exactly `env` (nothing inherited). */
async function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Ran> {
  const proc = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(proc, 'close');
  children.delete(proc);
  return { code: code as number | null, stdout, stderr };
}

/** Starts a long-running command and resolves with its ready line; stop() sends SIGTERM and waits for the exit code. */
async function serve(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, readyMsg: string) {
  const proc = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const ready = await readyLine(proc, command, readyMsg, 60_000);
  return {
    ready,
    output: () => output,
    async stop(): Promise<number | null> {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const [code] = await exited;
      children.delete(proc);
      return code as number | null;
    },
  };
}

/** Fresh connections (Connection: close) through the proxy until both workers have answered, or `max` were sent. */
async function untilBothWorkers(proxyUrl: string, admin: string, max = 200): Promise<string> {
  let metrics = '';
  for (let i = 0; i < max; i++) {
    const res = await fetch(`${proxyUrl}/spread/${i}`, { headers: { connection: 'close' } });
    await res.arrayBuffer();
    if (i % 20 !== 19) continue;
    metrics = await (await fetch(`${admin}/metrics`)).text();
    if (/weft_requests_total\{[^}]*worker="0"/.test(metrics) && /weft_requests_total\{[^}]*worker="1"/.test(metrics)) break;
  }
  return metrics;
}

function checkVersionText(stdout: string): void {
  const lines = stdout.trim().split('\n');
  assert.equal(lines[0], `weft ${packageVersion}`);
  assert.match(lines[1], /^commit\s+[0-9a-f]{12}(\+changes)?$/);
  assert.ok(!Number.isNaN(Date.parse(lines[2].replace(/^built\s+/, ''))), lines[2]);
  // The bin's Node flags and environment (its first line) reach both builds: the executable through its execArgv and
  // (as the deploy units give it) its environment, npm's bin by its shebang.
  const expected = [...binNodeFlags(), ...Object.entries(binNodeEnv()).map(([k, v]) => `${k}=${v}`)];
  assert.equal(lines[3].replace(/^node\s+v\d+\.\d+\.\d+/, ''), expected.map((word) => ` ${word}`).join(''), lines[3]);
  assert.match(lines[4], /^proxy-wasm ABI\s+0\.2\.1, 0\.2\.0, 0\.1\.0$/);
}

test('dist/weft copied alone into an empty directory: --version, proxy, plane and filter push with no node on PATH', { timeout: 300_000 }, async (t) => {
  const dir = join(work, 'host');
  mkdirSync(dir);
  const weft = join(dir, 'weft');
  copyFileSync(executablePath, weft);
  assert.deepEqual(readdirSync(dir), ['weft']);
  // The release's digest is the executable's, in the form sha256sum -c checks (README, Install).
  const digest = createHash('sha256').update(readFileSync(weft)).digest('hex');
  assert.equal(readFileSync(join(dist, 'weft.sha256'), 'utf8'), `${digest}  weft\n`);
  assert.equal(spawnSync('sha256sum', ['-c', 'weft.sha256'], { cwd: dist }).status, 0);
  // Nothing but the directory itself on PATH, and no node in it: whatever runs comes from the executable. The
  // environment the deploy units set (the bin's first line's), as glibc must read it before the executable starts.
  const env = { PATH: dir, HOME: dir, ...binNodeEnv() };
  assert.notEqual(spawnSync('/bin/sh', ['-c', 'command -v node'], { env }).status, 0);

  await t.test('--version prints the stamp, the Node inside and the ABI versions', async () => {
    const out = await run(weft, ['--version'], env, dir);
    assert.equal(out.code, 0, out.stderr);
    checkVersionText(out.stdout);
    assert.match(out.stdout, /^node\s+v24\./m);
  });

  await t.test('proxy: a built-in filter loaded by name, two workers, an access log, a real upstream', async () => {
    const proxy = await serve(weft, ['proxy', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--upstream', upstream.url,
      '--workers', '2', '--filter', 'telemetry', '--access-log', join(dir, 'access.log'), '--data-dir', join(dir, 'proxy')], env, dir, 'weft proxy ready');
    try {
      assert.equal(proxy.ready.workers, 2);
      const url = `http://${proxy.ready.listen as string}`;
      const admin = `http://${proxy.ready.admin as string}`;
      const res = await fetch(`${url}/orders/7`);
      assert.equal(res.status, 200);
      assert.equal((await res.json() as { url: string }).url, '/orders/7');
      const metrics = await untilBothWorkers(url, admin);
      // telemetry ran on the requests: its metrics are the filter's own.
      assert.match(metrics, /weft_filter_requests_total\{[^}]*code="200"[^}]*\} \d+/);
      assert.match(metrics, /weft_requests_total\{[^}]*worker="0"/);
      assert.match(metrics, /weft_requests_total\{[^}]*worker="1"/);
      assert.equal(await proxy.stop(), 0);
      // The access log's own thread (pino's transport) wrote every request before the exit.
      const log = readFileSync(join(dir, 'access.log'), 'utf8');
      assert.match(log, /"path":"\/orders\/7"/);
    } finally {
      await proxy.stop();
    }
  });

  await t.test('plane, then filter push (its sandbox check runs in the plane) and filter list', async () => {
    const data = join(dir, 'plane');
    const plane = await serve(weft, ['plane', '--listen', '127.0.0.1:0', '--data-dir', data], env, dir, 'weft plane ready');
    try {
      const client = { ...env, WEFT_PLANE: plane.ready.url as string, WEFT_TOKEN: readFileSync(join(data, 'token'), 'utf8').trim() };
      copyFileSync(join(dist, 'lib', 'filters', 'telemetry.wasm'), join(dir, 'telemetry.wasm'));
      const pushed = await run(weft, ['filter', 'push', 'telemetry', 'telemetry.wasm', '--version', '1.0.0'], client, dir);
      assert.equal(pushed.code, 0, pushed.stderr);
      assert.match(pushed.stdout, /^pushed telemetry@1\.0\.0 sha256:[0-9a-f]{64}$/m);
      // A module that fails the sandbox (an empty module: no ABI marker) is refused with its reason.
      writeFileSync(join(dir, 'bogus.wasm'), new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
      const refused = await run(weft, ['filter', 'push', 'bogus', 'bogus.wasm', '--version', '1.0.0'], client, dir);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /proxy_abi_version.*WEFT_ERR_FILTER_REJECTED/);
      const list = await run(weft, ['filter', 'list'], client, dir);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^telemetry\s+1\.0\.0\s/m);
      assert.doesNotMatch(list.stdout, /bogus/);
      // The dashboard's files come from the executable's assets: its own modules and the libraries, byte for byte.
      const preact = await fetch(`${plane.ready.url}/ui/vendor/preact.js`);
      assert.equal(preact.status, 200);
      assert.deepEqual(new Uint8Array(await preact.arrayBuffer()), new Uint8Array(readFileSync(new URL('../node_modules/preact/dist/preact.mjs', import.meta.url))));
      assert.match(await (await fetch(`${plane.ready.url}/ui/app/main.js`)).text(), /^\/\/ The dashboard's entry/);
    } finally {
      assert.equal(await plane.stop(), 0);
    }
  });

  await t.test('plane on etcd: the store client the bundle carries (etcd3 with its protos parsed at build time)', async () => {
    const etcd = await startEtcd();
    try {
      const data = join(dir, 'plane-etcd');
      const plane = await serve(weft, ['plane', '--listen', '127.0.0.1:0', '--data-dir', data, '--store', `etcd:${etcd.url}`], env, dir, 'weft plane ready');
      try {
        assert.equal(plane.ready.store, `etcd:${etcd.url}`);
        const client = { ...env, WEFT_PLANE: plane.ready.url as string, WEFT_TOKEN: readFileSync(join(data, 'token'), 'utf8').trim() };
        const pushed = await run(weft, ['filter', 'push', 'telemetry', 'telemetry.wasm', '--version', '2.0.0'], client, dir);
        assert.equal(pushed.code, 0, pushed.stderr);
        const list = await run(weft, ['filter', 'list'], client, dir);
        assert.match(list.stdout, /^telemetry\s+2\.0\.0\s/m);
      } finally {
        assert.equal(await plane.stop(), 0);
      }
    } finally {
      await etcd.stop();
    }
  });

  await t.test('the SDK commands say in one line what to install', async () => {
    const out = await run(weft, ['filter', 'build', 'my-filter'], env, dir);
    assert.equal(out.code, 2);
    assert.equal(out.stdout, '');
    assert.equal(out.stderr.trim().split('\n').length, 1);
    assert.match(out.stderr, /npm i -D assemblyscript.*\(WEFT_ERR_USAGE\)$/m);
  });
});

test('npm pack: the tarball installs globally and its weft runs from the bundle', { timeout: 300_000 }, async () => {
  const packs = join(work, 'packs');
  mkdirSync(packs);
  // This Node (24) and npm first on PATH, as on a machine whose Node is new enough.
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  // prepack would run the same cached build as before(); skipped so that stdout is npm's JSON alone.
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packs], env, new URL('.', root).pathname);
  assert.equal(packed.code, 0, packed.stderr);
  const [{ filename, files }] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  const paths = files.map((f) => f.path);
  assert.ok(paths.includes('dist/lib/weft.js'), paths.join(' '));
  assert.ok(paths.includes('dist/lib/filters/telemetry.wasm'));
  // The bundle only: no TypeScript sources (Node will not strip types under node_modules), no executable.
  assert.deepEqual(paths.filter((p) => p.endsWith('.ts') || p === 'dist/weft'), []);

  const prefix = join(work, 'prefix');
  const installed = await run('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(packs, filename)], env, work);
  assert.equal(installed.code, 0, installed.stderr);
  const bin = join(prefix, 'bin', 'weft');
  assert.ok(existsSync(bin));

  const version = await run(bin, ['--version'], env, work);
  assert.equal(version.code, 0, version.stderr);
  checkVersionText(version.stdout);

  const proxy = await serve(bin, ['proxy', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--upstream', upstream.url, '--workers', '2',
    '--filter', 'telemetry', '--access-log', join(work, 'npm-access.log'), '--data-dir', join(work, 'npm-proxy')], env, work, 'weft proxy ready');
  try {
    const res = await fetch(`http://${proxy.ready.listen as string}/from-npm`);
    assert.equal(res.status, 200);
    assert.equal((await res.json() as { url: string }).url, '/from-npm');
    const metrics = await (await fetch(`http://${proxy.ready.admin as string}/metrics`)).text();
    assert.match(metrics, /weft_filter_requests_total\{[^}]*code="200"[^}]*\} 1/);
  } finally {
    assert.equal(await proxy.stop(), 0);
  }
  assert.match(readFileSync(join(work, 'npm-access.log'), 'utf8'), /"path":"\/from-npm"/);
});
