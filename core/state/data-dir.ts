// Where Weft keeps state: --data-dir, else $XDG_STATE_HOME/weft/…, else ~/.local/state/weft/…; directories the owner's alone (0700).
import os from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, WeftError } from '../errors.ts';

const { chmodSync, mkdirSync, statSync } = process.getBuiltinModule('node:fs');

/** $XDG_STATE_HOME when it is absolute (the XDG spec says to ignore a relative one), else ~/.local/state. */
function stateHome(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_STATE_HOME;
  return xdg && isAbsolute(xdg) ? xdg : join(os.homedir(), '.local', 'state');
}

/**
 * The data dir as an absolute path: `given` resolved against the current directory, once, here (every path under
 * it is then absolute, whoever joins or resolves it later), or `weft/<parts>` under the state home.
 */
export function dataDirPath(given: string | undefined, parts: string[], env: NodeJS.ProcessEnv = process.env): string {
  return given === undefined ? join(stateHome(env), 'weft', ...parts) : resolve(given);
}

/**
 * Creates the data dir (and its parents) 0700, or checks that an existing one is closed to other users. One that is
 * open is refused rather than tightened: it may be a directory the user shares (a checkout, /tmp), and its
 * contents may have been readable already.
 */
export function openDataDir(dir: string): string {
  let mode: number;
  try {
    const stat = statSync(dir);
    if (!stat.isDirectory()) throw new WeftError(ErrorCodes.DATA_DIR, `data dir ${dir} is not a directory`);
    mode = stat.mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err instanceof WeftError ? err : new WeftError(ErrorCodes.DATA_DIR, `data dir ${dir}: ${(err as Error).message}`);
    return privateDir(dir);
  }
  if (mode & 0o077) {
    throw new WeftError(ErrorCodes.DATA_DIR, `data dir ${dir} is open to other users (mode ${mode.toString(8).padStart(4, '0')}): chmod 700 it, or give --data-dir a directory of its own`);
  }
  return dir;
}

/**
 * A directory Weft owns inside a data dir (ca/, identity/, modules/), made 0700 whether new or left wider by an
 * older Weft; the mode is set, not left to the umask.
 */
export function privateDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch (err) {
    throw new WeftError(ErrorCodes.DATA_DIR, `cannot make ${dir}: ${(err as Error).message}`);
  }
  return dir;
}
