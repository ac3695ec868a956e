// Builds SDK filters and WAT modules for end-to-end tests into a temporary folder, once per test file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { buildFilter } from '../../sdk/tools/build.ts';

const out = mkdtempSync(join(tmpdir(), 'weft-filters-'));
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Builds the SDK-based filter in DIR (relative to the repo) and returns the .wasm path. */
export async function buildFixture(dir: string): Promise<string> {
  const name = dir.split('/').pop()!;
  const outFile = join(out, `${name}.wasm`);
  await buildFilter(join(root, dir), { outFile });
  return outFile;
}

/** Compiles WAT text to a .wasm file and returns its path. */
export async function watFile(name: string, text: string): Promise<string> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat(`${name}.wat`, text);
  const file = join(out, `${name}.wasm`);
  writeFileSync(file, mod.toBinary({}).buffer);
  mod.destroy();
  return file;
}
