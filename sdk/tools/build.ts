// Compiles a filter folder to a proxy-wasm module with the asc flags the SDK depends on.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileError } from '../../core/cli/files.ts';
import { callbackExportsTransform } from './callback-exports.ts';

/** The SDK's AssemblyScript sources; filters import them by a path relative to their own folder. */
export const sdkAssemblyDir = fileURLToPath(new URL('../assembly/', import.meta.url));

/** The ABI marker every SDK-built module must export; its absence means the entry forgot the SDK's exports. */
const abiMarker = 'proxy_abi_version_0_2_1';

export interface BuildOptions {
  /** Where to write the module; default `DIR/build/<folder name>.wasm`. */
  outFile?: string;
  /** Unoptimized build with debug names, from the asconfig `debug` target. */
  debug?: boolean;
}

export interface BuildResult {
  outFile: string;
  bytes: Uint8Array;
  /** Compiler warnings (asc's text); empty on a clean build. */
  warnings: string;
}

/** A failed build, carrying the compiler's diagnostics as asc prints them. */
export class FilterBuildError extends Error {
  readonly diagnostics: string;
  constructor(message: string, diagnostics = '') {
    super(message);
    this.name = 'FilterBuildError';
    this.diagnostics = diagnostics;
  }
}

/** A path as asc names files internally: relative to its base directory, with forward slashes. */
function ascInternalPath(baseDir: string, target: string): string {
  return path.relative(baseDir, target).split(path.sep).join('/');
}

/**
 * The asc command line for a filter folder. What the ABI requires is fixed here, not in the
 * folder's asconfig.json (which holds only optimization choices): a host-run `_initialize` instead
 * of a wasm start function, so the host decides when start-up code runs; the minimal runtime, whose
 * collector the SDK runs between callbacks (assembly/collect.ts) and which spares every callback the
 * incremental collector's shadow stack and write barriers; the SDK's abort handler, so no `env.abort`
 * import is needed and the reason for a trap reaches the proxy's log.
 */
export function ascArguments(dir: string, outFile: string, debug: boolean): string[] {
  const args = ['assembly/index.ts', '--baseDir', dir, '--outFile', outFile, '--target', debug ? 'debug' : 'release'];
  if (existsSync(path.join(dir, 'asconfig.json'))) args.push('--config', path.join(dir, 'asconfig.json'));
  args.push(
    '--exportStart', '_initialize',
    '--runtime', 'minimal',
    '--use', `abort=${ascInternalPath(dir, path.join(sdkAssemblyDir, 'abort'))}/abortFilter`,
    '--noColors',
  );
  return args;
}

/** Compiles `DIR/assembly/index.ts` and checks the result is a proxy-wasm module; throws FilterBuildError with asc's diagnostics. */
export async function buildFilter(dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const root = path.resolve(dir);
  if (!existsSync(path.join(root, 'assembly', 'index.ts'))) {
    throw new FilterBuildError(`${root} has no assembly/index.ts: is it a filter folder (see \`weft filter new\`)?`);
  }
  const outFile = path.resolve(options.outFile ?? path.join(root, 'build', `${path.basename(root)}.wasm`));
  await mkdir(path.dirname(outFile), { recursive: true }).catch((err: unknown) => {
    throw fileError('create folder', path.dirname(outFile), err);
  });
  // Loaded here, not at the top: the compiler takes a second to load, which every other `weft filter` command would pay.
  const { default: asc } = await import('assemblyscript/asc');
  const { error, stderr } = await asc.main(ascArguments(root, outFile, options.debug ?? false), {
    transforms: [callbackExportsTransform(ascInternalPath(root, sdkAssemblyDir))],
  });
  const diagnostics = stderr.toString();
  if (error) throw new FilterBuildError(`asc failed for ${root}: ${error.message}`, diagnostics);
  const bytes = new Uint8Array(await readFile(outFile));
  const module = await WebAssembly.compile(bytes);
  if (!WebAssembly.Module.exports(module).some((e) => e.name === abiMarker)) {
    throw new FilterBuildError(`${outFile} does not export ${abiMarker}: the entry file must \`export * from\` the SDK's assembly/abi/exports`);
  }
  return { outFile, bytes, warnings: diagnostics };
}
