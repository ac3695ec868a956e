// Reads a proxy's --config file: YAML or JSON, validated against the schema; imported only when there is one.
import { dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateConfigDocument } from './validate.ts';
import type { FileSettings } from './validate.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { fileError } from '../cli/files.ts';

const { readFileSync } = process.getBuiltinModule('node:fs');

/** Reads a YAML or JSON config file (YAML parses both) and validates it. */
export function loadConfigFile(path: string): FileSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fileError('read config', path, err);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new WeftError(ErrorCodes.CONFIG_INVALID, `invalid config ${path}: ${(err as Error).message.split('\n')[0]}`, 2);
  }
  return validateConfigDocument(doc ?? {}, path, dirname(path));
}

