// Builds the built-in filters to filters/<name>/build/<name>.wasm, where `weft proxy --filter NAME` finds them.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { buildFilter, sdkAssemblyDir } from '../sdk/tools/build.ts';
import { buildStamp, builtinFilterFile, readModuleFile } from '../core/runtime/assets.ts';

export const builtinFilters = ['auth', 'ratelimit', 'router', 'telemetry'];

const filtersDir = import.meta.dirname;

/** Where the built module of a built-in filter lives: the place `--filter NAME` resolves to. */
export const builtinFilterPath = builtinFilterFile;

/** Compiles one built-in filter; the module appears at its path whole (written aside, then renamed), so a concurrent reader never sees half of it. */
export async function buildBuiltinFilter(name: string): Promise<Uint8Array> {
  const target = builtinFilterPath(name);
  const scratch = `${target}.${process.pid}.tmp`;
  const { bytes } = await buildFilter(path.join(filtersDir, name), { outFile: scratch });
  await rename(scratch, target);
  return bytes;
}

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The built module of a built-in filter, compiled now only when it is missing or older than its
 * sources (its own, filters/shared and the SDK's): tests of one run share the build `npm run build:filters` made.
 */
export async function loadBuiltinFilter(name: string): Promise<Uint8Array> {
  const target = builtinFilterPath(name);
  // A bundle carries them built (release/build.ts), and no compiler.
  if (buildStamp) return readModuleFile(target);
  if (existsSync(target)) {
    const sources = Math.max(
      newestChange(path.join(filtersDir, name, 'assembly')), statSync(path.join(filtersDir, name, 'asconfig.json')).mtimeMs,
      newestChange(path.join(filtersDir, 'shared', 'assembly')), newestChange(sdkAssemblyDir),
    );
    if (statSync(target).mtimeMs >= sources) return new Uint8Array(await readFile(target));
  }
  return buildBuiltinFilter(name);
}

if (import.meta.main) {
  for (const name of builtinFilters) {
    const started = performance.now();
    const bytes = await buildBuiltinFilter(name);
    console.log(`${name.padEnd(10)} ${path.relative(process.cwd(), builtinFilterPath(name))}  ${(bytes.length / 1024).toFixed(0)} KiB  ${(performance.now() - started).toFixed(0)} ms`);
  }
}
