// How a weft command is declared and run: a usage line, a summary, its arguments and flags (with env twins), an action.
import { closestName } from '../closest.ts';
import { flagsHelp, parseFlags, usageError } from './flags.ts';
import type { FlagSpec, FlagValues } from './flags.ts';

export interface Command {
  /** The whole form, e.g. `weft filter push NAME FILE.wasm --version V [--sign KEY.pem]`. */
  usage: string;
  summary: string;
  /** Its positional arguments by placeholder, in order; a bracketed one (`[SERVICE]`) may be left out. */
  args: string[];
  flags: FlagSpec[];
  /** Runs with the arguments counted and the flags parsed; resolves to the exit code, throws a WeftError on failure. */
  run(positionals: string[], values: FlagValues): Promise<number>;
}

/** A command's subcommands by name (`weft filter push`, `weft ca rotate`). */
export type CommandGroup = Record<string, Command>;

export function commandHelp(c: Command): string {
  return flagsHelp(`usage: ${c.usage}\n\n${c.summary}`, c.flags);
}

/** Parses a command's flags and arguments, answers --help, and runs it. */
export async function runCommand(c: Command, argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(c.flags, argv, process.env);
  if (values.help) {
    console.log(commandHelp(c));
    return 0;
  }
  const required = c.args.filter((a) => !a.startsWith('['));
  if (positionals.length < required.length) throw usageError(`missing ${required.slice(positionals.length).join(' ')} (usage: ${c.usage})`);
  if (positionals.length > c.args.length) throw usageError(`unexpected argument "${positionals[c.args.length]}" (usage: ${c.usage})`);
  return c.run(positionals, values);
}

export function groupHelp(group: string, summary: string, commands: CommandGroup): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: weft ${group} SUBCOMMAND [options]\n\n${summary}\n\nsubcommands:\n${rows.join('\n')}\n\nRun \`weft ${group} SUBCOMMAND --help\` for its usage and options.`;
}

/** The subcommand `name` of a group; a usage error naming the ones there are (or the one meant, for a typo) otherwise. */
export function findSubcommand(group: string, commands: CommandGroup, name: string | undefined): Command {
  const names = Object.keys(commands);
  if (name === undefined) throw usageError(`give a subcommand: ${names.join(', ')} (weft ${group} --help describes them)`);
  if (Object.hasOwn(commands, name)) return commands[name];
  const guess = closestName(name, names);
  throw usageError(`unknown subcommand "${name}"; ${guess ? `did you mean "${guess}"?` : `the subcommands are ${names.join(', ')}`}`);
}
