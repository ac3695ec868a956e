// Every command fed bad input through the real CLI: one line `weft <command>: <what> (WEFT_ERR_…)` on stderr, exit 2 for usage and 1 at run time, a stack only with --debug.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { failureLine, exitCodeOf } from '../core/cli/failure.ts';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { freePort, startPlane, tempDir } from '../plane/test/support.ts';
import { runWeft } from './support/proxy.ts';

const FAILURE_LINE = /^weft(?: [a-z]+){0,2}: .+ \(WEFT_ERR_[A-Z_]+\)$/;

interface Case {
  /** What the line must start with after "weft" (the command, and the subcommand once known). */
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  exit: 1 | 2;
  code: string;
  says?: RegExp;
}

/** Runs one case and holds its stderr to the rule; returns it for the case's own checks. */
async function fails(c: Case): Promise<string> {
  const r = await runWeft(c.args, c.env);
  const lines = r.stderr.split('\n').filter(Boolean);
  const shown = `weft ${c.args.join(' ')} → exit ${r.code}, stderr:\n${r.stderr}`;
  assert.equal(lines.length, 1, `exactly one line: ${shown}`);
  assert.match(lines[0], FAILURE_LINE, shown);
  assert.ok(lines[0].startsWith(`weft${c.command ? ` ${c.command}` : ''}: `), `names the command "${c.command}": ${shown}`);
  assert.ok(lines[0].endsWith(` (${c.code})`), `code ${c.code}: ${shown}`);
  assert.equal(r.code, c.exit, `exit ${c.exit}: ${shown}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `no stack: ${shown}`);
  if (c.says) assert.match(lines[0], c.says, shown);
  return lines[0];
}

/** Runs the cases two at a time (each is a Node process) as subtests named by their command line. */
async function runCases(t: test.TestContext, cases: Case[]): Promise<void> {
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const current = c;
      await t.test(`weft ${current.args.join(' ')}`.slice(0, 150), async () => { await fails(current); });
    }
  };
  await Promise.all([worker(), worker()]);
}

const usage = { exit: 2, code: ErrorCodes.USAGE } as const;

test('every command refuses bad input in one line with a code, the right exit status and no stack', { timeout: 600_000 }, async (t) => {
  const dir = tempDir('cli-errors');
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const missing = (name: string) => join(dir, 'nowhere', name);
  const notWasm = file('not.wasm', 'not a module');
  const aFile = file('a-file', 'a file, not a folder');
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const badConfig = file('weft.yaml', 'listen: 127.0.0.1:0\ncluster: []\nclusters:\n  - { name: payment, endpoints: ["http://127.0.0.1:9"] }\nroutes:\n  - { cluster: paymnt }\n');
  const badMesh = file('mesh.yaml', 'cluster: []\nclusters:\n  - name: app\n    endpoints: [http://127.0.0.1:9]\n    lb: rr\nroutes:\n  - cluster: ap\nfilters:\n  - name: nope\n');
  const badPolicy = file('policy.yaml', 'kind: AuthorizationPolicy\nservice: api\nrules:\n  - name: admin\n    actoin: allow\n    to: { paths: [admin] }\n');

  const plane = await startPlane({ dataDir: join(dir, 'plane') });
  t.after(() => plane.stop());
  const atPlane = { WEFT_PLANE: plane.url, WEFT_TOKEN: plane.token };
  const wrongToken = { WEFT_PLANE: plane.url, WEFT_TOKEN: 'not-the-token' };
  const noToken = { WEFT_PLANE: plane.url, WEFT_TOKEN: '' };
  const unreachable = { WEFT_PLANE: `http://127.0.0.1:${await freePort()}`, WEFT_TOKEN: 'x' };
  const noPlane = { WEFT_PLANE: '', WEFT_TOKEN: '' };
  const upstream = ['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:9'];

  await runCases(t, [
    // The dispatcher.
    { command: '', args: [], ...usage, says: /give a command/ },
    { command: '', args: ['nope'], ...usage, says: /unknown command "nope"/ },
    { command: '', args: ['proxi'], ...usage, says: /did you mean "proxy"\?/ },
    { command: '', args: ['help', 'nope'], ...usage },
    // weft proxy
    { command: 'proxy', args: ['proxy', '--log-level', 'verbose', ...upstream], ...usage, says: /--log-level: expected one of fatal, .*, got "verbose"/ },
    { command: 'proxy', args: ['proxy', ...upstream], env: { WEFT_LOG_LEVEL: 'loud' }, ...usage, says: /WEFT_LOG_LEVEL: expected one of/ },
    { command: 'proxy', args: ['proxy', '--listn', '127.0.0.1:0'], ...usage, says: /unknown option --listn; did you mean --listen\?/ },
    { command: 'proxy', args: ['proxy', '--listen'], ...usage, says: /--listen needs a value \(HOST:PORT\)/ },
    { command: 'proxy', args: ['proxy', '--listen', '127.0.0.1:0'], ...usage, says: /give --upstream URL/ },
    { command: 'proxy', args: ['proxy', '--workers', 'many', ...upstream], ...usage, says: /--workers: expected a whole number/ },
    { command: 'proxy', args: ['proxy', '--config', missing('weft.yaml')], exit: 1, code: ErrorCodes.FILE_ACCESS, says: /cannot read config .*weft\.yaml: no such file or folder \(ENOENT\)/ },
    // Schema and cross-reference problems in one report.
    { command: 'proxy', args: ['proxy', '--config', badConfig], exit: 2, code: ErrorCodes.CONFIG_INVALID, says: /\(root\): unknown field "cluster"; did you mean "clusters"\?; routes\[0\]\.cluster: unknown cluster "paymnt"; did you mean "payment"\?/ },
    { command: 'proxy', args: ['proxy', ...upstream, '--filter', missing('f.wasm')], exit: 2, code: ErrorCodes.CONFIG_INVALID, says: /f\.wasm not found/ },
    // weft plane
    { command: 'plane', args: ['plane', '--listen', 'nowhere', '--data-dir', join(dir, 'p1')], ...usage, says: /--listen: expected HOST:PORT/ },
    { command: 'plane', args: ['plane', '--log-level', 'loud', '--data-dir', join(dir, 'p2')], ...usage },
    { command: 'plane', args: ['plane', '--cert-ttl', 'soon', '--data-dir', join(dir, 'p3')], ...usage, says: /--cert-ttl: expected a duration/ },
    // weft filter: the group, the SDK's tools, the registry.
    { command: 'filter', args: ['filter'], ...usage, says: /give a subcommand: new, build, test, inspect, push/ },
    { command: 'filter', args: ['filter', 'frob'], ...usage, says: /unknown subcommand "frob"/ },
    { command: 'filter', args: ['filter', 'pusj'], ...usage, says: /did you mean "push"\?/ },
    { command: 'filter push', args: ['filter', 'push', 'NAME', missing('missing.wasm'), '--version', '1'], env: atPlane, exit: 1, code: ErrorCodes.FILE_ACCESS, says: /cannot read module .*missing\.wasm: no such file or folder \(ENOENT\)/ },
    { command: 'filter push', args: ['filter', 'push', 'x'], env: atPlane, ...usage, says: /missing FILE\.wasm \(usage: weft filter push/ },
    { command: 'filter push', args: ['filter', 'push', 'x', notWasm], env: atPlane, ...usage, says: /--version V is required/ },
    { command: 'filter push', args: ['filter', 'push', 'x', notWasm, '--version', '1'], env: wrongToken, exit: 1, code: ErrorCodes.PLANE_UNAUTHORIZED, says: /refused the token \(401\)/ },
    { command: 'filter push', args: ['filter', 'push', 'x', notWasm, '--version', '1'], env: noToken, exit: 1, code: ErrorCodes.PLANE_UNAUTHORIZED, says: /needs its bearer token \(401\)/ },
    { command: 'filter push', args: ['filter', 'push', 'x', notWasm, '--version', '1'], env: unreachable, exit: 1, code: ErrorCodes.PLANE_UNREACHABLE, says: /no plane answered: http:\/\/127\.0\.0\.1:\d+ \(connection refused/ },
    { command: 'filter push', args: ['filter', 'push', 'x', notWasm, '--version', '1', '--sign', notWasm], env: atPlane, ...usage, says: /--sign .*not a PEM private key/ },
    { command: 'filter new', args: ['filter', 'new', 'Bad_Name', '--dir', dir], ...usage, says: /lower-case letters/ },
    { command: 'filter new', args: ['filter', 'new', join(aFile, 'greeter')], exit: 1, code: ErrorCodes.FILE_ACCESS, says: /cannot create folder .*greeter: a part of the path is not a folder \(ENOTDIR\)/ },
    { command: 'filter build', args: ['filter', 'build', empty], exit: 1, code: ErrorCodes.FILTER_BUILD_FAILED, says: /has no assembly\/index\.ts/ },
    { command: 'filter build', args: ['filter', 'build', empty, '--target', 'fast'], ...usage, says: /--target: expected one of release, debug, got "fast"/ },
    { command: 'filter test', args: ['filter', 'test', empty], ...usage, says: /no \*\.test\.ts under/ },
    { command: 'filter test', args: ['filter', 'test', missing('dir')], exit: 1, code: ErrorCodes.FILE_ACCESS },
    { command: 'filter inspect', args: ['filter', 'inspect', missing('f.wasm')], exit: 1, code: ErrorCodes.FILE_ACCESS },
    { command: 'filter inspect', args: ['filter', 'inspect', notWasm], exit: 1, code: ErrorCodes.WASM_INVALID_MODULE },
    { command: 'filter delete', args: ['filter', 'delete', 'unversioned'], env: atPlane, ...usage, says: /expected NAME@VERSION, got "unversioned"/ },
    { command: 'filter delete', args: ['filter', 'delete', 'nope@1'], env: atPlane, exit: 1, code: ErrorCodes.PLANE_NOT_FOUND },
    { command: 'filter list', args: ['filter', 'list', 'extra'], env: atPlane, ...usage, says: /unexpected argument "extra"/ },
    // weft rollout, policy, service, ca, identity
    { command: 'rollout start', args: ['rollout', 'start'], env: atPlane, ...usage, says: /missing NAME@V/ },
    { command: 'rollout start', args: ['rollout', 'start', 'x@1', '--canary', 'lots'], env: atPlane, ...usage, says: /--canary: expected a number/ },
    { command: 'rollout abort', args: ['rollout', 'abort'], env: atPlane, exit: 1, code: ErrorCodes.ROLLOUT_CONFLICT },
    { command: 'policy get', args: ['policy', 'get'], env: atPlane, ...usage, says: /missing SERVICE/ },
    { command: 'policy get', args: ['policy', 'get', 'nobody'], env: atPlane, exit: 1, code: ErrorCodes.PLANE_NOT_FOUND },
    { command: 'service register', args: ['service', 'register', 'api'], env: atPlane, ...usage, says: /--endpoint URL is required/ },
    { command: 'service register', args: ['service', 'register', 'api', '--endpoint', 'http://127.0.0.1:9', '--keep'], env: atPlane, ...usage, says: /--keep needs --ttl/ },
    { command: 'service list', args: ['service', 'list'], env: unreachable, exit: 1, code: ErrorCodes.PLANE_UNREACHABLE },
    { command: 'ca rotate', args: ['ca', 'rotate', 'now'], env: atPlane, ...usage, says: /unexpected argument "now"/ },
    { command: 'ca status', args: ['ca', 'status'], env: wrongToken, exit: 1, code: ErrorCodes.PLANE_UNAUTHORIZED, says: /refused the token/ },
    { command: 'identity token', args: ['identity', 'token'], env: atPlane, ...usage, says: /--service NAME is required/ },
    { command: 'identity token', args: ['identity', 'token', '--service', 'api', '--ttl', 'soon'], env: atPlane, ...usage, says: /--ttl: expected a duration/ },
    // weft get, apply, status
    { command: 'get', args: ['get'], env: atPlane, ...usage, says: /missing KIND/ },
    { command: 'get', args: ['get', 'rutes'], env: atPlane, ...usage, says: /unknown kind "rutes"; did you mean "routes"\?/ },
    { command: 'get', args: ['get', 'routes'], env: unreachable, exit: 1, code: ErrorCodes.PLANE_UNREACHABLE },
    { command: 'apply', args: ['apply'], env: atPlane, ...usage, says: /-f FILE/ },
    { command: 'apply', args: ['apply', '-f', missing('mesh.yaml')], env: atPlane, exit: 1, code: ErrorCodes.FILE_ACCESS },
    {
      command: 'apply', args: ['apply', '-f', badMesh], env: atPlane, exit: 2, code: ErrorCodes.CONFIG_INVALID,
      says: /no pushed filter "nope".*unknown field "cluster"; did you mean "clusters"\?.*clusters\[0\]\.lb: must be one of .* \(got "rr"\).*routes\[0\]\.cluster: unknown cluster "ap"; did you mean "app"\?/,
    },
    { command: 'apply', args: ['apply', '-f', badPolicy], env: atPlane, exit: 2, code: ErrorCodes.CONFIG_INVALID, says: /rules\[0\]: unknown field "actoin"; did you mean "action"\?; rules\[0\]\.to\.paths\[0\]: "admin" must start with \// },
    { command: 'status', args: ['status'], env: noPlane, ...usage, says: /give the plane with --plane URL or WEFT_PLANE/ },
    { command: 'status', args: ['status', '--plane', 'localhost:7900'], ...usage, says: /--plane: expected a URL/ },
    { command: 'status', args: ['status'], env: wrongToken, exit: 1, code: ErrorCodes.PLANE_UNAUTHORIZED, says: /refused the token \(401\)/ },
    { command: 'status', args: ['status', '--json=yes'], env: atPlane, ...usage, says: /--json is a switch and takes no value/ },
    // weft schema, demo, bench, version
    { command: 'schema', args: ['schema', '--pretty'], ...usage, says: /unknown option --pretty/ },
    { command: 'schema', args: ['schema', 'extra'], ...usage },
    { command: 'demo', args: ['demo', '--rate', 'fast'], ...usage, says: /--rate/ },
    { command: 'bench', args: ['bench', '--rounds', '0'], ...usage, says: /--rounds/ },
    { command: 'version', args: ['version', 'extra'], ...usage },
  ]);
});

test('a port in use stops weft proxy with one line (WEFT_ERR_LISTEN_FAILED, exit 1)', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  await fails({
    command: 'proxy', args: ['proxy', '--listen', `127.0.0.1:${port}`, '--upstream', 'http://127.0.0.1:9', '--admin', '127.0.0.1:0', '--workers', '1'],
    exit: 1, code: ErrorCodes.LISTEN_FAILED, says: /EADDRINUSE/,
  });
});

test('--debug, anywhere on the line, and WEFT_DEBUG=1 add the stack after the one line', async () => {
  for (const [args, env] of [
    [['proxy', '--log-level', 'verbose', '--listen', '127.0.0.1:0', '--upstream', 'http://127.0.0.1:9', '--debug'], {}],
    [['--debug', 'filter', 'push', 'x', join(tempDir('cli-debug'), 'missing.wasm'), '--version', '1', '--plane', 'http://127.0.0.1:9'], {}],
    [['status', '--plane', 'localhost:7900'], { WEFT_DEBUG: '1' }],
  ] as const) {
    const r = await runWeft([...args], env);
    const [first, ...rest] = r.stderr.split('\n').filter(Boolean);
    assert.match(first, FAILURE_LINE, r.stderr);
    assert.match(rest[0] ?? '', /^WeftError: /, r.stderr);
    assert.ok(rest.some((l) => /^\s+at .*\.ts:\d+:\d+\)?$/.test(l)), `a stack follows: ${r.stderr}`);
    assert.notEqual(r.code, 0);
  }
});

test('a failure Weft did not foresee is still one line, with WEFT_ERR_INTERNAL, exit 1', () => {
  const err = new TypeError("Cannot read properties of undefined (reading 'x')\n    at somewhere");
  assert.equal(failureLine('proxy', err), "weft proxy: Cannot read properties of undefined (reading 'x') at somewhere (WEFT_ERR_INTERNAL)");
  assert.equal(exitCodeOf(err), 1);
  assert.equal(failureLine('', 'a thrown string'), 'weft: a thrown string (WEFT_ERR_INTERNAL)');
  assert.equal(exitCodeOf(new WeftError(ErrorCodes.USAGE, 'u', 2)), 2);
  assert.match(failureLine('service register', new WeftError(ErrorCodes.PLANE_UNREACHABLE, 'no plane answered'), 'heartbeat failed, retrying'), /^weft service register: heartbeat failed, retrying: no plane answered \(WEFT_ERR_PLANE_UNREACHABLE\)$/);
});
