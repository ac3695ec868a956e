// The plane's bearer token: read from --token-file, or generated once into <data-dir>/token (mode 0600).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { tightenFile } from '../core/state/private-file.ts';

export function loadToken(tokenFile: string | undefined, dataDir: string): { token: string; file: string } {
  const file = tokenFile ?? join(dataDir, 'token');
  if (!existsSync(file)) {
    if (tokenFile) throw new WeftError(ErrorCodes.USAGE, `--token-file ${tokenFile} does not exist`, 2);
    // wx: two planes starting on one data dir must not overwrite each other's token.
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } else if (!tokenFile) {
    tightenFile(file);
  }
  const token = readFileSync(file, 'utf8').trim();
  if (!token) throw new WeftError(ErrorCodes.USAGE, `token file ${file} is empty`, 2);
  return { token, file };
}

/** Constant-time comparison of an Authorization header with the token. */
export function authorized(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
