// `weft --version` and the help of every command and subcommand, through the real CLI: one layout, exit 0, the same from `weft help X` and `weft X --help`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ABI_MARKERS } from '../core/wasm/abi.ts';
import { runWeft } from './support/proxy.ts';

const GROUPS: Record<string, string[]> = {
  filter: ['new', 'build', 'test', 'inspect', 'push', 'list', 'rollback', 'delete'],
  rollout: ['start', 'status', 'abort'],
  policy: ['list', 'get', 'delete'],
  service: ['register', 'heartbeat', 'deregister', 'list'],
  ca: ['status', 'rotate', 'retire'],
  identity: ['token'],
};
const COMMANDS = ['proxy', 'plane', 'schema', 'demo', 'get', 'apply', 'status', 'explain', 'requests', 'top', 'bench', 'version'];

/** The commit the checkout is at, as `weft version` should report it, or undefined outside a git checkout. */
function checkoutCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: new URL('..', import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().slice(0, 12);
  } catch {
    return undefined;
  }
}

test('weft --version and weft version: Weft, the commit, Node and the proxy-wasm ABI versions the host serves', async () => {
  const flag = await runWeft(['--version']);
  const word = await runWeft(['version']);
  assert.equal(flag.code, 0, flag.stderr);
  assert.equal(word.stdout, flag.stdout);
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const commit = checkoutCommit();
  assert.equal(flag.stdout, [
    `weft ${pkg.version}`,
    commit ? flag.stdout.split('\n')[1] : 'commit unknown (not run from a git checkout)',
    `node ${process.version}`,
    'proxy-wasm ABI 0.2.1, 0.2.0, 0.1.0',
    '',
  ].join('\n'));
  if (commit) assert.match(flag.stdout.split('\n')[1], new RegExp(`^commit ${commit}(\\+changes)?$`));
  const json = JSON.parse((await runWeft(['version', '--json'])).stdout) as { weft: string; node: string; proxyWasmAbi: string[]; commit?: string };
  assert.deepEqual(json.proxyWasmAbi, ABI_MARKERS.map(([, v]) => v));
  assert.equal(json.weft, pkg.version);
  assert.equal(json.node, process.version);
});

test('weft help lists every command and exits 0; so does weft --help', async () => {
  const help = await runWeft(['help']);
  assert.equal(help.code, 0, help.stderr);
  assert.equal(help.stderr, '');
  assert.match(help.stdout, /^usage: weft COMMAND \[options\]\n/);
  for (const name of [...COMMANDS, ...Object.keys(GROUPS)]) assert.match(help.stdout, new RegExp(`^  ${name} +\\S`, 'm'), name);
  assert.equal((await runWeft(['--help'])).stdout, help.stdout);
});

/** Every option row of a command's help: `--flag VALUE  what it does (…; env WEFT_FLAG)`, then the --help row. */
function assertOptionsTable(text: string, what: string): void {
  const options = text.split('\noptions:\n')[1];
  assert.ok(options, `${what} has an options table:\n${text}`);
  const rows = options.trimEnd().split('\n');
  assert.match(rows.at(-1)!, /^ {2}--help, -h +show this help$/, what);
  for (const row of rows.slice(0, -1)) {
    const flag = /^ {2}--([a-z-]+)/.exec(row)?.[1];
    assert.ok(flag, `${what}: an option row: ${row}`);
    assert.match(row, new RegExp(`\\(.*env WEFT_${flag.toUpperCase().replace(/-/g, '_')}\\)$`), `${what}: --${flag} names its env twin`);
  }
  assert.match(options, /^ {2}--debug +on a failure, print its stack trace/m, `${what} lists --debug`);
}

/** `weft help ARGS` and `weft ARGS --help`: the same text, exit 0, nothing on stderr. */
async function helpOf(args: string[]): Promise<string> {
  const [viaHelp, viaFlag] = await Promise.all([runWeft(['help', ...args]), runWeft([...args, '--help'])]);
  for (const r of [viaHelp, viaFlag]) {
    assert.equal(r.code, 0, `weft ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '');
  }
  assert.equal(viaHelp.stdout, viaFlag.stdout, `weft help ${args.join(' ')} is weft ${args.join(' ')} --help`);
  return viaFlag.stdout;
}

test('every command: a usage line, what it does, its options with defaults and env twins', async (t) => {
  for (const name of COMMANDS) {
    await t.test(name, async () => {
      const text = await helpOf([name]);
      assert.match(text, new RegExp(`^usage: weft ${name}\\b.*\\n(?: {7}weft ${name}.*\\n)*\\n\\S.+\\n\\noptions:\\n`), text);
      assertOptionsTable(text, name);
    });
  }
});

test('weft proxy --help shows the PATH.wasm|NAME[@CONFIG.json] form of --filter that README promises', async () => {
  const text = (await runWeft(['proxy', '--help'])).stdout;
  assert.match(text, /--filter SPEC .*PATH\.wasm\|NAME\[@CONFIG\.json\]/);
});

test('every group lists its subcommands, and every subcommand has its own help in the same layout', async (t) => {
  for (const [group, subs] of Object.entries(GROUPS)) {
    await t.test(group, async () => {
      const text = await helpOf([group]);
      assert.match(text, new RegExp(`^usage: weft ${group} SUBCOMMAND \\[options\\]\\n\\n\\S.+\\n\\nsubcommands:\\n`), text);
      assert.deepEqual([...text.matchAll(/^ {2}([a-z]+) {2,}\S/gm)].map((m) => m[1]), subs);
      for (const sub of subs) {
        const subText = await helpOf([group, sub]);
        assert.match(subText, new RegExp(`^usage: weft ${group} ${sub}\\b.*\\n\\n\\S.+\\n\\noptions:\\n`), subText);
        assertOptionsTable(subText, `${group} ${sub}`);
        if (group !== 'filter' || ['push', 'list', 'rollback', 'delete'].includes(sub)) {
          assert.match(subText, /--plane URL\[,URL\]/, `${group} ${sub} talks to the plane`);
        }
      }
    });
  }
});
