// The plane's API token a command presents: --token or --token-file (WEFT_TOKEN / WEFT_TOKEN_FILE); a file or the env keeps it out of `ps`.
import { ErrorCodes, WeftError } from '../errors.ts';
import { fileError } from './files.ts';
import { envName, usageError } from './flags.ts';
import type { FlagSpec, FlagValues } from './flags.ts';

const { readFileSync } = process.getBuiltinModule('node:fs');

export const TOKEN_FLAGS: FlagSpec[] = [
  { name: 'token', value: 'TOKEN', help: "the plane's API token (`weft plane token` prints it); on the command line it shows in ps: prefer WEFT_TOKEN or --token-file" },
  { name: 'token-file', value: 'FILE', help: "a file holding the plane's API token, such as the plane's <data-dir>/token" },
];

function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fileError('read token file', file, err);
  }
  const token = text.trim();
  if (!token) throw new WeftError(ErrorCodes.FILE_ACCESS, `token file ${file} is empty`);
  return token;
}

/**
 * The token from --token or --token-file, or else from WEFT_TOKEN or WEFT_TOKEN_FILE: the command line beats the
 * environment (a token file given for one command wins over an exported WEFT_TOKEN), and both forms at the same
 * level are refused, since either could be the one meant. Undefined when none is given.
 */
export function tokenOption(values: FlagValues, env: NodeJS.ProcessEnv): string | undefined {
  const token = values.token as string | undefined;
  const file = values['token-file'] as string | undefined;
  // A value equal to its env twin's is taken as the environment's; had it been on the command line too, it would be the same.
  const onCommandLine = (name: string) => values[name] !== undefined && values[name] !== env[envName(name)];
  const [lineToken, lineFile] = [onCommandLine('token'), onCommandLine('token-file')];
  if (lineToken && lineFile) throw usageError('give --token or --token-file, not both');
  if (lineToken) return token;
  if (lineFile) return readTokenFile(file!);
  if (token !== undefined && file !== undefined) throw usageError('WEFT_TOKEN and WEFT_TOKEN_FILE are both set: unset one');
  return file === undefined ? token : readTokenFile(file);
}
