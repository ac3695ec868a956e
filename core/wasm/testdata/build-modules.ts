// Builds the test modules: SDK-like variants of conformance.as.ts with asc, and WAT modules with wabt (cached under testdata/build/).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import wabtInit from 'wabt';

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
}

/** Each variant behaves like one SDK's output as far as the host can tell. */
export const VARIANTS: Variant[] = [
  { name: 'rust-like', abi: '0.2.1', allocator: 'proxy_on_memory_allocate', start: '_initialize' },
  { name: 'go-like', abi: '0.2.0', allocator: 'malloc', start: '_initialize' },
  { name: 'assemblyscript-like', abi: '0.2.1', allocator: 'malloc', start: 'section' },
  { name: 'abi-0.1.0', abi: '0.1.0', allocator: 'malloc', start: '_start' },
];

/** The conformance filter built for one variant. */
export async function buildVariant(v: Variant): Promise<Uint8Array> {
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
