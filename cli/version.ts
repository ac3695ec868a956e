// `weft version` (and `weft --version`): what is running, for a bug report: Weft's version and commit (a build's stamp, else the checkout's), its build date, Node and its flags, the proxy-wasm ABIs served.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from '../core/cli/command.ts';
import { buildStamp } from '../core/runtime/assets.ts';
import { ABI_MARKERS } from '../core/wasm/abi.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface VersionInfo {
  weft: string;
  /** The commit Weft runs from, with `+changes` when the checkout has uncommitted changes; absent outside a checkout. */
  commit?: string;
  /** When the bundle was built (npm run build:bin); absent when running the sources. */
  built?: string;
  node: string;
  /** The flags Node runs with (bin/weft.js's first line, the executable's execArgv): they size V8's heap. */
  nodeFlags: string[];
  /** The environment bin/weft.js's first line (or a deploy unit) sets for the C libraries under Node, as NAME=VALUE: it sizes malloc's arenas. */
  nodeEnv: string[];
  /** The proxy-wasm ABI versions the host loads, newest first. */
  proxyWasmAbi: string[];
}

function git(args: string[]): string {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
}

/** Read from the checkout at run time, when there is no build stamp. */
function checkoutCommit(): string | undefined {
  try {
    const [top, head] = git(['rev-parse', '--show-toplevel', 'HEAD']).split('\n');
    // Weft installed under another project's checkout (its node_modules) must not report that project's commit.
    if (realpathSync(top) !== realpathSync(root)) return undefined;
    return `${head.slice(0, 12)}${git(['status', '--porcelain', '--untracked-files=no']) ? '+changes' : ''}`;
  } catch {
    return undefined;
  }
}

// glibc reads these before Node starts; only what the bin's first line sets (test/executable.test.ts compares the two).
const LIBC_ENV = ['MALLOC_ARENA_MAX', 'MALLOC_TOP_PAD_', 'MALLOC_TRIM_THRESHOLD_'];

function nodeEnv(): string[] {
  return LIBC_ENV.filter((name) => process.env[name] !== undefined).map((name) => `${name}=${process.env[name]}`);
}

export function versionInfo(): VersionInfo {
  const proxyWasmAbi = ABI_MARKERS.map(([, v]) => v);
  // A build (the executable, the npm package) carries its stamp: it has no checkout, nor package.json beside it.
  if (buildStamp) return { weft: buildStamp.version, commit: buildStamp.commit, built: buildStamp.date, node: process.version, nodeFlags: process.execArgv, nodeEnv: nodeEnv(), proxyWasmAbi };
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return { weft: pkg.version, commit: checkoutCommit(), node: process.version, nodeFlags: process.execArgv, nodeEnv: nodeEnv(), proxyWasmAbi };
}

export const versionCommand: Command = {
  usage: 'weft version [--json]',
  summary: "Weft's version and the commit it runs from (when known), the Node version and flags, and the proxy-wasm ABI versions filters may use",
  args: [],
  flags: [{ name: 'json', help: 'print JSON' }],
  async run(_positionals, values) {
    const v = versionInfo();
    if (values.json) console.log(JSON.stringify(v));
    else console.log(`weft ${v.weft}\ncommit ${v.commit ?? 'unknown (not run from a git checkout)'}\n${v.built ? `built ${v.built}\n` : ''}node ${[v.node, ...v.nodeFlags, ...v.nodeEnv].join(' ')}\nproxy-wasm ABI ${v.proxyWasmAbi.join(', ')}`);
    return 0;
  },
};
