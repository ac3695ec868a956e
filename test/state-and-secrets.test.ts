// Where the plane and the proxy keep state and with which modes, `weft plane token`, --token-file, and secrets redacted from the admin /config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readyLine, WEFT_BIN } from '../core/proxy/spawn.ts';
import { startPlane, tempDir, waitFor } from '../plane/test/support.ts';
import type { StatusReport } from '../plane/status.ts';
import { watFile } from './support/filters.ts';
import { builtinFilterPath, loadBuiltinFilter } from '../filters/build.ts';
import { runWeft, startProxy } from './support/proxy.ts';
import { startUpstream } from './support/upstream.ts';
import { writeConfig } from './support/config.ts';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../', import.meta.url));

/**
 * `weft ARGS` in `cwd` under umask 000: a file or directory whose mode is left to the umask comes out open to
 * everyone, so the modes checked below are the ones Weft sets. `exec` keeps the pid the weft process's own.
 */
function spawnOpenUmask(args: string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess {
  return spawn('/bin/sh', ['-c', 'umask 000 && exec "$@"', 'sh', process.execPath, WEFT_BIN, ...args], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  await exited;
}

/** Every directory and file under `root`, with its permission bits, by path relative to `root`. */
function modes(root: string): Map<string, { dir: boolean; mode: number }> {
  const out = new Map<string, { dir: boolean; mode: number }>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      out.set(relative(root, path), { dir: st.isDirectory(), mode: st.mode & 0o777 });
      if (st.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out;
}

/** `weft ARGS`, expected to exit: one still running after 30 s (it started instead of refusing) is killed, with code null. */
async function exited(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [WEFT_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  const [code] = await once(proc, 'close');
  clearTimeout(timer);
  return { code: code as number | null, stderr };
}

/** The one line a refused command prints, after asserting its exit code, that it is alone and names `code`. */
function failureLine(r: { code: number | null; stderr: string }, exit: number, code: string): string {
  assert.equal(r.code, exit, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0], new RegExp(code));
  return lines[0];
}

test('the plane and a proxy with an identity keep state under $XDG_STATE_HOME/weft, never in the current directory: directories 0700, files 0600, whatever the umask', async (t) => {
  const home = tempDir('state-modes');
  const checkout = join(home, 'checkout');
  mkdirSync(checkout);
  const stateHome = join(home, 'state');
  const env = { XDG_STATE_HOME: stateHome };
  const app = await startUpstream();
  t.after(() => app.close());

  const plane = spawnOpenUmask(['plane', '--listen', '127.0.0.1:0'], env, checkout);
  t.after(() => stop(plane));
  const { url } = await readyLine(plane, 'weft plane', 'weft plane ready', 20_000) as { url: string };

  const printed = await runWeft(['plane', 'token'], env);
  assert.equal(printed.code, 0, printed.stderr);
  const token = printed.stdout.trim();
  assert.match(token, /^[0-9a-f]{64}$/);
  assert.equal(readFileSync(join(stateHome, 'weft', 'plane', 'token'), 'utf8').trim(), token);

  const client = { ...env, WEFT_PLANE: url, WEFT_TOKEN: token };
  await loadBuiltinFilter('auth');
  assert.equal((await runWeft(['filter', 'push', 'auth', builtinFilterPath('auth'), '--version', '1.0.0'], client)).code, 0);
  const mesh = join(home, 'mesh.yaml');
  writeFileSync(mesh, `clusters:\n  - name: app\n    endpoints: [${app.url}]\nroutes:\n  - cluster: app\nfilters:\n  - name: auth\n    config: { rules: [{ require: anonymous }] }\n`);
  assert.equal((await runWeft(['apply', '-f', mesh], client)).code, 0);
  const joinToken = (await runWeft(['identity', 'token', '--service', 'edge'], client)).stdout.trim();

  const proxy = spawnOpenUmask(['proxy', '--listen', '127.0.0.1:0', '--admin', 'off', '--workers', '1', '--plane', url, '--node', 'edge-1',
    '--token', token, '--join-token', joinToken], env, checkout);
  t.after(() => stop(proxy));
  await readyLine(proxy, 'weft proxy', 'weft proxy ready', 20_000);
  const proxyDir = join(stateHome, 'weft', 'proxy', 'edge-1');
  await waitFor('the proxy to keep its last good snapshot', async () => {
    const r = await runWeft(['status', '--json'], client);
    const acked = (JSON.parse(r.stdout) as StatusReport).nodes.find((n) => n.node === 'edge-1')?.last.ok;
    return (acked && existsSync(join(proxyDir, 'last-good.json'))) || undefined;
  }, 20_000);

  const found = modes(join(stateHome, 'weft'));
  for (const expected of ['plane/token', 'plane/plane.db', 'plane/ca/root-1.key', 'plane/ca/root-1.pem', 'proxy/edge-1/last-good.json',
    'proxy/edge-1/identity/key.pem', 'proxy/edge-1/identity/cert.pem', 'proxy/edge-1/identity/bundle.pem']) {
    assert.ok(found.has(expected), `${expected} was written (found ${[...found.keys()].join(', ')})`);
  }
  assert.ok([...found.keys()].some((p) => /^proxy\/edge-1\/modules\/[0-9a-f]{64}\.wasm$/.test(p)), 'the module is cached');
  for (const [path, { dir, mode }] of found) assert.equal(mode, dir ? 0o700 : 0o600, `${path} is ${mode.toString(8)}`);
  assert.equal(lstatSync(stateHome).mode & 0o777, 0o700, 'a state home weft made is private too');
  assert.deepEqual(readdirSync(checkout), [], 'nothing in the directory the commands ran from');
});

test('a data dir open to other users is refused with one line and WEFT_ERR_DATA_DIR, by the plane and by the proxy', async () => {
  const open = join(tempDir('state-open'), 'shared');
  mkdirSync(open);
  chmodSync(open, 0o755);
  const plane = await exited(['plane', '--listen', '127.0.0.1:0', '--data-dir', open]);
  assert.match(failureLine(plane, 1, 'WEFT_ERR_DATA_DIR'), /is open to other users \(mode 0755\): chmod 700 it/);
  const proxy = await exited(['proxy', '--listen', '127.0.0.1:0', '--admin', 'off', '--plane', 'http://127.0.0.1:9', '--node', 'edge-1', '--data-dir', open]);
  assert.match(failureLine(proxy, 1, 'WEFT_ERR_DATA_DIR'), /is open to other users/);
  assert.deepEqual(readdirSync(open), [], 'nothing was written into it');
});

test('`weft plane token` before any plane ran there says so in one line', async () => {
  const dir = tempDir('state-no-plane');
  const r = await runWeft(['plane', 'token', '--data-dir', dir]);
  assert.match(failureLine(r, 1, 'WEFT_ERR_DATA_DIR'), /no token in .*: a plane makes one at its first start/);
  const byDefault = await runWeft(['plane', 'token'], { XDG_STATE_HOME: dir });
  assert.match(failureLine(byDefault, 1, 'WEFT_ERR_DATA_DIR'), new RegExp(`no token in ${join(dir, 'weft', 'plane')}`));
});

test('the checkout ignores the state a command leaves there when its data dir points into it', async () => {
  const paths = ['.weft/edge-1/last-good.json', '.weft/edge-1/identity/key.pem', '.weft-plane/token', '.weft-plane/ca/root-1.key', '.weft-plane/plane.db'];
  const { stdout } = await run('git', ['-C', REPO, 'check-ignore', '--no-index', ...paths]);
  assert.deepEqual(stdout.trim().split('\n'), paths);
});

test('--token-file (and WEFT_TOKEN_FILE) on the proxy and the client commands: the token never shows in ps', async (t) => {
  const plane = await startPlane();
  t.after(() => plane.stop());
  const app = await startUpstream();
  t.after(() => app.close());
  const tokenFile = join(plane.dataDir, 'token');
  const env = { WEFT_PLANE: plane.url, WEFT_TOKEN: '' };
  const argsOf = async (pid: number) => {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const { stdout } = await run('ps', ['-o', 'args=', '-p', String(pid)]);
    return `${cmdline}\n${stdout}`;
  };

  const mesh = join(tempDir('token-file'), 'mesh.yaml');
  writeFileSync(mesh, `clusters:\n  - name: app\n    endpoints: [${app.url}]\nroutes:\n  - cluster: app\n`);
  const applied = await runWeft(['apply', '-f', mesh, '--token-file', tokenFile], env);
  assert.equal(applied.code, 0, applied.stderr);

  const proxy = await startProxy(['--plane', plane.url, '--node', 'edge-1', '--data-dir', tempDir('token-file-node'), '--token-file', tokenFile, '--workers', '1']);
  t.after(() => proxy.stop());
  await waitFor('the proxy to serve the mesh', async () => ((await fetch(proxy.url)).status === 200) || undefined, 20_000);
  assert.ok(!(await argsOf(proxy.proc.pid!)).includes(plane.token), 'the proxy\'s command line has no token');

  // A long-lived client command, read from the environment's file this time; an exported wrong WEFT_TOKEN loses to a file on the line.
  const keeper = spawn(process.execPath, [WEFT_BIN, 'service', 'register', 'billing', '--endpoint', 'http://127.0.0.1:9', '--ttl', '10s', '--keep'],
    { env: { ...process.env, ...env, WEFT_TOKEN_FILE: tokenFile }, stdio: 'ignore' });
  t.after(() => stop(keeper));
  const listed = await waitFor('billing to be registered', async () => {
    const r = await runWeft(['service', 'list', '--json', '--token-file', tokenFile], { ...env, WEFT_TOKEN: 'wrong' });
    return r.code === 0 && r.stdout.includes('billing') ? r.stdout : undefined;
  }, 20_000);
  assert.match(listed, /http:\/\/127\.0\.0\.1:9/);
  assert.ok(!(await argsOf(keeper.pid!)).includes(plane.token), 'the client\'s command line has no token');

  const both = await runWeft(['status', '--token', plane.token, '--token-file', tokenFile], env);
  assert.match(failureLine(both, 2, 'WEFT_ERR_USAGE'), /give --token or --token-file, not both/);
  const missing = await runWeft(['status', '--token-file', join(plane.dataDir, 'nope')], env);
  assert.match(failureLine(missing, 1, 'WEFT_ERR_FILE_ACCESS'), /cannot read token file .*nope: no such file/);
});

test('the admin /config shows filter configs with their secret fields redacted, at any depth and in route overrides', async (t) => {
  const app = await startUpstream();
  t.after(() => app.close());
  const apiKeyHash = 'a'.repeat(64);
  const opaque = await watFile('opaque-config', readFileSync(join(REPO, 'core/wasm/testdata/minimal.wat'), 'utf8'));
  const config = writeConfig(`
listen: 127.0.0.1:0
admin: 127.0.0.1:0
workers: 1
clusters:
  - name: app
    endpoints: [${app.url}]
filters:
  - name: auth
    config:
      realm: shop
      jwt:
        jwks: { keys: [{ kty: oct, kid: main, alg: HS256, k: c2VjcmV0LWhtYWMta2V5LW9uZQ, Password: hunter2 }] }
      apiKeys: { header: x-api-key, sha256: [${apiKeyHash}] }
      rules: [{ require: any }]
  - name: opaque
    module: ${opaque}
    config: "user=admin;api_key=plain-text-secret"
routes:
  - match: { prefix: /admin }
    cluster: app
    filters:
      auth: { config: { jwt: { jwks: { keys: [{ kty: oct, kid: other, k: b3RoZXItc2VjcmV0LWhtYWMta2V5 }] } }, rules: [{ require: jwt }] } }
  - cluster: app
`);
  const proxy = await startProxy(['--config', config]);
  t.after(() => proxy.stop());
  const text = await (await fetch(`${proxy.admin}/config`)).text();
  for (const secret of ['c2VjcmV0LWhtYWMta2V5LW9uZQ', 'hunter2', apiKeyHash, 'plain-text-secret', 'b3RoZXItc2VjcmV0LWhtYWMta2V5']) {
    assert.ok(!text.includes(secret), `/config shows ${secret}`);
  }
  const view = JSON.parse(text) as { filters: { name: string; config: string }[]; routes: { filters: Record<string, { config?: string }> }[] };
  const auth = JSON.parse(view.filters[0].config) as { realm: string; jwt: { jwks: { keys: Record<string, string>[] } }; apiKeys: unknown; rules: unknown };
  assert.equal(auth.realm, 'shop', 'what is not secret stays readable');
  assert.deepEqual(auth.jwt.jwks.keys[0], { kty: 'oct', kid: 'main', alg: 'HS256', k: '[redacted]', Password: '[redacted]' });
  assert.equal(auth.apiKeys, '[redacted]');
  assert.deepEqual(auth.rules, [{ require: 'any' }]);
  assert.equal(view.filters[1].config, '[redacted]', 'a config that is not JSON has no fields to tell apart');
  const override = JSON.parse(view.routes[0].filters.auth.config!) as { jwt: { jwks: { keys: Record<string, string>[] } } };
  assert.deepEqual(override.jwt.jwks.keys[0], { kty: 'oct', kid: 'other', k: '[redacted]' });
});
