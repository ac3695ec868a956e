// Tests of `weft filter`: a scaffolded filter builds, passes its own test and describes itself; usage errors exit 2.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import wabtInit from 'wabt';
import { findSubcommand, runCommand } from '../../core/cli/command.ts';
import { reportFailure } from '../../core/cli/failure.ts';
import { filterTools } from './filter-command.ts';

let workDir: string;
before(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'weft-filter-'));
});
after(() => rm(workDir, { recursive: true, force: true }));

/** Runs `weft filter ARGS` in-process as cli/weft.ts does (a failure becomes its one line and exit code), capturing what it prints. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  const write = process.stderr.write;
  console.log = (...parts: unknown[]) => out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => err.push(parts.join(' '));
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const [name, ...rest] = args;
    let code: number;
    try {
      code = await runCommand(findSubcommand('filter', filterTools, name), rest);
    } catch (e) {
      code = reportFailure(`filter ${name}`, e, false);
    }
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = write;
  }
}

test('new, build, test and inspect work end to end on a scaffolded filter', async () => {
  const created = await run('new', 'greeter', '--dir', workDir);
  assert.equal(created.code, 0, created.err);
  const dir = path.join(workDir, 'greeter');
  const wasm = path.join(workDir, 'out', 'greeter.wasm');
  const built = await run('build', dir, '-o', wasm);
  assert.equal(built.code, 0, built.err);
  assert.match(built.out, /greeter\.wasm \(\d+ bytes\)/);

  const inspected = await run('inspect', wasm);
  assert.equal(inspected.code, 0, inspected.err);
  assert.equal(JSON.parse(inspected.out).name, 'greeter');
  await writeFile(path.join(workDir, 'bad.json'), '{"greeting": 5}');
  const invalid = await run('inspect', wasm, '--config', path.join(workDir, 'bad.json'));
  assert.equal(invalid.code, 2);
  assert.match(invalid.err, /^weft filter inspect: \S+bad\.json does not fit the config schema of greeter 0\.1\.0: \/greeting: must be a string \(got 5\) \(WEFT_ERR_CONFIG_INVALID\)$/m);

  // The scaffold's own test runs in a child `node --test` against the real host.
  assert.equal((await run('test', dir)).code, 0);
});

test('new refuses a bad name and an occupied folder', async () => {
  const bad = await run('new', 'Bad_Name', '--dir', workDir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /lower-case.*\(WEFT_ERR_USAGE\)/);
  await run('new', 'twice', '--dir', workDir);
  const twice = await run('new', 'twice', '--dir', workDir);
  assert.equal(twice.code, 2);
  assert.match(twice.err, /not an empty folder/);
});

test('new takes a path: the filter is created there, named after its last segment', async () => {
  const created = await run('new', path.join(workDir, 'nested', 'pathy'));
  assert.equal(created.code, 0, created.err);
  assert.match(await readFile(path.join(workDir, 'nested', 'pathy', 'assembly', 'index.ts'), 'utf8'), /describeFilter\("pathy"/);
  const both = await run('new', path.join(workDir, 'x', 'y'), '--dir', workDir);
  assert.equal(both.code, 2);
  assert.match(both.err, /in NAME .* or with --dir, not both/);
});

test('build reports compiler errors with their location and exits 1', async () => {
  await run('new', 'broken', '--dir', workDir);
  const source = path.join(workDir, 'broken', 'assembly', 'index.ts');
  await writeFile(source, (await readFile(source, 'utf8')).replace('return Action.Continue;', 'return undefinedThing;'));
  const built = await run('build', path.join(workDir, 'broken'));
  assert.equal(built.code, 1);
  assert.match(built.err, /undefinedThing/);
  assert.match(built.err, /assembly\/index\.ts\(\d+,\d+\)/);
  assert.match(built.err, /^weft filter build: .* \(WEFT_ERR_FILTER_BUILD_FAILED\)$/m);

  const fixed = (await readFile(source, 'utf8')).replace('return undefinedThing;', 'return Action.Continue;');
  await writeFile(source, fixed.replace(/^export \* from .*$/m, ''));
  const unexported = await run('build', path.join(workDir, 'broken'));
  assert.equal(unexported.code, 1);
  assert.match(unexported.err, /does not export proxy_abi_version_0_2_1/);
});

test('inspect says so when a module has no Weft metadata', async () => {
  const wabt = await wabtInit();
  const wat = '(module (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_1")))';
  const file = path.join(workDir, 'foreign.wasm');
  await writeFile(file, wabt.parseWat('foreign.wat', wat).toBinary({}).buffer);
  const inspected = await run('inspect', file);
  assert.equal(inspected.code, 1);
  assert.match(inspected.err, /no Weft metadata/);
});

test('usage errors exit 2 and --help exits 0', async () => {
  assert.equal((await run('build')).code, 2);
  assert.equal((await run('frobnicate')).code, 2);
  assert.equal((await run('build', '--nope', 'x')).code, 2);
  const help = await run('inspect', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /weft filter inspect FILE\.wasm/);
});
