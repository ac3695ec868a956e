// `npm run build:bin`: the bundle (dist/lib/: ES modules, one entry per kind of thread, the built-in filters) that the npm package runs, and dist/weft: Node's single executable with that same bundle embedded, and its digest.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Plugin } from 'esbuild';
import { builtinFilters, loadBuiltinFilter } from '../filters/build.ts';
import { uiFiles } from '../plane/ui/assets.ts';
import type { BuildStamp } from '../core/runtime/assets.ts';
import { binNodeFlags } from './node-flags.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
export const dist = join(root, 'dist');
const lib = join(dist, 'lib');
export const executablePath = join(dist, 'weft');
/** The digest of everything the last build was made from, so a test can skip a build that would change nothing. */
const inputsFile = join(dist, '.inputs.sha256');
/** The same for dist/lib alone, which the bench builds without the executable (outside dist/lib: the package ships that folder). */
const libInputsFile = join(dist, '.lib-inputs.sha256');
const seaMain = join(root, 'release', 'sea-main.cjs');

/**
 * Every thread's entry, by the name the code asks for it (core/runtime/assets.ts entryUrl, release/pino-paths.ts).
 * piscina starts its own thread from `worker.js` beside its code, which is the bundle's directory.
 */
const entries: Record<string, string> = {
  weft: 'cli/weft.ts',
  'proxy-worker': 'core/proxy/worker.ts',
  'compile-child': 'core/wasm/compile-child.ts',
  'sandbox-task': 'plane/sandbox-task.ts',
  worker: 'node_modules/piscina/dist/worker.js',
  'thread-stream-worker': 'node_modules/thread-stream/lib/worker.js',
  'pino-worker': 'node_modules/pino/lib/worker.js',
  'pino-file': 'node_modules/pino/file.js',
};

// ES modules get no require, __filename or __dirname; bundled CommonJS code (and Node's own built-ins through it) needs them.
const banner = [
  "import { createRequire as __weftCreateRequire } from 'node:module';",
  "import { fileURLToPath as __weftFileURLToPath } from 'node:url';",
  'const require = __weftCreateRequire(import.meta.url);',
  'const __filename = __weftFileURLToPath(import.meta.url);',
  "const __dirname = __weftFileURLToPath(new URL('.', import.meta.url));",
].join(' ');

/** The bundle's own Worker (release/worker-threads.ts) for everyone but itself. */
const threads: Plugin = {
  name: 'weft-worker-threads',
  setup(build) {
    const shim = join(root, 'release', 'worker-threads.ts');
    build.onResolve({ filter: /^(node:)?worker_threads$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
  },
};

/** The SDK's compiler stays out (ARCHITECTURE.md, "One executable"): a stub that says so takes its place. */
const noCompiler: Plugin = {
  name: 'weft-no-assemblyscript',
  setup(build) {
    build.onResolve({ filter: /^assemblyscript(\/asc)?$/ }, () => ({ path: join(root, 'release', 'no-assemblyscript.ts') }));
  },
};

/** etcd3 reads its .proto files from beside its code at load time; the bundle carries them parsed instead. */
const etcdProtos: Plugin = {
  name: 'weft-etcd-protos',
  setup(build) {
    build.onLoad({ filter: /etcd3[\\/]lib[\\/]connection-pool\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const call = 'const packageDefinition = (0, proto_loader_1.loadSync)(`${__dirname}/../proto/rpc.proto`, {';
      if (!source.includes(call)) throw new Error(`${args.path}: etcd3 no longer loads its protos as this build expects`);
      const protobuf = createRequire(createRequire(args.path).resolve('@grpc/proto-loader'))('protobufjs');
      // keepCase as etcd3 asks for it: field names are fixed when the .proto is parsed.
      const parsed = new protobuf.Root().loadSync(join(dirname(args.path), '..', 'proto', 'rpc.proto'), { keepCase: true });
      const replaced = source.replace(call, `const packageDefinition = (0, proto_loader_1.fromJSON)(${JSON.stringify(parsed.toJSON())}, {`);
      return { contents: replaced, loader: 'js' };
    });
  },
};

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function stamp(): BuildStamp {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const head = git('rev-parse', '--short=12', 'HEAD');
  // Marked as cli/version.ts marks a checkout with uncommitted changes.
  const commit = head ? `${head}${git('status', '--porcelain', '--untracked-files=no') ? '+changes' : ''}` : 'unknown';
  // SOURCE_DATE_EPOCH, as reproducible builds set it; otherwise now.
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return { version, commit, date: new Date(epoch ? Number(epoch) * 1000 : Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function bundle(buildStamp: BuildStamp): Promise<esbuild.BuildResult & { metafile: esbuild.Metafile; outputFiles: esbuild.OutputFile[] }> {
  try {
    return await build(buildStamp);
  } finally {
    // esbuild keeps a service process for the next call; a test that builds would end with it still running (test/support/file-guard.ts fails such a file).
    await esbuild.stop();
  }
}

function build(buildStamp: BuildStamp): Promise<esbuild.BuildResult & { metafile: esbuild.Metafile; outputFiles: esbuild.OutputFile[] }> {
  return esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(root, file)])),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // The npm package's floor (package.json engines); the executable carries its own Node 24.
    target: 'node22.19',
    outdir: lib,
    write: false,
    metafile: true,
    banner: { js: banner },
    inject: [join(root, 'release', 'pino-paths.ts')],
    define: { WEFT_BUILD: JSON.stringify(buildStamp) },
    // piscina's optional thread-priority addon is not installed; piscina does without it.
    external: ['@napi-rs/nice'],
    plugins: [threads, noCompiler, etcdProtos],
    logLevel: 'warning',
    legalComments: 'none',
  });
}

