// Which external programs (wrk, nginx, taskset) this machine has, looked up once on the PATH.
import { spawnSync } from 'node:child_process';
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

/** The first version-looking word `name -v` prints (wrk and nginx both answer -v), for the report. */
export function commandVersion(name: string): string | undefined {
  const path = findCommand(name);
  if (!path) return undefined;
  const { stdout, stderr } = spawnSync(path, ['-v'], { encoding: 'utf8', timeout: 2000 });
  return /\d+\.\d+[\w.+-]*/.exec(`${stdout}${stderr}`)?.[0];
}
