// Starts the real `weft proxy` CLI as a child process for end-to-end tests and waits for its ready line.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const WEFT_BIN = fileURLToPath(new URL('../../core/cli/weft.ts', import.meta.url));

export interface RunningProxy {
  proc: ChildProcess;
  /** http://127.0.0.1:PORT of the traffic listener. */
  url: string;
  port: number;
  /** http://127.0.0.1:PORT of the admin server. */
  admin: string;
  stderr(): string;
  stdout(): string;
  /** SIGTERM, then wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `weft ARGS...` to completion and returns its exit code and output. */
export async function runWeft(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [WEFT_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(proc, 'exit');
  return { code: code as number | null, stdout, stderr };
}

/** Starts `weft proxy` with the given flags on 127.0.0.1:0 (admin on 127.0.0.1:0 too unless given). */
export async function startProxy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningProxy> {
  const full = ['proxy', ...args];
  if (!args.includes('--listen') && !args.includes('--config')) full.push('--listen', '127.0.0.1:0');
  if (!args.includes('--admin')) full.push('--admin', '127.0.0.1:0');
  const proc = spawn(process.execPath, [WEFT_BIN, ...full], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  const ready = new Promise<{ listen: string; admin: string }>((resolve, reject) => {
    proc.stderr!.on('data', (d) => {
      stderr += d;
      for (const line of stderr.split('\n')) {
        if (!line.includes('"weft proxy ready"')) continue;
        const j = JSON.parse(line) as { listen: string; admin: string };
        resolve(j);
      }
    });
    proc.once('close', (code) => reject(new Error(`weft proxy exited with ${code} before ready:\n${stderr}`)));
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  const { listen, admin } = await ready.finally(() => clearTimeout(timer));
  const port = Number(listen.split(':').pop());
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    admin: `http://${admin}`,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}