/** Runs a build tool, keeping its chatter unless it fails. */
function run(command: string, args: string[]): void {
  const out = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  if (out.error) throw new Error(`${command}: ${out.error.message}`);
  if (out.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${out.status}:\n${out.stdout}${out.stderr}`);
}

function hasCommand(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Node's single executable: a copy of this Node with the bundle and its start code injected (Node 24 has no --build-sea yet). */
function makeExecutable(files: Map<string, Uint8Array>): void {
  const work = join(dist, '.sea');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const assets: Record<string, string> = { 'sea-main.cjs': seaMain };
  for (const [name, bytes] of files) {
    const file = join(work, 'assets', name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    assets[name] = file;
  }
  const blob = join(work, 'sea.blob');
  // No code cache: the start code is small, and a cached main cannot import() (which is how it loads the bundle).
  writeFileSync(join(work, 'sea.json'), JSON.stringify({
    main: seaMain, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, assets, execArgv: binNodeFlags(),
  }));
  run(process.execPath, ['--experimental-sea-config', join(work, 'sea.json')]);
  const binary = join(work, 'weft');
  copyFileSync(process.execPath, binary);
  // Node's release binary carries ~18 MB of symbols the executable has no use for.
  if (hasCommand('strip')) run('strip', [binary]);
  else console.warn('strip (binutils) not found: dist/weft keeps the Node binary\'s symbols (~18 MB more)');
  run(process.execPath, [join(root, 'node_modules', 'postject', 'dist', 'cli.js'), binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2']);
  chmodSync(binary, 0o755);
  renameSync(binary, executablePath);
  rmSync(work, { recursive: true, force: true });
  writeFileSync(`${executablePath}.sha256`, `${sha256(readFileSync(executablePath))}  weft\n`);
}

/**
 * Builds dist/lib and dist/weft (dist/lib alone without `executable`: what `weft bench` runs). With `ifChanged`, a build
 * whose inputs (every bundled source, the filters, the dashboard's files, this Node) are those of the last one stops
 * before writing anything: the stamp alone would differ.
 */
export async function buildBin({ ifChanged = false, executable = true } = {}): Promise<{ built: boolean; ms: number }> {
  const started = performance.now();
  /** Files shipped beside the code: the built-in filters and the dashboard's browser files. */
  const shipped = new Map<string, Uint8Array>();
  for (const name of builtinFilters) shipped.set(`filters/${name}.wasm`, await loadBuiltinFilter(name));
  // The dashboard's browser files (its modules and the front-end libraries) travel as they are: the browser runs them, not Node.
  for (const { name, source } of uiFiles) shipped.set(name, readFileSync(source));
  const buildStamp = stamp();
  const result = await bundle(buildStamp);
  const inputs = createHash('sha256').update(process.version);
  // Metafile inputs are paths relative to the root, or <define:…> entries, which the stamp alone makes.
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('<')).sort();
  // package.json: the stamp's version comes from it.
  for (const file of [...sources, 'release/sea-main.cjs', 'release/build.ts', 'release/node-flags.ts', 'bin/weft.js', 'package.json']) {
    inputs.update(file).update(readFileSync(join(root, file)));
  }
  for (const [name, bytes] of shipped) inputs.update(name).update(bytes);
  const digest = inputs.digest('hex');
  const current = (file: string) => existsSync(file) && readFileSync(file, 'utf8') === digest;
  if (ifChanged && (executable ? existsSync(executablePath) && current(inputsFile) : current(libInputsFile))) {
    return { built: false, ms: performance.now() - started };
  }

  const files = new Map<string, Uint8Array>(shipped);
  for (const out of result.outputFiles) files.set(relative(lib, out.path), out.contents);
  if (executable) rmSync(inputsFile, { force: true });
  rmSync(libInputsFile, { force: true });
  rmSync(lib, { recursive: true, force: true });
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(lib, name)), { recursive: true });
    writeFileSync(join(lib, name), bytes);
  }
  chmodSync(join(lib, 'weft.js'), 0o755);
  writeFileSync(libInputsFile, digest);
  if (!executable) return { built: true, ms: performance.now() - started };
  makeExecutable(files);
  writeFileSync(inputsFile, digest);
  return { built: true, ms: performance.now() - started };
}

if (import.meta.main) {
  // --lib: dist/lib alone (what `weft bench` runs), saying only whether it was built.
  const executable = !process.argv.includes('--lib');
  const { built, ms } = await buildBin({ ifChanged: process.argv.includes('--if-changed'), executable });
  if (executable) {
    const size = statSync(executablePath).size;
    console.log(`dist/weft  ${(size / 1024 ** 2).toFixed(1)} MiB  ${readFileSync(`${executablePath}.sha256`, 'utf8').split(' ')[0]}  (${(ms / 1000).toFixed(1)} s)`);
  } else if (built) {
    console.log(`built dist/lib from the current sources (${(ms / 1000).toFixed(1)} s)`);
  }
}
