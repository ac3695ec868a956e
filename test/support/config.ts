// Writes a proxy config file for a test into a temporary folder and returns its path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function writeConfig(text: string, name = 'weft.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-test-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
