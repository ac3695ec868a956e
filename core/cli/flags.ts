// Declarative command-line flags: each flag has an environment twin and a help line, parsed with node:util parseArgs.
import { parseArgs } from 'node:util';
import { closestName } from '../closest.ts';
import { parseDuration } from '../config/duration.ts';
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
  /** A one-letter alias, such as o for -o. */
  short?: string;
  /** The only values the flag takes; anything else is a usage error that lists them. */
  choices?: readonly string[];
}

export type FlagValues = Record<string, string | string[] | boolean | undefined>;

/** What every command takes besides its own flags (cli/weft.ts acts on it; listing it here lets each command accept it). */
const DEBUG_FLAG: FlagSpec = { name: 'debug', help: 'on a failure, print its stack trace after the one-line error' };

/** WEFT_DRAIN_TIMEOUT for --drain-timeout. */
export function envName(flag: string): string {
  return `WEFT_${flag.toUpperCase().replace(/-/g, '_')}`;
}

function withCommon(specs: FlagSpec[]): FlagSpec[] {
  return [...specs, DEBUG_FLAG];
}

export function usageError(message: string): WeftError {
  return new WeftError(ErrorCodes.USAGE, message, 2);
}

/** A duration flag ("10s", "500ms") in ms; undefined when not given. */
export function durationFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw usageError(`--${flag}: expected a duration such as 10s, got "${text}"`);
  return ms;
}

/** parseArgs's errors, reworded as one sentence that names the flag (and the one meant, for a typo). */
function parseError(err: NodeJS.ErrnoException, specs: FlagSpec[]): WeftError {
  const message = err.message;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const guess = unknown[1].startsWith('--') ? closestName(unknown[1].slice(2), specs.map((s) => s.name)) : undefined;
    return usageError(`unknown option ${unknown[1]}${guess ? `; did you mean --${guess}?` : ' (--help lists the options)'}`);
  }
  const flag = /^Option '(?:-\w, )?--([\w-]+)/.exec(message)?.[1];
  const spec = specs.find((s) => s.name === flag);
  if (spec && /argument missing|ambiguous/.test(message)) {
    return usageError(`--${spec.name} needs a value (${spec.value})${/ambiguous/.test(message) ? `; for one that starts with "-", write --${spec.name}=VALUE` : ''}`);
  }
  if (spec && /does not take an argument/.test(message)) return usageError(`--${spec.name} is a switch and takes no value`);
  return usageError(message.split('\n')[0]);
}

/**
 * Parses argv, then fills each flag left unset from its env twin (a repeatable flag's twin is comma-separated):
 * flags override env, and both override the config file, which the caller merges underneath.
 */
export function parseFlags(specs: FlagSpec[], argv: string[], env: NodeJS.ProcessEnv): { values: FlagValues; positionals: string[] } {
  const all = withCommon(specs);
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const s of all) options[s.name] = { type: s.value ? 'string' : 'boolean', multiple: s.multiple ?? false, ...(s.short ? { short: s.short } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw parseError(err as NodeJS.ErrnoException, all);
  }
  const values = { ...parsed.values } as FlagValues;
  const fromEnv = new Set<string>();
  for (const s of all) {
    if (values[s.name] !== undefined) continue;
    const text = env[envName(s.name)];
    if (text === undefined || text === '') continue;
    fromEnv.add(s.name);
    if (!s.value) values[s.name] = text === '1' || text.toLowerCase() === 'true';
    else values[s.name] = s.multiple ? text.split(s.envSeparator ?? ',').map((v) => v.trim()).filter(Boolean) : text;
  }
  for (const s of all) {
    const given = values[s.name];
    if (!s.choices || given === undefined) continue;
    for (const v of Array.isArray(given) ? given : [String(given)]) {
      if (s.choices.includes(v)) continue;
      const guess = closestName(v, s.choices);
      const source = fromEnv.has(s.name) ? envName(s.name) : `--${s.name}`;
      throw usageError(`${source}: expected one of ${s.choices.join(', ')}, got "${v}"${guess ? `; did you mean "${guess}"?` : ''}`);
    }
  }
  return { values, positionals: parsed.positionals };
}

/** The part of every command's --help below its usage: one row per flag with its default and env twin. */
export function flagsHelp(usage: string, specs: FlagSpec[]): string {
  const rows = withCommon(specs).map((s) => {
    const left = `  --${s.name}${s.value ? ` ${s.value}` : ''}${s.short ? `, -${s.short}` : ''}`;
    const extra = [
      s.choices ? `one of ${s.choices.join(', ')}` : '',
      s.multiple ? `repeatable${s.envSeparator ? `; env values separated by "${s.envSeparator}"` : ''}` : '',
      s.defaultText ? `default: ${s.defaultText}` : '',
      `env ${envName(s.name)}`,
    ].filter(Boolean).join('; ');
    return `${left.padEnd(34)} ${s.help} (${extra})`;
  });
  return `${usage}\n\noptions:\n${rows.join('\n')}\n${'  --help, -h'.padEnd(34)} show this help`;
}
