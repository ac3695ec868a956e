// The demo's child processes (the plane and the sidecars): started in their own process group with logs to a file, stopped in order by the demo alone.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readyLine, stopChild, weftCommand } from '../../core/proxy/spawn.ts';

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The JSON of the child's ready line. */
  ready: Record<string, unknown>;
  log: string;
  /** SIGTERM, then the exit code; SIGKILL (and null) if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

const live = new Set<ChildProcess>();
// Children sit in their own process group (so Ctrl-C reaches the demo only, which stops them in order);
// if the demo dies another way, this is their last chance not to outlive it.
process.on('exit', () => { for (const p of live) p.kill('SIGKILL'); });

/** Children must not pick up a WEFT_* env twin from the user's shell (WEFT_CONFIG would turn a sidecar into something else). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WEFT_')));
}

/** Runs `weft ARGS`, logging stdout and stderr to `log`; resolves once a stderr line carries `readyMsg`. */
export async function startChild(name: string, args: string[], log: string, readyMsg: string, timeoutMs = 30_000): Promise<Child> {
  const [command, ...leading] = weftCommand();
  const proc = spawn(command, [...leading, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  const file = createWriteStream(log, { flags: 'a' });
  proc.stdout!.pipe(file, { end: false });
  proc.stderr!.pipe(file, { end: false });
  proc.once('close', () => file.end());
  const ready = await readyLine(proc, name, readyMsg, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}\n(log: ${log})`);
  });
  return {
    name, proc, ready, log,
    stop: (graceMs = 20_000) => stopChild(proc, graceMs),
  };
}
