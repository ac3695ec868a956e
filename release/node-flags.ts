// The environment and Node flags every weft process runs with, read from the bin's first line (`#!/usr/bin/env -S NAME=VALUE… node FLAGS`), so the npm bin, the executable, the deploy units and the bench cannot drift apart.
import { readFileSync } from 'node:fs';

export const BIN = new URL('../bin/weft.js', import.meta.url);

function binLine(): { env: string[]; flags: string[] } {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0];
  const parts = /^#!\/usr\/bin\/env -S((?: [A-Z_]+=\S+)*) node((?: --\S+)*)$/.exec(first);
  if (!parts) throw new Error(`bin/weft.js: its first line is not "#!/usr/bin/env -S [NAME=VALUE…] node [--flag…]": ${first}`);
  return { env: parts[1].split(' ').filter(Boolean), flags: parts[2].split(' ').filter(Boolean) };
}

/** The Node flags: the executable's execArgv. */
export function binNodeFlags(): string[] {
  return binLine().flags;
}

/** The environment the bin sets before Node starts (glibc reads it before any code of ours runs, so the executable cannot set it for itself: the deploy units do). */
export function binNodeEnv(): Record<string, string> {
  return Object.fromEntries(binLine().env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}
