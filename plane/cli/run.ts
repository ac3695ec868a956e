// What the plane's client commands share: --plane and --token on every one of them, and text tables.
import type { Command } from '../../core/cli/command.ts';
import { CLIENT_FLAGS } from './client.ts';

/** A command that talks to the plane: its own flags, then the plane's address and token. */
export function planeCommand(c: Command): Command {
  return { ...c, flags: [...c.flags, ...CLIENT_FLAGS] };
}

/** Every subcommand of a group, each with --plane and --token. */
export function planeCommands(group: Record<string, Command>): Record<string, Command> {
  return Object.fromEntries(Object.entries(group).map(([name, c]) => [name, planeCommand(c)]));
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
