// Builds the filters written against real third-party proxy-wasm SDKs, each with the compiler and options that SDK documents (cached in testdata/build/).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cached } from './build-modules.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..', '..');
/** Packages are read from the repository's node_modules (one SDK exports no package.json). */
const MODULES = join(ROOT, 'node_modules');

function version(pkg: string): string {
  return JSON.parse(readFileSync(join(MODULES, pkg, 'package.json'), 'utf8')).version;
}

export interface SdkBuild {
  sdk: string;
  sdkVersion: string;
  compilerVersion: string;
  ascBin: string;
  source: string;
  args: string[];
}

function sdkBuild(sdk: string, compiler: string, ascBin: string, source: string, args: string[]): SdkBuild {
  return {
    sdk, sdkVersion: version(sdk), compilerVersion: version(compiler), ascBin: join(MODULES, compiler, ascBin), source: join(HERE, source), args,
  };
}

/** @solo-io/proxy-runtime 0.1.8 is written for AssemblyScript 0.14 (its lock file pins 0.14.9), installed under an npm alias; its README's release build. */
export const SOLO = sdkBuild('@solo-io/proxy-runtime', 'assemblyscript-proxy-runtime', 'bin/asc', 'solo-sdk-filter.as.ts',
  ['--use', 'abort=abort_proc_exit', '--optimize']);

/** @gcoredev/proxy-wasm-sdk-as 1.2.3 builds with AssemblyScript 0.28 over the WASI shim, as its examples' release target does. */
export const GCORE = sdkBuild('@gcoredev/proxy-wasm-sdk-as', 'assemblyscript', 'bin/asc.js', 'gcore-sdk-filter.as.ts',
  // asc finds the shim's library folder only through a config path relative to the working directory.
  ['--config', 'node_modules/@assemblyscript/wasi-shim/asconfig.json', '--optimizeLevel', '3', '--shrinkLevel', '0']);

export async function buildSdkFilter(b: SdkBuild): Promise<Uint8Array> {
  const key = [readFileSync(b.source, 'utf8'), b.sdk, b.sdkVersion, b.compilerVersion, ...b.args].join('\n');
  return cached(key, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sdk-filter-'));
    try {
      const out = join(dir, 'filter.wasm');
      await promisify(execFile)(process.execPath, [b.ascBin, b.source, '--outFile', out, ...b.args], { cwd: ROOT });
      return new Uint8Array(readFileSync(out));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
