// Which external programs (wrk, nginx, taskset) this machine has, looked up once on the PATH.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const found = new Map<string, string | undefined>();

/** The full path of `name` on the PATH (plus the sbin folders, where Debian puts nginx), if any. */
export function findCommand(name: string): string | undefined {
  if (found.has(name)) return found.get(name);
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  let path: string | undefined;
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      path = join(dir, name);
      break;
    } catch { /* not in this folder */ }
  }
  found.set(name, path);
  return path;
}

export function hasCommand(name: string): boolean {
  return findCommand(name) !== undefined;
}
