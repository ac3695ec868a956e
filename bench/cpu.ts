// CPU time spent by a process and all its descendants, read from /proc, to charge a proxy per request.
import { readFileSync, readdirSync } from 'node:fs';

type ProcStat = { ppid: number; ticks: number };

// Clock ticks per second of /proc/*/stat times; 100 on every Linux build Node runs on.
const TICKS_PER_SECOND = 100;

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // the process exited between listing and reading
  }
  // The command name may hold spaces and parentheses, so fields are counted from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  // Children's times (cutime, cstime) keep the account right when a child exits and is reaped mid-run.
  return { ppid: Number(fields[1]), ticks: utime + stime + cutime + cstime };
}

/** Process ids of `root` and every live descendant. */
export function processTree(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) parentOf.set(pid, stat.ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree.filter((pid) => parentOf.has(pid));
}

/** User plus system CPU time, in microseconds, of `root` and its descendants (threads included). */
export function treeCpuMicros(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) ticks += readStat(pid)?.ticks ?? 0;
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}
