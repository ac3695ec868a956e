// Builds proxy-runtime-filter.as.ts with the real AssemblyScript proxy-wasm SDK and the compiler version it was made for (cached in testdata/build/).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cached } from './build-modules.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
/** @solo-io/proxy-runtime 0.1.8 is written for AssemblyScript 0.14 (its lock file pins 0.14.9), installed under an npm alias. */
const ASC = require.resolve('assemblyscript-proxy-runtime/bin/asc');
const SOURCE = join(HERE, 'proxy-runtime-filter.as.ts');
/** The SDK README's release build: its abort handler ends the module with proc_exit(255). */
const ARGS = ['--use', 'abort=abort_proc_exit', '--optimize'];

export const SDK_VERSION: string = require('@solo-io/proxy-runtime/package.json').version;
export const ASC_VERSION: string = require('assemblyscript-proxy-runtime/package.json').version;

export async function buildProxyRuntimeFilter(): Promise<Uint8Array> {
  const key = [readFileSync(SOURCE, 'utf8'), SDK_VERSION, ASC_VERSION, ...ARGS].join('\n');
  return cached(key, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-proxy-runtime-'));
    try {
      const out = join(dir, 'filter.wasm');
      await promisify(execFile)(process.execPath, [ASC, SOURCE, '--binaryFile', out, ...ARGS]);
      return new Uint8Array(readFileSync(out));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
