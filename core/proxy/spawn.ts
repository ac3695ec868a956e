// Runs `weft proxy` as a child process and resolves once it logs that it is ready (for the demo, the bench and tests); readyLine waits so for any weft command.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { entryUrl, executable } from '../runtime/assets.ts';

/** The `weft` command's script: the checkout's CLI, or the bundle's entry when built. */
export const WEFT_BIN = fileURLToPath(entryUrl(new URL('../../cli/weft.ts', import.meta.url), 'weft'));

/** Command and leading arguments that run `weft` again (the demo's children, spawnProxy): this executable, or WEFT_BIN under this Node. */
export function weftCommand(): [string, ...string[]] {
  return executable ? [process.execPath] : [process.execPath, WEFT_BIN];
}

export interface SpawnedProxy {
  proc: ChildProcess;
  /** http://127.0.0.1:PORT of the traffic listener. */
  url: string;
  port: number;
  /** http://HOST:PORT of the admin server, or '' when it is off. */
  admin: string;
  /** The ready line's fields: `listen`, and for a sidecar `outbound` and `bind:SERVICE` (HOST:PORT each). */
  ready: Record<string, unknown>;
  stderr(): string;
  stdout(): string;
  /**
   * SIGTERM, then wait for exit; resolves with the exit code (null if it had to be killed). A proxy still running
   * 30 s after the SIGTERM (its 15 s drain and more) gets SIGKILL, so a stop never hangs. Takes no argument, so
   * it can be a hook as it is: `t.after(proxy.stop)`.
   */
  stop(): Promise<number | null>;
}

/**
 * The JSON of the first complete log line (pino, on stdout or stderr) whose msg is `msg`. Rejects with the last
 * output if `name` exits first, and kills it if the line has not come within `timeoutMs`.
 */
export function readyLine(proc: ChildProcess, name: string, msg: string, timeoutMs: number): Promise<Record<string, unknown>> {
  let text = '';
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      proc.stderr?.off('data', onData);
      proc.off('close', onExit);
    };
    const onData = (d: Buffer) => {
      text += d;
      const line = text.split('\n').slice(0, -1).find((l) => l.includes(`"${msg}"`));
      if (!line) return;
      done();
      resolve(JSON.parse(line) as Record<string, unknown>);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${name} exited with ${code} before it was ready:\n${text.trim().split('\n').slice(-5).join('\n')}`));
    };
    const timer = setTimeout(() => {
      done();
      proc.kill('SIGKILL');
      reject(new Error(`${name} was not ready after ${timeoutMs} ms:\n${text.trim().split('\n').slice(-5).join('\n')}`));
    }, timeoutMs);
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    // 'close', not 'exit': by then every byte it wrote has been read, so the error carries its last words.
    proc.once('close', onExit);
  });
}

/** SIGTERM, then SIGKILL if `proc` still runs after `killAfterMs`; resolves with its exit code (null when killed by a signal). */
export async function stopChild(proc: ChildProcess, killAfterMs: number): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
  try {
    const [code] = await exited;
    return code as number | null;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `weft proxy ARGS` (this executable, or with this Node); rejects with its last output if it exits before it is ready. */
export async function spawnProxy(args: string[], env: NodeJS.ProcessEnv = {}, readyTimeoutMs = 20_000): Promise<SpawnedProxy> {
  const [command, ...leading] = weftCommand();
  const proc = spawn(command, [...leading, 'proxy', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const line = await readyLine(proc, 'weft proxy', 'weft proxy ready', readyTimeoutMs);
  const { listen, admin } = line as { listen: string; admin: string };
  const port = Number(listen.split(':').pop());
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    admin: admin === 'off' ? '' : `http://${admin}`,
    ready: line,
    stderr: () => stderr,
    stdout: () => stdout,
    stop: () => stopChild(proc, 30_000),
  };
}
