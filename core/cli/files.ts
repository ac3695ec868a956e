// Files and folders named on the command line: a failure to read or write one is a sentence naming it (WEFT_ERR_FILE_ACCESS).
import { ErrorCodes, WeftError } from '../errors.ts';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/** `cannot read module missing.wasm: no such file or folder (ENOENT)`. */
export function fileError(action: string, path: string, err: unknown): WeftError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code && REASONS[code] ? `${REASONS[code]} (${code})` : (err as Error).message;
  return new WeftError(ErrorCodes.FILE_ACCESS, `cannot ${action} ${path}: ${reason}`);
}

/** The bytes of a file the user named; `what` says what it was meant to be ("module", "signing key"). */
export async function readInputFile(path: string, what: string): Promise<Buffer> {
  try {
    return await process.getBuiltinModule('node:fs/promises').readFile(path);
  } catch (err) {
    throw fileError(`read ${what}`, path, err);
  }
}
