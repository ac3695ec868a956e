// The Node flags every weft process runs with, read from the bin's first line (`#!/usr/bin/env -S node FLAGS`), so the npm bin, the executable's execArgv and the bench cannot drift apart.
import { readFileSync } from 'node:fs';

export const BIN = new URL('../bin/weft.js', import.meta.url);

export function binNodeFlags(): string[] {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0];
  const flags = /^#!\/usr\/bin\/env -S node((?: --\S+)*)$/.exec(first);
  if (!flags) throw new Error(`bin/weft.js: its first line is not "#!/usr/bin/env -S node [--flag…]": ${first}`);
  return flags[1].split(' ').filter(Boolean);
}
