// The shape every plane client subcommand shares: its flags, usage line and action, dispatched by name with --help.
import { flagsHelp, parseFlags, usageError } from '../../core/cli/flags.ts';
import type { FlagSpec, FlagValues } from '../../core/cli/flags.ts';
import { CLIENT_FLAGS } from './client.ts';

export interface Subcommand {
  usage: string;
  summary: string;
  flags: FlagSpec[];
  run: (positionals: string[], values: FlagValues) => Promise<number>;
}

/** `weft GROUP SUB ...`: finds SUB, parses its flags (plus --plane and --token) and runs it. */
export async function runGroup(group: string, subcommands: Record<string, Subcommand>, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const sub = name ? subcommands[name] : undefined;
  if (!sub) {
    const lines = Object.values(subcommands).map((s) => `  ${s.usage}\n      ${s.summary}`);
    const text = `usage:\n${lines.join('\n')}\n\nRun \`weft ${group} SUBCOMMAND --help\` for its options.`;
    if (!name || name === '--help' || name === '-h') {
      console.log(text);
      return name ? 0 : 2;
    }
    throw usageError(`unknown subcommand "weft ${group} ${name}"\n\n${text}`);
  }
  return runCommand(sub, rest);
}

/** Parses one command's flags (plus --plane and --token), answers --help, runs it. */
export async function runCommand(sub: Subcommand, argv: string[]): Promise<number> {
  const specs = [...sub.flags, ...CLIENT_FLAGS];
  const { values, positionals } = parseFlags(specs, argv, process.env);
  if (values.help) {
    console.log(flagsHelp(`usage: ${sub.usage}\n\n${sub.summary}`, specs));
    return 0;
  }
  return sub.run(positionals, values);
}

/** Fixed-width text table: the first row is the header. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

export function ago(ms: number, now = Date.now()): string {
  if (!ms) return '-';
  const s = Math.max(0, (now - ms) / 1000);
  return s < 60 ? `${s.toFixed(1)}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}
