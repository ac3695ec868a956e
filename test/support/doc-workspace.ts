// Where one document's commands run: a copy of the checkout (as a fresh clone after `npm ci && npm run build:filters`), its own HOME and state, free ports for the doc's fixed ones.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
/** The proxy's default admin port: a document that reads it gets the free port standing for it through WEFT_ADMIN. */
const DEFAULT_ADMIN_PORT = 9901;
const PORT_REF = /\b(127\.0\.0\.1|localhost):(\d{2,5})\b/g;
const SHIPPED_TEXT = /\.(ya?ml|json)$/;

export interface Workspace {
  /** Everything below is inside it. */
  root: string;
  /** The copy of the checkout: the session's working directory. */
  repo: string;
  /** Each command's script and output, each server's log. */
  session: string;
  env: NodeJS.ProcessEnv;
  /** `text` (a command, an output it shows) with the document's fixed ports replaced by the free ones. */
  localize(text: string): string;
}

/**
 * What a fresh clone holds once `npm ci` and `npm run build:filters` ran: the files git tracks (and new ones it
 * does not ignore, so uncommitted docs are tested as they are) and the built-in modules; no state, no other builds.
 */
function cloneFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: CHECKOUT, encoding: 'utf8' });
  const builtins = readdirSync(join(CHECKOUT, 'filters')).map((name) => join('filters', name, 'build', `${name}.wasm`));
  return [...listed.split('\0'), ...builtins].filter((f) => f && existsSync(join(CHECKOUT, f)) && statSync(join(CHECKOUT, f)).isFile());
}

async function freePorts(n: number): Promise<number[]> {
  // All held at once, so no two are the same.
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
  }
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function rewritePorts(text: string, ports: Map<number, number>): string {
  return text.replace(PORT_REF, (all, host: string, port: string) => (ports.has(Number(port)) ? `${host}:${ports.get(Number(port))}` : all));
}

/** The repository's config files a command names (`-f mesh.yaml`, `config=@auth.json`, `X.wasm@config.json`). */
function namedFiles(command: string, repo: string): string[] {
  return command.split(/[\s,=@'"]+/).filter((w) => SHIPPED_TEXT.test(w) && existsSync(join(repo, w)) && statSync(join(repo, w)).isFile());
}

/** The user's PATH: without the node_modules/.bin entries `npm test` put first, so `node` is the machine's own, as in a fresh shell. */
function userPath(): string {
  return (process.env.PATH ?? '').split(delimiter).filter((p) => !p.split(sep).includes('node_modules')).join(delimiter);
}

/**
 * Copies the checkout, gives every fixed loopback port the document uses (in its commands and in the files they
 * name) a free one, in the commands and in the copied files, so documents run side by side with the rest of the suite.
 */
export async function prepareWorkspace(commands: string[]): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), 'weft-docs-'));
  const repo = join(root, 'repo');
  for (const file of cloneFiles()) cpSync(join(CHECKOUT, file), join(repo, file), { preserveTimestamps: true });
  symlinkSync(realpathSync(join(CHECKOUT, 'node_modules')), join(repo, 'node_modules'));
  const files = [...new Set(commands.flatMap((c) => namedFiles(c, repo)))];
  const used = new Set<number>([DEFAULT_ADMIN_PORT]);
  for (const text of [...commands, ...files.map((f) => readFileSync(join(repo, f), 'utf8'))]) {
    for (const m of text.matchAll(PORT_REF)) if (Number(m[2]) !== 0) used.add(Number(m[2]));
  }
  const free = await freePorts(used.size);
  const ports = new Map([...used].map((p, i) => [p, free[i]]));
  for (const f of files) writeFileSync(join(repo, f), rewritePorts(readFileSync(join(repo, f), 'utf8'), ports));
  const dirs = { home: join(root, 'home'), state: join(root, 'state'), session: join(root, 'session'), tmp: join(root, 'tmp') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    PATH: userPath(),
    HOME: dirs.home,
    XDG_STATE_HOME: dirs.state,
    TMPDIR: dirs.tmp,
    LANG: 'C.UTF-8',
    // npm would ask the registry for a newer npm on every npx: the suite stays off the network.
    npm_config_update_notifier: 'false',
    WEFT_ADMIN: `127.0.0.1:${ports.get(DEFAULT_ADMIN_PORT)}`,
  };
  return { root, repo, session: dirs.session, env, localize: (text) => rewritePorts(text, ports) };
}
