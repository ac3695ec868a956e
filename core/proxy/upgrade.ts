// SIGUSR2: the proxy becomes the weft executable now on disk, under the same pid (what a service manager tracks), by two handovers: to a stand-in, then back.
import { spawn } from 'node:child_process';
import { weftCommand } from './spawn.ts';

/**
 * This process's own command line, to run again with --takeover: the executable (or Node and the CLI script) as
 * found on disk now, so a replaced file is what runs.
 */
function takeoverCommand(): [string, string[]] {
  const [file, ...leading] = weftCommand();
  // `proxy` and its flags: after Node and the script, or the executable (which a single executable repeats in argv[1]).
  const args = process.argv.slice(process.argv.indexOf('proxy', 1)).filter((a) => a !== '--takeover');
  return [file, [...process.execArgv, ...leading, ...args, '--takeover']];
}

/**
 * Starts a stand-in: the new executable with --takeover, which takes the addresses over from this process. It
 * is started through a shell that exits at once, so it is not this process's child: after this process becomes
 * the new executable (reexec), the stand-in's exit is its service manager's to reap, not a zombie of ours. Its
 * log goes where this process's goes.
 */
export function startStandIn(): void {
  const [file, args] = takeoverCommand();
  spawn('/bin/sh', ['-c', '"$@" </dev/null &', 'weft-stand-in', file, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Replaces this process (same pid) with the new executable and --takeover, which takes the addresses back from the stand-in. */
export function reexec(): void {
  const [file, args] = takeoverCommand();
  // Node 22.15+: every Node weft runs on (package.json engines) has it.
  process.execve!(file, [file, ...args], process.env);
}
