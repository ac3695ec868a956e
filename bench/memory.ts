// Resident memory of a process tree from /proc: what a proxy holds now (VmRSS), the most it ever held (VmHWM), and how much of it is pages of files (RssFile).
import { readFileSync } from 'node:fs';
import { processTree } from './cpu.ts';

/** The fields of /proc/PID/status read here. */
type StatusField = 'VmRSS' | 'VmHWM' | 'RssFile';

/** One `kB` field of /proc/PID/status, in KiB; 0 for a process that has exited. */
function statusKiB(pid: number, field: StatusField): number {
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
  return treeStatusMiB(root, which === 'now' ? 'VmRSS' : 'VmHWM');
}

/**
 * The part of `root`'s RSS now that is pages of files: for a weft process, Node's binary and its libraries, which
 * every process running the same binary shares through the page cache; the rest (anonymous) is the process's own.
 */
export function treeRssFileMiB(root: number): number {
  return treeStatusMiB(root, 'RssFile');
}

function treeStatusMiB(root: number, field: StatusField): number {
  let kib = 0;
  for (const pid of processTree(root)) kib += statusKiB(pid, field);
  return kib / 1024;
}
