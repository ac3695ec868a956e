// The demo's child processes (the plane and the sidecars): started in their own process group with logs to a file, stopped in order by the demo alone.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { WEFT_BIN } from '../proxy/spawn.ts';

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
  const proc = spawn(process.execPath, [WEFT_BIN, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  const file = createWriteStream(log, { flags: 'a' });
  proc.stdout!.pipe(file, { end: false });
  proc.stderr!.pipe(file, { end: false });
  proc.once('close', () => file.end());
  let text = '';
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`${name} was not ready after ${timeoutMs} ms (log: ${log})`)); }, timeoutMs);
    // Logs are JSON lines (pino); whichever stream carries them, the ready line is looked for in both.
    const onData = (d: Buffer) => {
      text += d;
      const line = text.split('\n').slice(0, -1).find((l) => l.includes(`"${readyMsg}"`));
      if (!line) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      proc.stderr!.off('data', onData);
      proc.off('exit', onExit);
      resolve(JSON.parse(line) as Record<string, unknown>);
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${text.trim().split('\n').slice(-5).join('\n')}\n(log: ${log})`));
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', onExit);
  });
  return {
    name, proc, ready, log,
    async stop(graceMs = 20_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const [code] = await exited;
      clearTimeout(timer);
      return code as number | null;
    },
  };
}
