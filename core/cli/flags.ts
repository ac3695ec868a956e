// Declarative command-line flags: each flag has an environment twin and a help line, parsed with node:util parseArgs.
import { parseArgs } from 'node:util';
import { ErrorCodes, WeftError } from '../errors.ts';

export interface FlagSpec {
  name: string;
  /** Value placeholder in --help, e.g. HOST:PORT; absent for a boolean switch. */
  value?: string;
  help: string;
  /** What applies when neither the flag, its env twin nor a config file sets it. */
  defaultText?: string;
  multiple?: boolean;
  /** What separates the values of a repeatable flag's env twin (default ","). */
  envSeparator?: string;
}

export type FlagValues = Record<string, string | string[] | boolean | undefined>;

/** WEFT_DRAIN_TIMEOUT for --drain-timeout. */
export function envName(flag: string): string {
  return `WEFT_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Parses argv, then fills each flag left unset from its env twin (a repeatable flag's twin is comma-separated):
 * flags override env, and both override the config file, which the caller merges underneath.
 */
export function parseFlags(specs: FlagSpec[], argv: string[], env: NodeJS.ProcessEnv): { values: FlagValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const s of specs) options[s.name] = { type: s.value ? 'string' : 'boolean', multiple: s.multiple ?? false };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new WeftError(ErrorCodes.USAGE, (err as Error).message.replace(/\. To specify.*$/s, ''), 2);
  }
  const values = { ...parsed.values } as FlagValues;
  for (const s of specs) {
    if (values[s.name] !== undefined) continue;
    const fromEnv = env[envName(s.name)];
    if (fromEnv === undefined || fromEnv === '') continue;
    if (!s.value) values[s.name] = fromEnv === '1' || fromEnv.toLowerCase() === 'true';
    else values[s.name] = s.multiple ? fromEnv.split(s.envSeparator ?? ',').map((v) => v.trim()).filter(Boolean) : fromEnv;
  }
  return { values, positionals: parsed.positionals };
}

export function flagsHelp(usage: string, specs: FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.value ? ` ${s.value}` : ''}`;
    const extra = [s.multiple ? `repeatable${s.envSeparator ? `; env values separated by "${s.envSeparator}"` : ''}` : '', s.defaultText ? `default: ${s.defaultText}` : '', `env ${envName(s.name)}`]
      .filter(Boolean).join('; ');
    return `${left.padEnd(34)} ${s.help} (${extra})`;
  });
  return `${usage}\n\noptions:\n${rows.join('\n')}\n  --help, -h                         show this help`;
}

export function usageError(message: string): WeftError {
  return new WeftError(ErrorCodes.USAGE, message, 2);
}
