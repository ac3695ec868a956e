// Resident memory of a process tree from /proc: what a proxy holds now (VmRSS) and the most it ever held (VmHWM).
import { readFileSync } from 'node:fs';
import { processTree } from './cpu.ts';

/** One `kB` field of /proc/PID/status, in KiB; 0 for a process that has exited. */
function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * RSS of `root` and its descendants, in MiB, now (`VmRSS`) or at its peak (`VmHWM`). nginx's master and worker
 * are summed, so pages they share count twice: a little over what nginx really holds, never under.
 */
export function treeRssMiB(root: number, which: 'now' | 'peak'): number {
  let kib = 0;
  for (const pid of processTree(root)) kib += statusKiB(pid, which === 'now' ? 'VmRSS' : 'VmHWM');
  return kib / 1024;
}
