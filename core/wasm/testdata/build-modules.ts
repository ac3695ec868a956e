// Builds the test modules: SDK-like variants of the conformance filter (conformance.as.ts with asc, conformance.cc with em++)
// and WAT modules with wabt (cached under testdata/build/).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import asc from 'assemblyscript/asc';
import wabtInit from 'wabt';
import { HOST_IMPORTS } from '../imports.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(HERE, 'build');

export interface Variant {
  /** What the variant imitates. */
  name: string;
  abi: '0.1.0' | '0.2.0' | '0.2.1';
  /** The allocator export the host must use. */
  allocator: 'proxy_on_memory_allocate' | 'malloc';
  /** How initialisation runs: a start section, an exported _initialize, or an exported _start. */
  start: 'section' | '_initialize' | '_start';
  /** conformance.as.ts with asc, or conformance.cc with em++ (Debian's emscripten package). */
  compiler: 'asc' | 'em++';
}

/** Each variant behaves like one SDK's output as far as the host can tell. */
export const VARIANTS: Variant[] = [
  { name: 'rust-like', abi: '0.2.1', allocator: 'proxy_on_memory_allocate', start: '_initialize', compiler: 'asc' },
  { name: 'go-like', abi: '0.2.0', allocator: 'malloc', start: '_initialize', compiler: 'asc' },
  { name: 'assemblyscript-like', abi: '0.2.1', allocator: 'malloc', start: 'section', compiler: 'asc' },
  { name: 'abi-0.1.0', abi: '0.1.0', allocator: 'malloc', start: '_start', compiler: 'asc' },
  { name: 'cpp-emscripten', abi: '0.2.1', allocator: 'malloc', start: '_initialize', compiler: 'em++' },
];

/** The conformance filter built for one variant. */
export async function buildVariant(v: Variant): Promise<Uint8Array> {
  if (v.compiler === 'em++') return buildCpp();
  const marker = `proxy_abi_version_${v.abi.replaceAll('.', '_')}`;
  const source = readFileSync(join(HERE, 'conformance.as.ts'), 'utf8')
    .replace('const ABI: i32 = 21;', `const ABI: i32 = ${v.abi.replaceAll('.', '').replace(/^0/, '')};`)
    .replace('proxy_abi_version_0_2_1', marker)
    .replace('export function proxy_on_memory_allocate', `export function ${v.allocator}`);
  const options = { runtime: 'incremental', optimizeLevel: 2, noAssert: true, ...(v.start === 'section' ? {} : { exportStart: v.start }) };
  return cached(source + JSON.stringify(options), async () => {
    const out = await asc.compileString({ 'conformance.ts': source }, options);
    if (!out.binary) throw new Error(`asc failed for ${v.name}: ${out.stderr.toString()}`);
    return out.binary;
  });
}

/**
 * The proxy-wasm C++ SDK's build (its Bazel rules; the Makefile's old -s EMIT_EMSCRIPTEN_METADATA is refused by emcc 3.x)
 * with memory growth on, as its users build filters that allocate: a standalone reactor module exporting malloc, whose
 * host functions come in through a --js-library (generated here from the host's own list, as the SDK ships one).
 */
export const EMXX_ARGS = ['-std=c++17', '-O3', '-flto', '-fdata-sections', '-ffunction-sections', '--no-entry',
  '-sSTANDALONE_WASM', '-sEXPORTED_FUNCTIONS=_malloc', '-sALLOW_MEMORY_GROWTH=1'];

async function buildCpp(): Promise<Uint8Array> {
  const run = promisify(execFile);
  const source = readFileSync(join(HERE, 'conformance.cc'), 'utf8');
  const { stdout: version } = await run('em++', ['--version']);
  return cached([source, version.split('\n')[0], ...EMXX_ARGS].join('\n'), async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-emxx-'));
    try {
      // random_get too: emcc 3.1 checks every undefined symbol against its JS libraries, and its own has no random_get.
      const names = [...HOST_IMPORTS].filter((i) => i.startsWith('env.proxy_')).map((i) => i.slice(4)).concat('random_get')
        .map((name) => `  ${name}: function () {},`);
      writeFileSync(join(dir, 'imports.js'), `mergeInto(LibraryManager.library, {\n${names.join('\n')}\n});\n`);
      writeFileSync(join(dir, 'conformance.cc'), source);
      await run('em++', [...EMXX_ARGS, '--js-library', 'imports.js', 'conformance.cc', '-o', 'conformance.wasm'], { cwd: dir });
      return new Uint8Array(readFileSync(join(dir, 'conformance.wasm')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** A WAT file from testdata compiled to bytes. */
export async function buildWat(file: string): Promise<Uint8Array> {
  return buildWatText(file, readFileSync(join(HERE, file), 'utf8'));
}

export async function buildWatText(name: string, text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat(name, text, { bulk_memory: true, mutable_globals: true, sign_extension: true });
  try {
    return Uint8Array.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** Bytes built once per distinct key, kept in testdata/build/. */
export async function cached(key: string, build: () => Promise<Uint8Array>): Promise<Uint8Array> {
  const file = join(CACHE, `${createHash('sha256').update(key).digest('hex').slice(0, 16)}.wasm`);
  try {
    return new Uint8Array(readFileSync(file));
  } catch {
    const bytes = await build();
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(file, bytes);
    return bytes;
  }
}
