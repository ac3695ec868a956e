// Starts the real `weft proxy` CLI for end-to-end tests (loopback, port 0), and runs other `weft` commands to completion.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { spawnProxy, WEFT_BIN } from '../../core/proxy/spawn.ts';
import type { SpawnedProxy } from '../../core/proxy/spawn.ts';

export type RunningProxy = SpawnedProxy;

/** Runs `weft ARGS...` to completion and returns its exit code and output. */
export async function runWeft(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [WEFT_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(proc, 'close');
  return { code: code as number | null, stdout, stderr };
}

/** Starts `weft proxy` with the given flags, listening on 127.0.0.1:0 with admin on 127.0.0.1:0 unless given. */
export function startProxy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningProxy> {
  const full = [...args];
  if (!args.includes('--listen') && !args.includes('--inbound') && !args.includes('--config')) full.push('--listen', '127.0.0.1:0');
  if (!args.includes('--admin')) full.push('--admin', '127.0.0.1:0');
  return spawnProxy(full, env);
}
