// Where Weft finds its own files at run time: the checkout's sources, the built bundle's directory (npm package), or the assets embedded in the single executable.
import { fileURLToPath } from 'node:url';
// A namespace: the npm package also runs on Node 22, whose node:sea lacks getAssetKeys (only the executable calls it).
import * as sea from 'node:sea';

const { existsSync } = process.getBuiltinModule('node:fs');

/** What `npm run build:bin` stamps into the bundle (esbuild `define`); absent when running the .ts sources. */
export interface BuildStamp {
  version: string;
  commit: string;
  /** ISO 8601, UTC. */
  date: string;
}

declare const WEFT_BUILD: BuildStamp | undefined;

/** The stamp of the bundle this code runs from, or undefined when it runs from the checkout's sources. */
export const buildStamp: BuildStamp | undefined = typeof WEFT_BUILD === 'undefined' ? undefined : WEFT_BUILD;

/** True inside the single executable (dist/weft): the bundle's files are its embedded assets, not files on disk. */
export const executable = buildStamp !== undefined && sea.isSea();

/**
 * The bundle's directory: every bundled module (entries and chunks) sits in it flat, the filters in
 * filters/, so this module's own URL gives it. In the executable it is a directory that does not exist, `<executable>/`, whose modules the
 * executable's loader hooks serve from its assets (release/sea-main.cjs).
 */
const bundleDir = new URL('./', import.meta.url);
const bundlePath = fileURLToPath(bundleDir);

/**
 * A thread's entry module: `source` (a .ts file next to the caller) when running from the checkout, the bundle's
 * entry `name` (release/build.ts names them) when built.
 */
export function entryUrl(source: URL, name: string): URL {
  return buildStamp ? new URL(`${name}.js`, bundleDir) : source;
}

/**
 * A file Weft ships beside its code: `source` in the checkout, `bundled` (a path inside the bundle's directory, where
 * release/build.ts puts it) when built. Read it with readModuleFile, which also reads the executable's assets.
 */
export function shippedFile(bundled: string, source: URL): string {
  return buildStamp ? `${bundlePath}${bundled}` : fileURLToPath(source);
}

/** The .wasm of a built-in filter: built by `npm run build:filters` in the checkout, shipped in the bundle. */
export function builtinFilterFile(name: string): string {
  return shippedFile(`filters/${name}.wasm`, new URL(`../../filters/${name}/build/${name}.wasm`, import.meta.url));
}

/** The asset key of a file inside the executable, or undefined for a file on disk. */
function embeddedKey(path: string): string | undefined {
  return executable && path.startsWith(bundlePath) ? path.slice(bundlePath.length) : undefined;
}

/** Reads a module file, from the executable's assets when it names one of them. */
export async function readModuleFile(path: string): Promise<Uint8Array> {
  const key = embeddedKey(path);
  return key === undefined ? new Uint8Array(await process.getBuiltinModule('node:fs/promises').readFile(path)) : new Uint8Array(sea.getRawAsset(key).slice(0));
}

export function moduleFileExists(path: string): boolean {
  const key = embeddedKey(path);
  return key === undefined ? existsSync(path) : sea.getAssetKeys().includes(key);
}

/** True when the bundle's directory holds `url`'s module: a thread started from it in the executable must be served by the loader hooks. */
export function isEmbeddedModule(url: URL): boolean {
  return executable && url.href.startsWith(bundleDir.href);
}
