// Runs `weft proxy` as a child process and resolves once it logs that it is ready (for the demo, the bench and tests).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const WEFT_BIN = fileURLToPath(new URL('../cli/weft.ts', import.meta.url));

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
  /** SIGTERM, then wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `weft proxy ARGS` with this Node; rejects with its stderr if it exits before it is ready. */
export async function spawnProxy(args: string[], env: NodeJS.ProcessEnv = {}, readyTimeoutMs = 20_000): Promise<SpawnedProxy> {
  const proc = spawn(process.execPath, [WEFT_BIN, 'proxy', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  const ready = new Promise<Record<string, unknown> & { listen: string; admin: string }>((resolve, reject) => {
    proc.stderr!.on('data', (d) => {
      stderr += d;
      const line = stderr.split('\n').find((l) => l.includes('"weft proxy ready"'));
      if (line) resolve(JSON.parse(line) as { listen: string; admin: string });
    });
    proc.once('close', (code) => reject(new Error(`weft proxy exited with ${code} before ready:\n${stderr}`)));
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), readyTimeoutMs);
  const line = await ready.finally(() => clearTimeout(timer));
  const { listen, admin } = line;
  const port = Number(listen.split(':').pop());
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    admin: admin === 'off' ? '' : `http://${admin}`,
    ready: line,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}
